//! Breakdowns of SPEC 4.3: one row per agent, assistant, queue, provider, business number,
//! local day or local hour, with counts, share, answered / missed, durations and AHT.

use super::{
    AnalyticsOptions, LocalTime, Partial, build, handle_micros, mean_seconds, micros, percentage,
    seconds, sort_rows,
};
use crate::{CallRecord, Outcome};
use chrono_tz::Tz;
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use std::borrow::Cow;

/// What a breakdown groups by. In JSON a row carries its key under this name (`agent`,
/// `assistant`, `queue`, `provider`, `businessNumber`, `day`, `hour`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Dimension {
    /// The agent: lower-cased email, else name, else id.
    Agent,
    /// The voice-AI assistant.
    Assistant,
    /// Queue / department.
    Queue,
    /// Provider word.
    Provider,
    /// The business line.
    BusinessNumber,
    /// Local calendar day `YYYY-MM-DD` of the start.
    Day,
    /// Local hour `"0"`-`"23"` of the start.
    Hour,
}

impl Dimension {
    /// Every dimension, in SPEC 4.3 order.
    pub const ALL: &'static [Dimension] = &[
        Dimension::Agent,
        Dimension::Assistant,
        Dimension::Queue,
        Dimension::Provider,
        Dimension::BusinessNumber,
        Dimension::Day,
        Dimension::Hour,
    ];

    /// The JSON name of the key field.
    pub const fn as_str(self) -> &'static str {
        match self {
            Dimension::Agent => "agent",
            Dimension::Assistant => "assistant",
            Dimension::Queue => "queue",
            Dimension::Provider => "provider",
            Dimension::BusinessNumber => "businessNumber",
            Dimension::Day => "day",
            Dimension::Hour => "hour",
        }
    }

    /// [`Dimension::key`], borrowed from the record where it can be (the texts of agent,
    /// assistant, queue and business number, unless an e-mail has upper-case letters).
    fn key_ref(self, r: &CallRecord, tz: Tz) -> Option<Cow<'_, str>> {
        fn text(s: Option<&str>) -> Option<&str> {
            s.map(str::trim).filter(|s| !s.is_empty())
        }
        match self {
            Dimension::Agent => r.agent.as_ref().and_then(|a| {
                text(a.email.as_deref())
                    .map(|e| {
                        // ASCII without upper-case letters is its own lower case
                        if e.is_ascii() && !e.bytes().any(|b| b.is_ascii_uppercase()) {
                            Cow::Borrowed(e)
                        } else {
                            Cow::Owned(e.to_lowercase())
                        }
                    })
                    .or_else(|| text(a.name.as_deref()).map(Cow::Borrowed))
                    .or_else(|| text(a.id.as_deref()).map(Cow::Borrowed))
            }),
            Dimension::Assistant => text(r.assistant.as_deref()).map(Cow::Borrowed),
            Dimension::Queue => text(r.queue.as_deref()).map(Cow::Borrowed),
            Dimension::Provider => Some(Cow::Borrowed(r.provider.as_str())),
            Dimension::BusinessNumber => text(r.business_number.as_deref()).map(Cow::Borrowed),
            Dimension::Day | Dimension::Hour => self.key(r, tz).map(Cow::Owned),
        }
    }

    /// The key of a record; `None` forms the null-key row.
    pub fn key(self, r: &CallRecord, tz: Tz) -> Option<String> {
        let text = |s: Option<&str>| {
            s.map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        match self {
            Dimension::Agent => r.agent.as_ref().and_then(|a| {
                text(a.email.as_deref())
                    .map(|e| e.to_lowercase())
                    .or_else(|| text(a.name.as_deref()))
                    .or_else(|| text(a.id.as_deref()))
            }),
            Dimension::Assistant => text(r.assistant.as_deref()),
            Dimension::Queue => text(r.queue.as_deref()),
            Dimension::Provider => Some(r.provider.as_str().to_owned()),
            Dimension::BusinessNumber => text(r.business_number.as_deref()),
            Dimension::Day => Some(LocalTime::of(r.started_at, tz).day_key()),
            Dimension::Hour => Some(LocalTime::of(r.started_at, tz).hour.to_string()),
        }
    }
}

