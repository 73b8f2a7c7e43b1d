//! Compatible views (SPEC 5): for each analytics API of the seed systems, one function that
//! returns that API's JSON shape, so a backend can serve the library's output as is.
//!
//! | API | function |
//! | --- | --- |
//! | JustCall `GET /api/justcall/metrics` | [`justcall::metrics`] |
//! | JustCall `GET /api/justcall/calls` | [`justcall::calls`] |
//! | call management `GET /api/calls/stats` | [`callapi::stats`] |
//! | call management `GET /api/calls` | [`callapi::list`] |
//! | voice AI `dashboard-summary` | [`voiceai::dashboard_summary`] |
//! | voice AI `agent-distribution` | [`voiceai::agent_distribution`] |
//! | voice AI `call-ended-reasons` | [`voiceai::call_ended_reasons`] |
//! | voice AI `keywords` | [`voiceai::keywords`] |
//! | voice AI `intent-analysis` | [`voiceai::intent_analysis`] |
//! | voice AI `concurrent-calls` | [`voiceai::concurrent_calls`] |
//! | voice AI `concurrent-calls/timeseries` | [`voiceai::concurrent_timeseries`] |
//! | voice AI `active-calls` | [`voiceai::active_calls`] |
//! | voice AI `call.ended` outbound webhook | [`voiceai::call_ended_event`] |
//! | MightyCall reports | [`mightycall::calls_by_date`], [`mightycall::average_duration`], [`mightycall::missed_call_rate`], [`mightycall::agent_distribution`] |
//! | MightyCall voicemail list | [`mightycall::voicemails`] |
//! | call center | [`callcenter::active_calls`], [`callcenter::queue`], [`callcenter::department_status`], [`callcenter::agent_status`] |
//!
//! ## Verified and designed shapes
//!
//! The field names that SPEC 5 lists are used exactly: the JustCall metrics object, the
//! call-management stats object, the pagination object, `concurrent-calls` `{current, peak}`
//! and the `[{timestamp, count}]` time series. The seed documents themselves were not
//! available when these views were written, so every other shape (the row fields of the call
//! lists, the dashboard summary, the MightyCall reports, the call-center objects, the
//! `call.ended` event) is **designed, not verified**: each module doc spells its shape out, and a
//! unit test pins every field name and the nesting, so a correction is a one-place change.
//!
//! ## Conventions shared by every view
//!
//! - The views compute over the records they are given: filter first (tenant, time range,
//!   agent, ...), then call the view.
//! - Instants are RFC 3339 UTC strings (`2024-01-01T10:00:00Z`); calendar days are local to
//!   [`ViewOptions::tz`] (`YYYY-MM-DD`).
//! - Durations are seconds; averages are rounded to two decimals and are `0` over an empty
//!   set (what a dashboard API returns for an empty day), while rates (0-1 fractions) are
//!   `null` over an empty set; percentages are 0-100 with two decimals.
//! - `missedCalls` is the SPEC 4.1 set: outcome missed, unanswered, busy or canceled.
//! - Count maps (`callsByDay`, `callsByStatus`, ...) list only keys that occur, in code-point
//!   order.
//! - Ranked rows are sorted by count descending, ties by key in code-point order, and a row
//!   whose key is unknown has the key `null`.

use crate::model::{CallRecord, Outcome};
use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

pub mod callapi;
pub mod callcenter;
pub mod justcall;
pub mod mightycall;
pub mod voiceai;

/// Settings shared by the views.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ViewOptions {
    /// Zone of calendar days (`callsByDay`, MightyCall dates, JustCall `call_date`).
    pub tz: Tz,
    /// The "now" of active-call views; default: the latest instant seen in the records.
    pub as_of: Option<DateTime<Utc>>,
}

impl Default for ViewOptions {
    fn default() -> Self {
        ViewOptions {
            tz: Tz::UTC,
            as_of: None,
        }
    }
}

