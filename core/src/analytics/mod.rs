//! Call analytics (SPEC section 4): one file per metric family.
//!
//! | metric family | file | entry point | partial state |
//! | --- | --- | --- | --- |
//! | summary (4.1) | `summary.rs` | [`summary`] | [`SummaryPartial`] |
//! | contact-center KPIs (4.2) | `kpi.rs` | [`kpis`] | [`KpiPartial`] |
//! | breakdowns (4.3) | `breakdown.rs` | [`breakdown`] | [`BreakdownPartial`] |
//! | ended reasons (4.4) | `ended_reason.rs` | [`ended_reasons`] | [`EndedReasonPartial`] |
//! | concurrency (4.5) | `concurrency.rs` | [`concurrency`] | [`ConcurrencyPartial`] |
//! | Erlang C staffing (4.5) | `erlang.rs` | [`required_agents`] | — |
//! | filters, sort, pages (4.7) | `filter.rs` | [`list_calls`] | — |
//! | the report of SPEC 6 | `report.rs` | [`Report::compute`] | [`ReportPartial`] |
//!
//! Every aggregate is mergeable (SPEC 4.8): its partial state implements [`Partial`] (`add` one
//! record, `merge` two partials, associative and commutative) and serializes with serde, and an
//! inherent `finish` turns it into the result. The `compute` functions build partials over
//! chunks of the input, in parallel with rayon when the `parallel` feature is on, and merge them.
//!
//! Sums of seconds are kept as whole microseconds (`i128`), so merging partials in any order
//! gives bit-identical results; values are therefore exact to the microsecond.
//!
//! ```
//! use callscope::analytics::{AnalyticsOptions, Report};
//! let options = AnalyticsOptions::default().with_time_zone("Europe/Berlin").unwrap();
//! let report = Report::compute(&[], &options).unwrap();
//! let summary = report.summary.unwrap(); // every section unless `options.sections` names some
//! assert_eq!(summary.total_calls, 0);
//! assert_eq!(summary.answer_rate, None); // a rate over an empty set is null
//! ```

mod breakdown;
mod concurrency;
mod ended_reason;
mod erlang;
mod filter;
mod kpi;
mod report;
mod summary;

pub use breakdown::{BreakdownPartial, BreakdownRow, Dimension, breakdown};
pub use concurrency::{
    Concurrency, ConcurrencyBucket, ConcurrencyPartial, Granularity, MAX_BUCKETS, concurrency,
};
pub use ended_reason::{
    CategoryRow, EndedReasonPartial, EndedReasons, RawReasonRow, ended_reasons,
};
pub use erlang::{
    Staffing, erlang_b, erlang_c, erlang_c_asa, erlang_c_service_level, required_agents,
    staffing_for,
};
pub use filter::{
    CallFilter, ListQuery, MAX_PAGE_LIMIT, Page, Pagination, SortField, SortOrder, list_calls,
};
pub use kpi::{KpiPartial, Kpis, REPEAT_WINDOW_S, ServiceLevel, kpis, occupancy};
pub use report::{Report, ReportPartial, Section};
pub use summary::{Percentiles, Summary, SummaryPartial, nearest_rank, summary};

use crate::CallRecord;
use crate::model::round_non_negative;
use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// Options shared by every analytic (SPEC 4). JSON field names are camelCase; every field has
/// a default, so `{}` is a valid options object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AnalyticsOptions {
    /// Keep calls that started at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Keep calls that started before this instant (half-open range `[from, to)`).
    pub to: Option<DateTime<Utc>>,
    /// Zone of calendar buckets (days, hours, weekdays, `day` concurrency buckets); IANA name
    /// in JSON, default `UTC`.
    #[serde(with = "tz_name")]
    pub time_zone: Tz,
    /// The "now" of active calls; default: the latest instant seen in the selected calls.
    pub as_of: Option<DateTime<Utc>>,
    /// Record filters of SPEC 4.7; they apply together with `from` / `to`.
    pub filter: CallFilter,
    /// Width of the concurrency series buckets (default `hour`).
    pub granularity: Granularity,
    /// The service-level threshold T in seconds (default 20).
    pub service_level_threshold_s: f64,
    /// Abandoned calls that waited less than this many seconds are left out of `abandonRate`
    /// (numerator and denominator); default none.
    pub short_abandon_s: Option<f64>,
    /// Compute over records of several tenants at once. Off by default: without a
    /// `filter.tenant`, a report over records of more than one tenant is an
    /// [`InvalidOption`](crate::Error::InvalidOption) error naming the tenants found (records
    /// with no tenant form one "no tenant" group). See [`AnalyticsOptions::check_tenants`].
    pub allow_mixed_tenants: bool,
    /// The analytics sections of the [`Report`] to compute, by JSON key (`["summary",
    /// "concurrency"]`); default (`None`): every one. The others are `null` in the report and
    /// their state is never kept, so a report of fewer sections takes less time and memory
    /// (the ingest report is the same). The single-metric functions ([`summary`], [`kpis`],
    /// ...) do not read it.
    pub sections: Option<Vec<Section>>,
}