impl std::str::FromStr for Dimension {
    type Err = crate::Error;

    /// The JSON name (`agent`, `businessNumber`, ...; `business_number` also works).
    fn from_str(s: &str) -> crate::Result<Self> {
        let wanted = s.trim().replace('_', "").to_ascii_lowercase();
        Dimension::ALL
            .iter()
            .find(|d| d.as_str().to_ascii_lowercase() == wanted)
            .copied()
            .ok_or_else(|| crate::Error::InvalidOption {
                option: "dimension".into(),
                reason: format!("unknown breakdown dimension {s:?}"),
            })
    }
}

/// One breakdown row. Serializes as `{<dimension>: key, count, percentage, answered, missed,
/// totalDuration, averageDuration, aht}`.
#[derive(Debug, Clone, PartialEq)]
pub struct BreakdownRow {
    /// What the key means (names the key field in JSON).
    pub dimension: Dimension,
    /// The group; `None` for calls without a value.
    pub key: Option<String>,
    /// Calls in the group.
    pub count: u64,
    /// Share of all selected calls, 0-100, two decimals.
    pub percentage: f64,
    /// Answered calls.
    pub answered: u64,
    /// Calls with an outcome in the missed set.
    pub missed: u64,
    /// Sum of `duration_s`.
    pub total_duration: f64,
    /// totalDuration / calls with a duration.
    pub average_duration: Option<f64>,
    /// Mean talk + wrap-up of its answered calls (both directions).
    pub aht: Option<f64>,
}

impl Serialize for BreakdownRow {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(8))?;
        m.serialize_entry(self.dimension.as_str(), &self.key)?;
        m.serialize_entry("count", &self.count)?;
        m.serialize_entry("percentage", &self.percentage)?;
        m.serialize_entry("answered", &self.answered)?;
        m.serialize_entry("missed", &self.missed)?;
        m.serialize_entry("totalDuration", &self.total_duration)?;
        m.serialize_entry("averageDuration", &self.average_duration)?;
        m.serialize_entry("aht", &self.aht)?;
        m.end()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RowState {
    count: u64,
    answered: u64,
    missed: u64,
    duration_sum_us: i128,
    duration_count: u64,
    handle_sum_us: i128,
    handle_count: u64,
}

impl RowState {
    fn merge(&mut self, o: RowState) {
        self.count += o.count;
        self.answered += o.answered;
        self.missed += o.missed;
        self.duration_sum_us += o.duration_sum_us;
        self.duration_count += o.duration_count;
        self.handle_sum_us += o.handle_sum_us;
        self.handle_count += o.handle_count;
    }
}

/// Mergeable state of one breakdown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BreakdownPartial {
    dimension: Dimension,
    #[serde(with = "super::tz_name")]
    time_zone: Tz,
    #[serde(with = "rows_as_pairs")]
    rows: Rows,
}

/// The rows of a breakdown: the null-key row apart, so that a named key is looked up by
/// `&str` and counting a known key allocates nothing. Named rows are hashed (a call's row is
/// found without comparing its key with others in a tree: 100k JustCall calls, 1.8% of a
/// report's instructions went to the by-agent breakdown's lookups); every use that shows
/// their order sorts them by key first.
#[derive(Debug, Clone, Default, PartialEq)]
struct Rows {
    null: Option<RowState>,
    named: hashbrown::HashMap<String, RowState>,
}

impl Rows {
    /// Apply `f` to the row of `key` (made empty when new).
    fn with_row(&mut self, key: Option<&str>, f: impl FnOnce(&mut RowState)) {
        match key {
            None => f(self.null.get_or_insert_with(RowState::default)),
            Some(k) => match self.named.get_mut(k) {
                Some(row) => f(row),
                None => f(self.named.entry(k.to_owned()).or_default()),
            },
        }
    }