impl ViewOptions {
    /// The instant active calls are measured at: `as_of`, else the latest instant of the records
    /// (start, answer or end), else the Unix epoch for an empty set.
    pub fn now(&self, records: &[CallRecord]) -> DateTime<Utc> {
        self.as_of.unwrap_or_else(|| {
            records
                .iter()
                .flat_map(|r| [Some(r.started_at), r.answered_at, r.ended_at])
                .flatten()
                .max()
                .unwrap_or(DateTime::UNIX_EPOCH)
        })
    }
}

/// RFC 3339 UTC text with a `Z` suffix and only the sub-second digits that are non-zero.
pub(crate) fn instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// Local calendar day `YYYY-MM-DD`.
pub(crate) fn local_day(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d").to_string()
}

/// Two decimals.
pub(crate) fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// `part / whole` as a 0-100 percentage with two decimals; 0 when `whole` is 0.
pub(crate) fn percentage(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        round2(part as f64 * 100.0 / whole as f64)
    }
}

/// `part / whole` as a 0-1 fraction; `None` (JSON null) over an empty set.
pub(crate) fn rate(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// A finite, non-negative number or `None`.
pub(crate) fn sound(x: Option<f64>) -> Option<f64> {
    x.filter(|v| v.is_finite() && *v >= 0.0)
}

/// Counts per key, as a JSON object in key order.
pub(crate) fn count_map<I>(keys: I) -> Map<String, Value>
where
    I: IntoIterator<Item = String>,
{
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for key in keys {
        *counts.entry(key).or_insert(0) += 1;
    }
    counts
        .into_iter()
        .map(|(k, n)| (k, Value::from(n)))
        .collect()
}

/// Ranked `(key, count)` rows: count descending, ties by key (null first), as SPEC 4.3.
pub(crate) fn ranked<I>(keys: I) -> Vec<(Option<String>, usize)>
where
    I: IntoIterator<Item = Option<String>>,
{
    let mut counts: BTreeMap<Option<String>, usize> = BTreeMap::new();
    for key in keys {
        *counts.entry(key).or_insert(0) += 1;
    }
    let mut rows: Vec<_> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    rows
}

/// The totals most views start from.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Totals {
    pub total: usize,
    pub inbound: usize,
    pub outbound: usize,
    pub answered: usize,
    pub missed: usize,
    pub voicemail: usize,
    pub failed: usize,
    pub active: usize,
    pub total_duration: f64,
    pub with_duration: usize,
}

impl Totals {
    pub(crate) fn of(records: &[CallRecord]) -> Totals {
        use crate::model::Direction;
        let mut t = Totals::default();
        for r in records {
            t.total += 1;
            match r.direction {
                Direction::Inbound => t.inbound += 1,
                Direction::Outbound => t.outbound += 1,
                Direction::Internal | Direction::Unknown => {}
            }
            match r.outcome {
                Outcome::Answered => t.answered += 1,
                Outcome::Voicemail => t.voicemail += 1,
                Outcome::Failed => t.failed += 1,
                Outcome::Active => t.active += 1,
                o if o.is_missed_set() => t.missed += 1,
                _ => {}
            }
            if let Some(d) = sound(r.duration_s) {
                t.total_duration += d;
                t.with_duration += 1;
            }
        }
        t
    }