impl Default for AnalyticsOptions {
    fn default() -> Self {
        AnalyticsOptions {
            from: None,
            to: None,
            time_zone: Tz::UTC,
            as_of: None,
            filter: CallFilter::default(),
            granularity: Granularity::Hour,
            service_level_threshold_s: 20.0,
            short_abandon_s: None,
            allow_mixed_tenants: false,
            sections: None,
        }
    }
}

impl AnalyticsOptions {
    /// Set the calendar zone by IANA name.
    pub fn with_time_zone(mut self, name: &str) -> crate::Result<Self> {
        self.time_zone = crate::time::parse_tz(name)?;
        Ok(self)
    }

    /// Check the numeric options.
    pub fn validate(&self) -> crate::Result<()> {
        let bad = |option: &str, reason: String| crate::Error::InvalidOption {
            option: option.into(),
            reason,
        };
        let t = self.service_level_threshold_s;
        if !t.is_finite() || t < 0.0 {
            return Err(bad(
                "serviceLevelThresholdS",
                format!("must be a finite number >= 0, got {t}"),
            ));
        }
        if let Some(s) = self.short_abandon_s {
            if !s.is_finite() || s < 0.0 {
                return Err(bad(
                    "shortAbandonS",
                    format!("must be a finite number >= 0, got {s}"),
                ));
            }
        }
        if let (Some(from), Some(to)) = (self.from, self.to) {
            if to < from {
                return Err(bad("to", format!("{to} is before from {from}")));
            }
        }
        self.granularity.seconds_checked()?;
        self.filter.validate()
    }

    /// Refuse to mix tenants: unless `filter.tenant` is set or `allow_mixed_tenants` is on, the
    /// records these options select must all belong to one tenant (records without a tenant
    /// count as one "no tenant" group). The error names up to [`MAX_TENANTS_NAMED`] tenants found.
    ///
    /// [`Report::compute`] calls this; callers of the single-metric functions ([`summary`],
    /// [`kpis`], ...) over untrusted multi-tenant data should call it first.
    pub fn check_tenants(&self, records: &[CallRecord]) -> crate::Result<()> {
        if self.allow_mixed_tenants || self.filter.tenant.is_some() {
            return Ok(());
        }
        let mut first: Option<Option<&str>> = None;
        let mut found: std::collections::BTreeSet<Option<&str>> = Default::default();
        for r in records.iter().filter(|r| self.selects(r)) {
            let t = r.tenant.as_deref();
            match first {
                None => first = Some(t),
                Some(f) if f == t && found.is_empty() => {}
                Some(f) => {
                    found.insert(f);
                    found.insert(t);
                }
            }
        }
        mixed_tenants(&found)
    }

    /// Whether the [`Report`] computes `section`: every section unless
    /// [`sections`](Self::sections) lists some.
    pub fn computes(&self, section: Section) -> bool {
        self.sections
            .as_ref()
            .is_none_or(|sections| sections.contains(&section))
    }

    /// Whether a record is selected: started in `[from, to)` and passes [`CallFilter`].
    pub fn selects(&self, record: &CallRecord) -> bool {
        self.from.is_none_or(|from| record.started_at >= from)
            && self.to.is_none_or(|to| record.started_at < to)
            && self.filter.matches(record)
    }
}