    /// Every row in key order, the null key first (the order of a map keyed by
    /// `Option<String>`).
    fn into_iter(self) -> impl Iterator<Item = (Option<String>, RowState)> {
        let mut named: Vec<(String, RowState)> = self.named.into_iter().collect();
        named.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        self.null
            .map(|s| (None, s))
            .into_iter()
            .chain(named.into_iter().map(|(k, s)| (Some(k), s)))
    }

    /// [`Rows::into_iter`], borrowed.
    fn iter(&self) -> impl Iterator<Item = (Option<&str>, &RowState)> {
        let mut named: Vec<(&String, &RowState)> = self.named.iter().collect();
        named.sort_unstable_by(|a, b| a.0.cmp(b.0));
        self.null
            .iter()
            .map(|s| (None, s))
            .chain(named.into_iter().map(|(k, s)| (Some(k.as_str()), s)))
    }
}

/// [`Rows`] as the `[key, row]` pairs of a map keyed by `Option<String>`.
mod rows_as_pairs {
    use super::{RowState, Rows};
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(rows: &Rows, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(rows.iter())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Rows, D::Error> {
        let mut rows = Rows::default();
        for (key, state) in Vec::<(Option<String>, RowState)>::deserialize(d)? {
            match key {
                None => rows.null = Some(state),
                Some(k) => {
                    rows.named.insert(k, state);
                }
            }
        }
        Ok(rows)
    }
}

impl BreakdownPartial {
    /// An empty partial grouping by `dimension` (days and hours in the options' zone).
    pub fn new(options: &AnalyticsOptions, dimension: Dimension) -> Self {
        BreakdownPartial {
            dimension,
            time_zone: options.time_zone,
            rows: Rows::default(),
        }
    }

    /// The rows, sorted by count descending, ties by key in code-point order (null last).
    pub fn finish(self) -> Vec<BreakdownRow> {
        let total: u64 = self
            .rows
            .null
            .iter()
            .chain(self.rows.named.values())
            .map(|r| r.count)
            .sum();
        let mut rows: Vec<BreakdownRow> = self
            .rows
            .into_iter()
            .map(|(key, s)| BreakdownRow {
                dimension: self.dimension,
                key,
                count: s.count,
                percentage: percentage(s.count, total),
                answered: s.answered,
                missed: s.missed,
                total_duration: seconds(s.duration_sum_us),
                average_duration: mean_seconds(s.duration_sum_us, s.duration_count),
                aht: mean_seconds(s.handle_sum_us, s.handle_count),
            })
            .collect();
        sort_rows(&mut rows, |r| r.count, |r| r.key.as_deref());
        rows
    }
}

impl Partial for BreakdownPartial {
    fn add(&mut self, r: &CallRecord) {
        let key = self.dimension.key_ref(r, self.time_zone);
        self.rows.with_row(key.as_deref(), |row| {
            row.count += 1;
            if r.outcome == Outcome::Answered {
                row.answered += 1;
                if let Some(h) = handle_micros(r) {
                    row.handle_sum_us += h;
                    row.handle_count += 1;
                }
            }
            if r.outcome.is_missed_set() {
                row.missed += 1;
            }
            if let Some(d) = micros(r.duration_s) {
                row.duration_sum_us += d;
                row.duration_count += 1;
            }
        });
    }