    /// Mean duration over calls that have one, two decimals; 0 when none has.
    pub(crate) fn average_duration(&self) -> f64 {
        if self.with_duration == 0 {
            0.0
        } else {
            round2(self.total_duration / self.with_duration as f64)
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod fixtures {
    //! Hand-made records shared by the view tests.

    use crate::model::*;
    use chrono::{DateTime, Utc};

    pub fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    /// A finished call with the given direction and outcome; `start` in RFC 3339.
    pub fn call(
        id: &str,
        direction: Direction,
        outcome: Outcome,
        start: &str,
        duration: f64,
    ) -> CallRecord {
        let started_at = at(start);
        let answered = outcome == Outcome::Answered;
        CallRecord {
            id: format!("generic:{id}"),
            provider: Provider::Generic,
            provider_call_id: id.into(),
            tenant: None,
            direction,
            outcome,
            raw_status: Some(outcome.as_str().into()),
            started_at,
            answered_at: answered.then(|| started_at + chrono::Duration::seconds(5)),
            ended_at: Some(started_at + chrono::Duration::milliseconds((duration * 1000.0) as i64)),
            duration_s: Some(duration),
            talk_s: answered.then_some(duration - 5.0),
            wait_s: answered.then_some(5.0),
            wrap_up_s: None,
            agent: None,
            assistant: None,
            queue: None,
            customer_number: Some("+15551230000".into()),
            business_number: Some("+15559870000".into()),
            customer_name: None,
            ended_reason: None,
            disposition: None,
            notes: None,
            tags: vec![],
            transfers: vec![],
            summary: None,
            intent: None,
            transcript: vec![],
            recording_url: None,
            quality: None,
            cost: None,
            language: None,
            extra: Extra::new(),
        }
    }

    /// A call still in progress (no end, no duration).
    pub fn active(id: &str, start: &str, answered: Option<&str>) -> CallRecord {
        let mut r = call(id, Direction::Inbound, Outcome::Active, start, 0.0);
        r.ended_at = None;
        r.duration_s = None;
        r.answered_at = answered.map(at);
        r.raw_status = Some(
            if answered.is_some() {
                "in-progress"
            } else {
                "queued"
            }
            .into(),
        );
        r
    }

    /// Sorted keys of a JSON object.
    pub fn keys(v: &serde_json::Value) -> Vec<String> {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    }

    /// Sorted key list from literals.
    pub fn names(list: &[&str]) -> Vec<String> {
        let mut k: Vec<String> = list.iter().map(|s| s.to_string()).collect();
        k.sort();
        k
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::fixtures::*;
    use super::*;
    use crate::model::{Direction, Outcome};

    #[test]
    fn totals_follow_the_spec_sets() {
        let rs = vec![
            call(
                "1",
                Direction::Inbound,
                Outcome::Answered,
                "2024-01-01T10:00:00Z",
                60.0,
            ),
            call(
                "2",
                Direction::Inbound,
                Outcome::Missed,
                "2024-01-01T11:00:00Z",
                20.0,
            ),
            call(
                "3",
                Direction::Outbound,
                Outcome::Busy,
                "2024-01-01T12:00:00Z",
                3.0,
            ),
            call(
                "4",
                Direction::Outbound,
                Outcome::Voicemail,
                "2024-01-01T13:00:00Z",
                30.0,
            ),
            active("5", "2024-01-01T14:00:00Z", None),
        ];
        let t = Totals::of(&rs);
        assert_eq!((t.total, t.inbound, t.outbound), (5, 3, 2));
        // missed set: Missed + Busy = 2
        assert_eq!((t.answered, t.missed, t.voicemail, t.active), (1, 2, 1, 1));
        // (60 + 20 + 3 + 30) / 4 = 28.25
        assert_eq!(t.average_duration(), 28.25);
        assert_eq!(ViewOptions::default().now(&rs), at("2024-01-01T14:00:00Z"));
    }

    #[test]
    fn ranked_rows_sort_by_count_then_key() {
        let rows = ranked(
            ["b", "a", "b", "c", "a"]
                .map(|s| Some(s.to_string()))
                .into_iter()
                .chain([None]),
        );
        let keys: Vec<_> = rows.iter().map(|r| (r.0.as_deref(), r.1)).collect();
        assert_eq!(
            keys,
            vec![(Some("a"), 2), (Some("b"), 2), (None, 1), (Some("c"), 1)]
        );
    }

    #[test]
    fn percentages_and_rates() {
        // 1/3 = 33.333.. -> 33.33 ; rate over nothing is None
        assert_eq!(percentage(1, 3), 33.33);
        assert_eq!(percentage(1, 0), 0.0);
        assert_eq!(rate(1, 4), Some(0.25));
        assert_eq!(rate(0, 0), None);
        assert_eq!(instant(at("2024-01-01T10:00:00Z")), "2024-01-01T10:00:00Z");
        assert_eq!(
            local_day(at("2024-01-02T03:00:00Z"), chrono_tz::America::New_York),
            "2024-01-01"
        );
    }
}