/// The error of [`AnalyticsOptions::check_tenants`] when `found` (every tenant of the
/// selected records) holds more than one tenant.
pub(crate) fn mixed_tenants(found: &std::collections::BTreeSet<Option<&str>>) -> crate::Result<()> {
    if found.len() < 2 {
        return Ok(());
    }
    let total = found.len();
    let mut names: Vec<String> = found
        .iter()
        .take(MAX_TENANTS_NAMED)
        .map(|t| match t {
            Some(name) => format!("{name:?}"),
            None => "(no tenant)".to_string(),
        })
        .collect();
    if total > MAX_TENANTS_NAMED {
        names.push(format!("... {} more", total - MAX_TENANTS_NAMED));
    }
    Err(crate::Error::InvalidOption {
        option: "allowMixedTenants".into(),
        reason: format!(
            "the records belong to {total} tenants ({}); set filter.tenant to pick one, or allowMixedTenants: true to compute over all of them",
            names.join(", ")
        ),
    })
}

/// Tenants named at most in the mixed-tenant error of [`AnalyticsOptions::check_tenants`].
pub const MAX_TENANTS_NAMED: usize = 10;

/// A mergeable partial aggregate (SPEC 4.8).
///
/// `merge` is associative and commutative, and `a.merge(b)` equals the partial built from the
/// records of `a` and `b` together. Two partials merge meaningfully only when they were created
/// from the same [`AnalyticsOptions`]; `merge` keeps the settings of `self`.
pub trait Partial: Sized {
    /// Count one record in (the caller has already applied the options' selection).
    fn add(&mut self, record: &CallRecord);
    /// Combine two partials.
    fn merge(self, other: Self) -> Self;
}

/// Records per rayon task: big enough that merging stays cheap next to adding.
#[cfg(feature = "parallel")]
const CHUNK: usize = 4096;

/// Build a partial over the records `options` selects: chunks in parallel with rayon when the
/// `parallel` feature is on, sequentially otherwise.
pub(crate) fn build<P, F>(records: &[CallRecord], options: &AnalyticsOptions, make: F) -> P
where
    P: Partial + Send,
    F: Fn() -> P + Sync + Send,
{
    let add_chunk = |mut partial: P, chunk: &[CallRecord]| {
        for record in chunk.iter().filter(|r| options.selects(r)) {
            partial.add(record);
        }
        partial
    };
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        if records.len() > CHUNK {
            // One partial per rayon split rather than per chunk: fewer merges, each of which
            // moves state (the concurrency events are O(n)).
            return records
                .par_chunks(CHUNK)
                .fold(&make, add_chunk)
                .reduce(&make, P::merge);
        }
    }
    add_chunk(make(), records)
}

/// `part / whole` as a 0-100 percentage with two decimals; 0 when `whole` is 0.
pub(crate) fn percentage(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    round2(part as f64 * 100.0 / whole as f64)
}

