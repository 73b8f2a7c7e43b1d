//! Ended reasons of SPEC 4.4: rows by category and by raw reason, over the calls that have an
//! ended reason (a reason is never invented from the outcome).

use super::{AnalyticsOptions, Partial, build, percentage, sort_rows};
use crate::{CallRecord, EndedReasonCategory};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A row by category: `{category, count, percentage}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryRow {
    /// The category.
    pub category: EndedReasonCategory,
    /// Calls with this category.
    pub count: u64,
    /// Share of the calls that have an ended reason, 0-100, two decimals.
    pub percentage: f64,
}

/// A row by raw reason: `{endedReason, category, count, percentage}`. The same raw word under
/// two categories (two providers reading it differently) gives two rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawReasonRow {
    /// The provider's word.
    pub ended_reason: String,
    /// Its category.
    pub category: EndedReasonCategory,
    /// Calls with this reason.
    pub count: u64,
    /// Share of the calls that have an ended reason, 0-100, two decimals.
    pub percentage: f64,
}

/// Both groupings of SPEC 4.4.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndedReasons {
    /// Rows by category (SPEC 6 `endedReasons`).
    pub by_category: Vec<CategoryRow>,
    /// Rows by raw reason (SPEC 6 `endedReasonsRaw`).
    pub by_raw: Vec<RawReasonRow>,
}

/// Mergeable state of [`EndedReasons`]: counts per (raw reason, category).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EndedReasonPartial {
    /// Raw word -> category -> calls (serialized as `[[raw, category], calls]` pairs in that
    /// order); nested so that counting a known word allocates nothing.
    #[serde(with = "nested_pairs")]
    counts: BTreeMap<String, BTreeMap<EndedReasonCategory, u64>>,
}

/// `raw -> category -> n` as the list of `[[raw, category], n]` pairs sorted by (raw,
/// category): the form a map keyed by `(raw, category)` has.
mod nested_pairs {
    use super::EndedReasonCategory;
    use serde::{Deserialize, Deserializer, Serializer};
    use std::collections::BTreeMap;

    type Nested = BTreeMap<String, BTreeMap<EndedReasonCategory, u64>>;

    pub(super) fn serialize<S: Serializer>(map: &Nested, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(
            map.iter()
                .flat_map(|(raw, by)| by.iter().map(move |(c, n)| ((raw, c), n))),
        )
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Nested, D::Error> {
        let mut out = Nested::new();
        for ((raw, category), n) in Vec::<((String, EndedReasonCategory), u64)>::deserialize(d)? {
            out.entry(raw).or_default().insert(category, n);
        }
        Ok(out)
    }
}

impl EndedReasonPartial {
    /// An empty partial.
    pub fn new() -> Self {
        Self::default()
    }

    /// The rows, each list sorted by count descending, ties by key in code-point order (the
    /// category word; the raw reason, then its category word).
    pub fn finish(self) -> EndedReasons {
        let total: u64 = self.counts.values().flat_map(|by| by.values()).sum();
        let mut by_category: BTreeMap<EndedReasonCategory, u64> = BTreeMap::new();
        for (category, n) in self.counts.values().flat_map(|by| by.iter()) {
            *by_category.entry(*category).or_default() += n;
        }
        let mut by_category: Vec<CategoryRow> = by_category
            .into_iter()
            .map(|(category, count)| CategoryRow {
                category,
                count,
                percentage: percentage(count, total),
            })
            .collect();
        sort_rows(&mut by_category, |r| r.count, |r| Some(r.category.as_str()));
        let mut by_raw: Vec<RawReasonRow> = self
            .counts
            .into_iter()
            .flat_map(|(ended_reason, by)| {
                by.into_iter().map(move |(category, count)| RawReasonRow {
                    ended_reason: ended_reason.clone(),
                    category,
                    count,
                    percentage: percentage(count, total),
                })
            })
            .collect();
        // Stable sort: equal raw words keep the category order of the map.
        sort_rows(&mut by_raw, |r| r.count, |r| Some(r.ended_reason.as_str()));
        EndedReasons {
            by_category,
            by_raw,
        }
    }
}

impl Partial for EndedReasonPartial {
    fn add(&mut self, r: &CallRecord) {
        if let Some(reason) = &r.ended_reason {
            let by = match self.counts.get_mut(reason.raw.as_str()) {
                Some(by) => by,
                None => self.counts.entry(reason.raw.clone()).or_default(),
            };
            *by.entry(reason.category).or_default() += 1;
        }
    }

    fn merge(mut self, other: Self) -> Self {
        for (raw, by) in other.counts {
            let mine = self.counts.entry(raw).or_default();
            for (category, n) in by {
                *mine.entry(category).or_default() += n;
            }
        }
        self
    }
}

/// The SPEC 4.4 rows of the selected records.
pub fn ended_reasons(records: &[CallRecord], options: &AnalyticsOptions) -> EndedReasons {
    build(records, options, EndedReasonPartial::new).finish()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use crate::analytics::testing::call;
    use crate::{Direction, EndedReason, Outcome};
    use EndedReasonCategory::*;

    fn ended(id: &str, raw: &str, category: EndedReasonCategory) -> CallRecord {
        let mut r = call(
            id,
            Direction::Inbound,
            Outcome::Answered,
            "2024-01-01T00:00:00Z",
        );
        r.ended_reason = Some(EndedReason {
            category,
            raw: raw.into(),
        });
        r
    }

    #[test]
    fn rows_by_category_and_raw() {
        let records = vec![
            ended("1", "customer-ended-call", CustomerEnded),
            ended("2", "customer-ended-call", CustomerEnded),
            ended("3", "user_hangup", CustomerEnded),
            ended("4", "silence-timed-out", SilenceTimeout),
            ended("5", "assistant-ended-call", AgentEnded),
            ended("6", "assistant-ended-call", AgentEnded),
            ended("7", "pipeline-error-openai-llm-failed", Error),
            ended("8", "pipeline-error-openai-llm-failed", Error),
            // no ended reason: no row and not in the percentages
            call(
                "9",
                Direction::Inbound,
                Outcome::Missed,
                "2024-01-01T00:00:00Z",
            ),
        ];
        let e = ended_reasons(&records, &AnalyticsOptions::default());
        // 8 calls with a reason: customer-ended 3 (37.5 %), agent-ended 2, error 2 (25 %),
        // silence-timeout 1 (12.5 %); ties in code-point order "agent-ended" < "error".
        let cats: Vec<(EndedReasonCategory, u64, f64)> = e
            .by_category
            .iter()
            .map(|r| (r.category, r.count, r.percentage))
            .collect();
        assert_eq!(
            cats,
            vec![
                (CustomerEnded, 3, 37.5),
                (AgentEnded, 2, 25.0),
                (Error, 2, 25.0),
                (SilenceTimeout, 1, 12.5)
            ]
        );
        let raw: Vec<(&str, u64)> = e
            .by_raw
            .iter()
            .map(|r| (r.ended_reason.as_str(), r.count))
            .collect();
        assert_eq!(
            raw,
            vec![
                ("assistant-ended-call", 2),
                ("customer-ended-call", 2),
                ("pipeline-error-openai-llm-failed", 2),
                ("silence-timed-out", 1),
                ("user_hangup", 1),
            ]
        );
        let json = serde_json::to_value(&e.by_raw[0]).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"endedReason": "assistant-ended-call", "category": "agent-ended", "count": 2, "percentage": 25.0})
        );
        let json = serde_json::to_value(&e.by_category[0]).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"category": "customer-ended", "count": 3, "percentage": 37.5})
        );
    }

    #[test]
    fn time_range_and_empty() {
        let mut late = ended("1", "completed", Other);
        late.started_at = crate::analytics::testing::at("2024-02-01T00:00:00Z");
        let o = AnalyticsOptions {
            to: Some(crate::analytics::testing::at("2024-01-15T00:00:00Z")),
            ..Default::default()
        };
        let e = ended_reasons(&[ended("2", "busy", Busy), late], &o);
        assert_eq!(e.by_category.len(), 1);
        assert_eq!(e.by_category[0].percentage, 100.0);
        let e = ended_reasons(&[], &o);
        assert!(e.by_category.is_empty() && e.by_raw.is_empty());
    }

    #[test]
    fn merge_equals_whole() {
        let records: Vec<CallRecord> = (0..20)
            .map(|i| {
                ended(
                    &i.to_string(),
                    ["a", "b", "c"][i % 3],
                    EndedReasonCategory::ALL[i % 5],
                )
            })
            .collect();
        let part = |rs: &[CallRecord]| {
            let mut p = EndedReasonPartial::new();
            rs.iter().for_each(|r| p.add(r));
            p
        };
        let whole = part(&records).finish();
        for cut in 0..=records.len() {
            assert_eq!(
                part(&records[cut..]).merge(part(&records[..cut])).finish(),
                whole
            );
        }
        let back: EndedReasonPartial =
            serde_json::from_str(&serde_json::to_string(&part(&records)).unwrap()).unwrap();
        assert_eq!(back.finish(), whole);
    }
}