    fn merge(mut self, other: Self) -> Self {
        for (key, state) in other.rows.into_iter() {
            self.rows.with_row(key.as_deref(), |row| row.merge(state));
        }
        self
    }
}

/// The SPEC 4.3 breakdown of the selected records by `dimension`.
pub fn breakdown(
    records: &[CallRecord],
    options: &AnalyticsOptions,
    dimension: Dimension,
) -> Vec<BreakdownRow> {
    build(records, options, || {
        BreakdownPartial::new(options, dimension)
    })
    .finish()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use crate::analytics::testing::{call, finished};
    use crate::{Agent, Direction};
    use proptest::prelude::*;

    fn agent(email: Option<&str>, name: Option<&str>, id: Option<&str>) -> Option<Agent> {
        Some(Agent {
            id: id.map(Into::into),
            email: email.map(Into::into),
            name: name.map(Into::into),
        })
    }

    #[test]
    fn by_agent_with_null_row_and_sort_rule() {
        use Direction::*;
        use Outcome::*;
        let mut a1 = finished("1", Inbound, Answered, "2024-01-01T09:00:00Z", 100.0);
        a1.talk_s = Some(80.0);
        a1.wrap_up_s = Some(10.0);
        a1.agent = agent(Some("ann@x.co"), Some("Ann"), Some("7"));
        let mut a2 = finished("2", Outbound, Answered, "2024-01-01T10:00:00Z", 50.0);
        a2.talk_s = Some(30.0);
        a2.agent = agent(Some("Ann@X.co"), None, None); // keyed lower-cased
        let mut a3 = finished("3", Inbound, Missed, "2024-01-01T11:00:00Z", 20.0);
        a3.agent = agent(Some("ann@x.co"), None, None);
        let mut b = call("4", Inbound, Answered, "2024-01-01T12:00:00Z");
        b.agent = agent(None, Some("Bob"), Some("9"));
        let mut c = call("5", Inbound, Busy, "2024-01-01T12:00:00Z");
        c.agent = agent(None, None, Some("12"));
        let d = call("6", Inbound, Missed, "2024-01-01T12:00:00Z");
        let rows = breakdown(
            &[a1, a2, a3, b, c, d],
            &AnalyticsOptions::default(),
            Dimension::Agent,
        );
        let keys: Vec<Option<&str>> = rows.iter().map(|r| r.key.as_deref()).collect();
        // ann: 3 calls; then three rows of 1, in code-point order "12" < "Bob", null last
        assert_eq!(keys, vec![Some("ann@x.co"), Some("12"), Some("Bob"), None]);
        let ann = &rows[0];
        assert_eq!(ann.count, 3);
        assert_eq!(ann.percentage, 50.0); // 3 / 6
        assert_eq!(ann.answered, 2);
        assert_eq!(ann.missed, 1);
        assert_eq!(ann.total_duration, 170.0); // 100 + 50 + 20
        assert_eq!(ann.average_duration, Some(170.0 / 3.0));
        // aht over answered of both directions: ((80 + 10) + 30) / 2 = 60
        assert_eq!(ann.aht, Some(60.0));
        assert_eq!(rows[1].percentage, 16.67); // 1 / 6
        assert_eq!(rows[2].aht, None); // Bob's answered call has no talk time
        assert_eq!(rows[2].average_duration, None);
        let json = serde_json::to_value(&rows).unwrap();
        assert_eq!(json[0]["agent"], "ann@x.co");
        assert!(json[3]["agent"].is_null());
        assert_eq!(json[0]["totalDuration"], 170.0);
        let sum: f64 = rows.iter().map(|r| r.percentage).sum();
        assert!((sum - 100.0).abs() < 0.05);
    }

    #[test]
    fn other_dimensions() {
        use Direction::*;
        use Outcome::*;
        let mut a = call("1", Inbound, Answered, "2024-01-01T22:30:00Z");
        a.queue = Some("sales".into());
        a.assistant = Some("Riley".into());
        a.business_number = Some("+15550001".into());
        let mut b = call("2", Inbound, Answered, "2024-01-01T23:30:00Z");
        b.queue = Some("support".into());
        b.provider = crate::Provider::Vapi;
        let o = AnalyticsOptions::default();
        let keys = |d| {
            breakdown(&[a.clone(), b.clone()], &o, d)
                .into_iter()
                .map(|r| (r.key, r.count))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            keys(Dimension::Queue),
            vec![(Some("sales".into()), 1), (Some("support".into()), 1)]
        );
        assert_eq!(
            keys(Dimension::Assistant),
            vec![(Some("Riley".into()), 1), (None, 1)]
        );
        assert_eq!(
            keys(Dimension::BusinessNumber),
            vec![(Some("+15550001".into()), 1), (None, 1)]
        );
        assert_eq!(
            keys(Dimension::Provider),
            vec![(Some("generic".into()), 1), (Some("vapi".into()), 1)]
        );
        assert_eq!(keys(Dimension::Day), vec![(Some("2024-01-01".into()), 2)]);
        assert_eq!(
            keys(Dimension::Hour),
            vec![(Some("22".into()), 1), (Some("23".into()), 1)]
        );
        // In Asia/Tokyo (UTC+9) both fall on Jan 2, at 07:30 and 08:30.
        let tokyo = AnalyticsOptions::default()
            .with_time_zone("Asia/Tokyo")
            .unwrap();
        let rows = breakdown(&[a, b], &tokyo, Dimension::Day);
        assert_eq!(rows[0].key.as_deref(), Some("2024-01-02"));
        assert_eq!(serde_json::to_value(&rows).unwrap()[0]["day"], "2024-01-02");
        assert!(breakdown(&[], &o, Dimension::Agent).is_empty());
        for d in Dimension::ALL {
            assert_eq!(d.as_str().parse::<Dimension>().unwrap(), *d);
        }
        assert_eq!(
            "business_number".parse::<Dimension>().unwrap(),
            Dimension::BusinessNumber
        );
        assert!("weekday".parse::<Dimension>().is_err());
    }

    /// A partial's rows serialize in key order, the null key first, whatever order they
    /// were counted in (the rows are hashed; their order shows only here and in `finish`).
    #[test]
    fn a_partial_serializes_its_rows_in_key_order() {
        let o = AnalyticsOptions::default();
        let mut p = BreakdownPartial::new(&o, Dimension::Queue);
        for (i, q) in ["q9", "q10", "", "a", "q1", "Z", "q10"].iter().enumerate() {
            let mut r = call(
                &i.to_string(),
                Direction::Inbound,
                Outcome::Answered,
                "2024-01-01T00:00:00Z",
            );
            r.queue = (!q.is_empty()).then(|| (*q).to_string());
            p.add(&r);
        }
        let json = serde_json::to_value(&p).unwrap();
        let keys: Vec<serde_json::Value> = json["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|pair| pair[0].clone())
            .collect();
        assert_eq!(
            keys,
            [
                serde_json::Value::Null,
                "Z".into(),
                "a".into(),
                "q1".into(),
                "q10".into(),
                "q9".into()
            ]
        );
        assert_eq!(json["rows"][4][1]["count"], 2);
    }

    proptest! {
        #[test]
        fn merge_over_any_split_equals_the_whole(spec in proptest::collection::vec((0usize..9, 0u8..4, proptest::option::of(0u32..500)), 0..40), cut in 0usize..40) {
            let records: Vec<CallRecord> = spec.iter().enumerate().map(|(i, (o, q, d))| {
                let mut r = call(&i.to_string(), Direction::Inbound, Outcome::ALL[*o], "2024-01-01T00:00:00Z");
                r.queue = (*q > 0).then(|| format!("q{q}"));
                r.duration_s = d.map(f64::from);
                r.talk_s = d.map(|x| f64::from(x) / 2.0);
                r
            }).collect();
            let o = AnalyticsOptions::default();
            let whole = breakdown(&records, &o, Dimension::Queue);
            let cut = cut.min(records.len());
            let part = |rs: &[CallRecord]| { let mut p = BreakdownPartial::new(&o, Dimension::Queue); rs.iter().for_each(|r| p.add(r)); p };
            prop_assert_eq!(part(&records[cut..]).merge(part(&records[..cut])).finish(), whole.clone());
            let back: BreakdownPartial = serde_json::from_str(&serde_json::to_string(&part(&records)).unwrap()).unwrap();
            prop_assert_eq!(back.finish(), whole);
        }
    }
}