/// Round to two decimals.
pub(crate) fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// `part / whole` as a 0-1 fraction; `None` over an empty set.
pub(crate) fn rate(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Seconds to whole microseconds; `None` for values that are not finite and non-negative.
pub(crate) fn micros(seconds: Option<f64>) -> Option<i128> {
    seconds
        .filter(|s| s.is_finite() && *s >= 0.0)
        // Saturates at i64 (292,000 years): a sum of any number of such values fits in i128.
        .map(|s| i128::from(round_non_negative(s * 1e6)))
}

/// A microsecond sum as seconds.
pub(crate) fn seconds(micros: i128) -> f64 {
    micros as f64 / 1e6
}

/// Mean in seconds of a microsecond sum over `count` values; `None` when `count` is 0.
pub(crate) fn mean_seconds(sum_micros: i128, count: u64) -> Option<f64> {
    (count > 0).then(|| sum_micros as f64 / 1e6 / count as f64)
}

/// Handle time of a call: talk plus wrap-up where the source has it (SPEC 4.2 `aht`);
/// `None` when the talk time is unknown.
pub(crate) fn handle_micros(record: &CallRecord) -> Option<i128> {
    micros(record.talk_s).map(|talk| talk + micros(record.wrap_up_s).unwrap_or(0))
}

/// Local calendar fields of an instant in the report zone.
pub(crate) struct LocalTime {
    /// The local calendar day.
    pub date: NaiveDate,
    /// Local hour 0-23.
    pub hour: u32,
    /// Days from Monday, 0-6.
    pub weekday: usize,
}

impl LocalTime {
    pub(crate) fn of(t: DateTime<Utc>, tz: Tz) -> Self {
        // UTC (the default zone) has no offset to look up: the instant's own calendar fields
        // are the local ones
        let local = if matches!(tz, Tz::UTC | Tz::Etc__UTC) {
            t.naive_utc()
        } else {
            t.with_timezone(&tz).naive_local()
        };
        LocalTime {
            date: local.date(),
            hour: local.hour(),
            weekday: local.weekday().num_days_from_monday() as usize,
        }
    }

    /// `YYYY-MM-DD`.
    pub(crate) fn day_key(&self) -> String {
        date_key(self.date)
    }
}

/// A local calendar day as `YYYY-MM-DD` (chrono's `%Y-%m-%d`: a sign and more digits outside
/// the years 0-9999).
pub(crate) fn date_key(date: NaiveDate) -> String {
    let mut buf = [0u8; 10];
    match date_key_in(date, &mut buf) {
        Some(key) => key.to_owned(),
        None => date.format("%Y-%m-%d").to_string(),
    }
}

/// `YYYY-MM-DD` written into `buf` without chrono's formatter, for years 0-9999 (the years
/// `%Y` writes as four plain digits); `None` for other years.
fn date_key_in(date: NaiveDate, buf: &mut [u8; 10]) -> Option<&str> {
    let year = u32::try_from(date.year()).ok().filter(|y| *y <= 9999)?;
    let digits = |n: u32, out: &mut [u8]| {
        let mut n = n;
        for b in out.iter_mut().rev() {
            *b = b'0' + (n % 10) as u8;
            n /= 10;
        }
    };
    digits(year, &mut buf[0..4]);
    buf[4] = b'-';
    digits(date.month(), &mut buf[5..7]);
    buf[7] = b'-';
    digits(date.day(), &mut buf[8..10]);
    std::str::from_utf8(buf).ok()
}

/// Sort rows by count descending, ties by key in code-point order (a null key after any
/// string), as SPEC 4.3 fixes for every row list.
pub(crate) fn sort_rows<T>(
    rows: &mut [T],
    count: impl Fn(&T) -> u64,
    key: impl Fn(&T) -> Option<&str>,
) {
    rows.sort_by(|a, b| {
        count(b)
            .cmp(&count(a))
            .then_with(|| match (key(a), key(b)) {
                (Some(x), Some(y)) => x.cmp(y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            })
    });
}

/// A zone as its IANA name in serde.
pub(crate) mod tz_name {
    use chrono_tz::Tz;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(tz: &Tz, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(tz.name())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Tz, D::Error> {
        let name = String::deserialize(d)?;
        crate::time::parse_tz(&name).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod testing {
    //! Hand-made records for the analytics tests.

    use crate::{CallRecord, Direction, Outcome, Provider};
    use chrono::{DateTime, Utc};

    /// An instant from RFC 3339 text (test input is always valid).
    pub(crate) fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    /// A minimal record: `id`, direction, outcome and start; everything else empty.
    pub(crate) fn call(
        id: &str,
        direction: Direction,
        outcome: Outcome,
        start: &str,
    ) -> CallRecord {
        CallRecord {
            id: format!("generic:{id}"),
            provider: Provider::Generic,
            provider_call_id: id.into(),
            direction,
            outcome,
            started_at: at(start),
            ..CallRecord::taken()
        }
    }

    /// A finished call lasting `duration_s` seconds (sets `ended_at` and `duration_s`).
    pub(crate) fn finished(
        id: &str,
        direction: Direction,
        outcome: Outcome,
        start: &str,
        duration_s: f64,
    ) -> CallRecord {
        let mut r = call(id, direction, outcome, start);
        r.duration_s = Some(duration_s);
        r.ended_at =
            Some(r.started_at + chrono::Duration::milliseconds((duration_s * 1000.0) as i64));
        r
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    #[test]
    fn options_default_from_empty_json_and_round_trip() {
        let o: AnalyticsOptions = serde_json::from_str("{}").unwrap();
        assert_eq!(o, AnalyticsOptions::default());
        assert_eq!(o.time_zone, Tz::UTC);
        assert_eq!(o.service_level_threshold_s, 20.0);
        let o: AnalyticsOptions = serde_json::from_str(
            r#"{"timeZone":"America/New_York","granularity":900,"from":"2024-03-10T00:00:00Z","shortAbandonS":5}"#,
        )
        .unwrap();
        assert_eq!(o.time_zone, chrono_tz::America::New_York);
        assert_eq!(o.granularity, Granularity::Seconds(900));
        assert_eq!(o.short_abandon_s, Some(5.0));
        let back: AnalyticsOptions =
            serde_json::from_value(serde_json::to_value(&o).unwrap()).unwrap();
        assert_eq!(back, o);
        assert!(
            serde_json::from_str::<AnalyticsOptions>(r#"{"timeZone":"Mars/Olympus"}"#).is_err()
        );
        assert!(
            AnalyticsOptions::default()
                .with_time_zone("Nowhere/None")
                .is_err()
        );
    }

    #[test]
    fn validate_rejects_bad_numbers() {
        let mut o = AnalyticsOptions {
            service_level_threshold_s: -1.0,
            ..Default::default()
        };
        assert!(o.validate().is_err());
        o.service_level_threshold_s = 20.0;
        assert!(o.validate().is_ok());
        o.granularity = Granularity::Seconds(0);
        assert!(o.validate().is_err());
    }

    #[test]
    fn range_is_half_open() {
        use crate::{Direction, Outcome};
        let o = AnalyticsOptions {
            from: Some(testing::at("2024-01-01T00:00:00Z")),
            to: Some(testing::at("2024-01-02T00:00:00Z")),
            ..Default::default()
        };
        let c = |s| testing::call("a", Direction::Inbound, Outcome::Answered, s);
        assert!(o.selects(&c("2024-01-01T00:00:00Z")));
        assert!(o.selects(&c("2024-01-01T23:59:59Z")));
        assert!(!o.selects(&c("2024-01-02T00:00:00Z")));
        assert!(!o.selects(&c("2023-12-31T23:59:59Z")));
    }

    #[test]
    fn mixed_tenants_need_a_filter_or_an_explicit_allow() {
        use crate::{Direction, Outcome};
        let c = |id: &str, tenant: Option<&str>| {
            let mut r = testing::call(
                id,
                Direction::Inbound,
                Outcome::Answered,
                "2024-01-01T00:00:00Z",
            );
            r.tenant = tenant.map(String::from);
            r
        };
        let o = AnalyticsOptions::default();
        // one tenant, or only tenant-less records: fine
        assert!(
            o.check_tenants(&[c("a", Some("T1")), c("b", Some("T1"))])
                .is_ok()
        );
        assert!(o.check_tenants(&[c("a", None), c("b", None)]).is_ok());
        assert!(o.check_tenants(&[]).is_ok());
        // two tenants plus the no-tenant group: an error naming all three, in order
        let mixed = [
            c("a", Some("T2")),
            c("b", Some("T1")),
            c("c", None),
            c("d", Some("T1")),
        ];
        let err = o.check_tenants(&mixed).unwrap_err();
        assert_eq!(err.code(), "InvalidOption");
        let msg = err.to_string();
        assert!(msg.contains("3 tenants"), "{msg}");
        assert!(msg.contains(r#"(no tenant), "T1", "T2""#), "{msg}");
        assert!(Report::compute(&mixed, &o).is_err());
        // a tenant filter or the explicit switch lifts it
        let mut f = o.clone();
        f.filter.tenant = Some("T1".into());
        assert!(f.check_tenants(&mixed).is_ok());
        assert_eq!(
            Report::compute(&mixed, &f)
                .unwrap()
                .summary
                .unwrap()
                .total_calls,
            2
        );
        let allow = AnalyticsOptions {
            allow_mixed_tenants: true,
            ..Default::default()
        };
        assert_eq!(
            Report::compute(&mixed, &allow)
                .unwrap()
                .summary
                .unwrap()
                .total_calls,
            4
        );
        // records outside [from, to) do not count
        let ranged = AnalyticsOptions {
            from: Some(testing::at("2025-01-01T00:00:00Z")),
            ..Default::default()
        };
        assert!(ranged.check_tenants(&mixed).is_ok());
        // from JSON, camelCase
        let j: AnalyticsOptions = serde_json::from_str(r#"{"allowMixedTenants":true}"#).unwrap();
        assert!(j.allow_mixed_tenants);
        // many tenants: the list is capped
        let many: Vec<CallRecord> = (0..15)
            .map(|i| c(&i.to_string(), Some(&format!("t{i:02}"))))
            .collect();
        let msg = o.check_tenants(&many).unwrap_err().to_string();
        assert!(
            msg.contains("15 tenants") && msg.contains("... 5 more") && !msg.contains("t14"),
            "{msg}"
        );
    }

    #[test]
    fn helpers() {
        assert_eq!(percentage(1, 3), 33.33);
        assert_eq!(percentage(0, 0), 0.0);
        assert_eq!(rate(0, 0), None);
        assert_eq!(rate(1, 4), Some(0.25));
        assert_eq!(micros(Some(1.5)), Some(1_500_000));
        assert_eq!(micros(Some(-1.0)), None);
        assert_eq!(micros(Some(f64::NAN)), None);
        // halves round up, as `f64::round` does for them; just below a half rounds down
        assert_eq!(micros(Some(0.000_000_5)), Some(1));
        assert_eq!(round_non_negative(0.5), 1);
        assert_eq!(round_non_negative(2.5), 3);
        assert_eq!(round_non_negative(0.499_999_999_999_999_94), 0);
        assert_eq!(
            round_non_negative(4_503_599_627_370_495.5),
            4_503_599_627_370_496
        );
        assert_eq!(round_non_negative(1e300), i64::MAX);
        let mut rows = vec![(2, Some("b")), (3, None), (2, None), (2, Some("a"))];
        sort_rows(&mut rows, |r| r.0, |r| r.1);
        assert_eq!(
            rows,
            vec![(3, None), (2, Some("a")), (2, Some("b")), (2, None)]
        );
    }
}

#[cfg(test)]
mod day_key_tests {
    use super::LocalTime;
    use chrono::{DateTime, Datelike, NaiveDate, Timelike};
    use chrono_tz::Tz;

    #[test]
    fn local_time_in_utc_is_what_chrono_tz_gives() {
        // instants around day, year and leap-day edges, before 1970 and far ahead
        let instants = [
            -62_135_596_800,
            -1,
            0,
            86_399,
            86_400,
            951_782_399,
            951_782_400,
            1_709_164_800,
            1_772_323_199,
            253_402_300_799,
        ];
        for secs in instants {
            let t = DateTime::from_timestamp(secs, 999_999_999).unwrap_or_default();
            for tz in [Tz::UTC, Tz::Etc__UTC] {
                let expected = t.with_timezone(&tz);
                let local = LocalTime::of(t, tz);
                assert_eq!(local.date, expected.date_naive(), "{secs}");
                assert_eq!(local.hour, expected.hour(), "{secs}");
                let weekday = expected.weekday().num_days_from_monday() as usize;
                assert_eq!(local.weekday, weekday, "{secs}");
            }
        }
        // 2024-03-01T00:30:00Z is still 29 February in New York (UTC-5), a Thursday, 19:00
        let t = DateTime::from_timestamp(1_709_253_000, 0).unwrap_or_default();
        let local = LocalTime::of(t, Tz::America__New_York);
        assert_eq!(
            local.date,
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap_or_default()
        );
        assert_eq!((local.hour, local.weekday), (19, 3));
    }

    #[test]
    fn day_key_equals_chrono_format_for_every_year_shape() {
        let years = [
            -10_000, -1, 0, 1, 9, 99, 999, 1970, 2026, 9999, 10_000, 262_000,
        ];
        for year in years {
            for (month, day) in [(1, 1), (2, 28), (9, 9), (10, 31), (12, 31)] {
                let date = NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default();
                let local = LocalTime {
                    date,
                    hour: 0,
                    weekday: 0,
                };
                assert_eq!(local.day_key(), date.format("%Y-%m-%d").to_string());
                // how a date serializes (the summary partial's day keys) is the same text
                assert_eq!(
                    serde_json::to_string(&date).unwrap_or_default(),
                    format!("\"{}\"", local.day_key())
                );
                let mut buf = [0u8; 10];
                let fast = super::date_key_in(date, &mut buf).map(str::to_owned);
                assert_eq!(fast.is_some(), (0..=9999).contains(&year));
                if let Some(fast) = fast {
                    assert_eq!(fast, date.format("%Y-%m-%d").to_string());
                }
            }
        }
    }
}
