//! The report of SPEC 6 (`callscope report --format json`): one pass over the records builds
//! the partial of every aggregate the options ask for at once.

use super::{
    AnalyticsOptions, BreakdownPartial, BreakdownRow, CategoryRow, Concurrency, ConcurrencyPartial,
    Dimension, EndedReasonPartial, KpiPartial, Kpis, Partial, RawReasonRow, Summary,
    SummaryPartial, build,
};
use crate::CallRecord;
use serde::{Deserialize, Serialize};

/// An analytics section of the report (SPEC 6), as [`AnalyticsOptions::sections`] names it:
/// the JSON key of the report it fills (`endedReasons` fills `endedReasons` and
/// `endedReasonsRaw`, which are one aggregate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Section {
    /// `summary` (SPEC 4.1).
    Summary,
    /// `kpis` (SPEC 4.2).
    Kpis,
    /// `agents` (SPEC 4.3).
    Agents,
    /// `endedReasons` and `endedReasonsRaw` (SPEC 4.4); `endedReasonsRaw` and
    /// `ended_reasons` (Python's spelling) name it too.
    #[serde(alias = "endedReasonsRaw", alias = "ended_reasons")]
    EndedReasons,
    /// `concurrency` (SPEC 4.5).
    Concurrency,
}

impl Section {
    /// Every section, in the report's key order.
    pub const ALL: [Section; 5] = [
        Section::Summary,
        Section::Kpis,
        Section::Agents,
        Section::EndedReasons,
        Section::Concurrency,
    ];

    /// The section's name: its JSON key.
    pub fn name(self) -> &'static str {
        match self {
            Section::Summary => "summary",
            Section::Kpis => "kpis",
            Section::Agents => "agents",
            Section::EndedReasons => "endedReasons",
            Section::Concurrency => "concurrency",
        }
    }
}

impl std::str::FromStr for Section {
    type Err = crate::Error;
    /// A section by its JSON key, or an alias (the names serde reads).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        use serde::de::value::{Error, StrDeserializer};
        Section::deserialize(StrDeserializer::<Error>::new(s)).map_err(|_| {
            crate::Error::InvalidOption {
                option: "sections".into(),
                reason: format!(
                    "expected summary, kpis, agents, endedReasons or concurrency, got {s:?}"
                ),
            }
        })
    }
}

/// The SPEC 6 report. Serializes to exactly the top-level keys `ingest`, `summary`, `kpis`,
/// `agents`, `endedReasons`, `endedReasonsRaw`, `concurrency`, `intents`, `keywords`.
///
/// [`Report::compute`] fills the analytics of section 4.1-4.5: each is `Some` when
/// [`AnalyticsOptions::sections`] asks for it (by default every one) and `None`, `null` in
/// JSON, when it does not. Three fields belong to other modules and are left for the caller to
/// set after computing:
/// - `ingest`: the ingest report object of SPEC 6 (`serde_json::Value::Null` until set; set it
///   with `serde_json::to_value(&ingest_report)`);
/// - `intents`: SPEC 4.6 intent rows (`{intent, count, percentage}`), empty until set;
/// - `keywords`: SPEC 4.6 keyword rows (top 50), empty until set.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The ingest report (set by the caller).
    pub ingest: serde_json::Value,
    /// SPEC 4.1.
    pub summary: Option<Summary>,
    /// SPEC 4.2.
    pub kpis: Option<Kpis>,
    /// SPEC 4.3 rows by agent.
    pub agents: Option<Vec<BreakdownRow>>,
    /// SPEC 4.4 rows by category.
    pub ended_reasons: Option<Vec<CategoryRow>>,
    /// SPEC 4.4 rows by raw reason.
    pub ended_reasons_raw: Option<Vec<RawReasonRow>>,
    /// SPEC 4.5.
    pub concurrency: Option<Concurrency>,
    /// SPEC 4.6 intent rows (set by the caller).
    pub intents: Vec<serde_json::Value>,
    /// SPEC 4.6 keyword rows (set by the caller).
    pub keywords: Vec<serde_json::Value>,
}

impl Report {
    /// Compute every analytic of the report over the records `options` selects (one pass, in
    /// parallel with the `parallel` feature). Errors on invalid options or a concurrency series
    /// longer than [`MAX_BUCKETS`](super::MAX_BUCKETS), and on records of several tenants
    /// without `filter.tenant` or `allowMixedTenants` ([`AnalyticsOptions::check_tenants`]).
    pub fn compute(records: &[CallRecord], options: &AnalyticsOptions) -> crate::Result<Report> {
        options.validate()?;
        options.check_tenants(records)?;
        build(records, options, || ReportPartial::new(options)).finish(options)
    }
}

/// Mergeable state of a whole [`Report`]: the partials of the aggregates in it, `None` for a
/// section the options leave out (its state is never kept).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportPartial {
    /// Summary state.
    pub summary: Option<SummaryPartial>,
    /// KPI state.
    pub kpis: Option<KpiPartial>,
    /// By-agent breakdown state.
    pub agents: Option<BreakdownPartial>,
    /// Ended-reason state.
    pub ended_reasons: Option<EndedReasonPartial>,
    /// Concurrency events.
    pub concurrency: Option<ConcurrencyPartial>,
}

impl ReportPartial {
    /// An empty partial for these options: the sections they ask for.
    pub fn new(options: &AnalyticsOptions) -> Self {
        let computes = |section| options.computes(section);
        ReportPartial {
            summary: computes(Section::Summary).then(|| SummaryPartial::new(options)),
            kpis: computes(Section::Kpis).then(|| KpiPartial::new(options)),
            agents: computes(Section::Agents)
                .then(|| BreakdownPartial::new(options, Dimension::Agent)),
            ended_reasons: computes(Section::EndedReasons).then(EndedReasonPartial::new),
            concurrency: computes(Section::Concurrency).then(ConcurrencyPartial::new),
        }
    }

    /// The report (`ingest`, `intents` and `keywords` empty), at `options.as_of` with
    /// `options.granularity`. The concurrency series is finished beside the other parts (in
    /// parallel with the `parallel` feature): its sort and sweep are the longest step, ~35-50
    /// ms for 1M calls (round 13's measurement).
    pub fn finish(self, options: &AnalyticsOptions) -> crate::Result<Report> {
        let ReportPartial {
            summary,
            kpis,
            agents,
            ended_reasons,
            concurrency,
        } = self;
        let rest = || {
            (
                summary.map(SummaryPartial::finish),
                kpis.map(KpiPartial::finish),
                agents.map(BreakdownPartial::finish),
                ended_reasons.map(EndedReasonPartial::finish),
            )
        };
        let series = || {
            concurrency
                .map(|c| c.finish(options.as_of, options.granularity, options.time_zone))
                .transpose()
        };
        #[cfg(feature = "parallel")]
        let ((summary, kpis, agents, ended), concurrency) = rayon::join(rest, series);
        #[cfg(not(feature = "parallel"))]
        let ((summary, kpis, agents, ended), concurrency) = (rest(), series());
        let (ended_reasons, ended_reasons_raw) = match ended {
            Some(ended) => (Some(ended.by_category), Some(ended.by_raw)),
            None => (None, None),
        };
        Ok(Report {
            ingest: serde_json::Value::Null,
            summary,
            kpis,
            agents,
            ended_reasons,
            ended_reasons_raw,
            concurrency: concurrency?,
            intents: Vec::new(),
            keywords: Vec::new(),
        })
    }
}

/// Merge two parts of one section: a section missing from either side is missing from the
/// merge (it would count only some of the records).
fn merge_part<P: Partial>(a: Option<P>, b: Option<P>) -> Option<P> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.merge(b)),
        _ => None,
    }
}

impl Partial for ReportPartial {
    fn add(&mut self, r: &CallRecord) {
        if let Some(p) = &mut self.summary {
            p.add(r);
        }
        if let Some(p) = &mut self.kpis {
            p.add(r);
        }
        if let Some(p) = &mut self.agents {
            p.add(r);
        }
        if let Some(p) = &mut self.ended_reasons {
            p.add(r);
        }
        if let Some(p) = &mut self.concurrency {
            p.add(r);
        }
    }

    fn merge(self, o: Self) -> Self {
        ReportPartial {
            summary: merge_part(self.summary, o.summary),
            kpis: merge_part(self.kpis, o.kpis),
            agents: merge_part(self.agents, o.agents),
            ended_reasons: merge_part(self.ended_reasons, o.ended_reasons),
            concurrency: merge_part(self.concurrency, o.concurrency),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use crate::analytics::testing::{at, call, finished};
    use crate::{Agent, Direction, EndedReason, EndedReasonCategory, Outcome};

    fn records(n: usize) -> Vec<CallRecord> {
        (0..n)
            .map(|i| {
                let outcome = Outcome::ALL[i % Outcome::ALL.len()];
                let direction = Direction::ALL[i % 3];
                let start = at("2024-01-01T00:00:00Z") + chrono::Duration::seconds((i * 37) as i64);
                let mut r = if outcome == Outcome::Active {
                    call(&i.to_string(), direction, outcome, "2024-01-01T00:00:00Z")
                } else {
                    finished(
                        &i.to_string(),
                        direction,
                        outcome,
                        "2024-01-01T00:00:00Z",
                        (i % 600) as f64,
                    )
                };
                let shift = start - r.started_at;
                r.started_at = start;
                r.ended_at = r.ended_at.map(|e| e + shift);
                r.wait_s = (outcome == Outcome::Answered).then_some((i % 40) as f64);
                r.talk_s = r.duration_s.map(|d| d / 2.0);
                r.customer_number = Some(format!("+1555{}", i % 50));
                r.agent = (i % 4 > 0).then(|| Agent {
                    email: Some(format!("a{}@x.co", i % 7)),
                    ..Default::default()
                });
                r.ended_reason = (i % 5 > 0).then(|| EndedReason {
                    category: EndedReasonCategory::ALL[i % 11],
                    raw: format!("r{}", i % 13),
                });
                r
            })
            .collect()
    }

    #[test]
    fn json_has_exactly_the_spec_6_keys() {
        let report = Report::compute(&records(30), &AnalyticsOptions::default()).unwrap();
        let json = serde_json::to_value(&report).unwrap();
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "ingest",
                "summary",
                "kpis",
                "agents",
                "endedReasons",
                "endedReasonsRaw",
                "concurrency",
                "intents",
                "keywords"
            ]
        );
        let conc: Vec<&str> = json["concurrency"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        for k in ["current", "peak", "peakAt", "granularitySeconds", "series"] {
            assert!(conc.contains(&k), "{k}");
        }
        assert!(json["concurrency"]["series"][0]["timestamp"].is_i64());
        assert!(
            json["concurrency"]["peakAt"]
                .as_str()
                .unwrap()
                .ends_with('Z')
        );
        assert!(json["agents"][0].get("agent").is_some());
        assert!(json["endedReasonsRaw"][0].get("endedReason").is_some());
        for k in [
            "asa",
            "aht",
            "abandonRate",
            "serviceLevel",
            "transferRate",
            "repeatCallerRate",
        ] {
            assert!(json["kpis"].get(k).is_some(), "{k}");
        }
    }

    #[test]
    fn the_lead_can_fill_ingest_intents_keywords() {
        let mut report = Report::compute(&[], &AnalyticsOptions::default()).unwrap();
        report.ingest = serde_json::json!({"recordsIn": 0});
        report
            .intents
            .push(serde_json::json!({"intent": "billing", "count": 1, "percentage": 100.0}));
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["ingest"]["recordsIn"], 0);
        assert_eq!(json["intents"][0]["intent"], "billing");
        assert!(json["kpis"]["asa"].is_null());
    }

    #[test]
    fn report_matches_the_single_analytics_and_survives_parallel_chunks() {
        // 10,000 records are more than one rayon chunk, so the parallel path merges partials.
        let rs = records(10_000);
        let o = AnalyticsOptions {
            granularity: super::super::Granularity::Minute,
            ..Default::default()
        }
        .with_time_zone("America/New_York")
        .unwrap();
        let report = Report::compute(&rs, &o).unwrap();
        let mut sequential = ReportPartial::new(&o);
        rs.iter().for_each(|r| sequential.add(r));
        assert_eq!(sequential.finish(&o).unwrap(), report);
        assert_eq!(report.summary, Some(super::super::summary(&rs, &o)));
        assert_eq!(report.kpis, Some(super::super::kpis(&rs, &o)));
        assert_eq!(
            report.agents,
            Some(super::super::breakdown(&rs, &o, Dimension::Agent))
        );
        assert_eq!(
            report.concurrency,
            Some(super::super::concurrency(&rs, &o).unwrap())
        );
        assert_eq!(report.summary.unwrap().total_calls, 10_000);
    }

    #[test]
    fn sections_compute_only_what_they_name() {
        let rs = records(10_000);
        let all = AnalyticsOptions {
            granularity: super::super::Granularity::Minute,
            ..Default::default()
        };
        let full = Report::compute(&rs, &all).unwrap();
        let with = |sections: &[Section]| AnalyticsOptions {
            sections: Some(sections.to_vec()),
            ..all.clone()
        };
        let some = Report::compute(&rs, &with(&[Section::Concurrency, Section::Summary])).unwrap();
        assert_eq!(some.summary.as_ref().unwrap().total_calls, 10_000);
        assert_eq!(some.summary, full.summary);
        assert_eq!(some.concurrency, full.concurrency);
        assert_eq!(some.kpis, None);
        assert_eq!((&some.agents, &some.ended_reasons), (&None, &None));
        assert_eq!(some.ended_reasons_raw, None);
        // the keys stay, null
        let json = serde_json::to_value(&some).unwrap();
        assert_eq!(json.as_object().unwrap().len(), 9);
        assert!(json["kpis"].is_null() && json["endedReasonsRaw"].is_null());
        assert!(json["summary"]["totalCalls"].is_u64());
        // each section alone is the whole report's
        for section in Section::ALL {
            let one = Report::compute(&rs, &with(&[section])).unwrap();
            let full_json = serde_json::to_value(&full).unwrap();
            let one_json = serde_json::to_value(&one).unwrap();
            for key in super::super::super::report::TOP_LEVEL_KEYS {
                let named = key == section.name()
                    || (key == "endedReasonsRaw" && section == Section::EndedReasons);
                if named {
                    assert_eq!(one_json[key], full_json[key], "{key}");
                    assert!(!one_json[key].is_null(), "{key}");
                } else if key != "ingest" && key != "intents" && key != "keywords" {
                    assert!(one_json[key].is_null(), "{key} with only {section:?}");
                }
            }
        }
        // none: nothing kept, nothing computed
        let none = ReportPartial::new(&with(&[]));
        assert_eq!(none.summary, None);
        assert_eq!(none.concurrency, None);
        let empty = Report::compute(&rs, &with(&[])).unwrap();
        assert_eq!((empty.summary, empty.concurrency), (None, None));
    }

    #[test]
    fn a_section_missing_from_one_partial_is_missing_from_the_merge() {
        let rs = records(100);
        let (a, b) = rs.split_at(40);
        let all = AnalyticsOptions::default();
        let some = AnalyticsOptions {
            sections: Some(vec![Section::Summary]),
            ..Default::default()
        };
        let part = |records: &[CallRecord], o: &AnalyticsOptions| {
            let mut p = ReportPartial::new(o);
            records.iter().for_each(|r| p.add(r));
            p
        };
        let merged = part(a, &all).merge(part(b, &some));
        assert!(merged.kpis.is_none() && merged.concurrency.is_none());
        let whole = part(&rs, &some);
        assert_eq!(merged, whole);
        assert_eq!(
            merged.summary.unwrap().finish().total_calls,
            100,
            "the summary merges over both"
        );
    }

    #[test]
    fn sections_are_named_by_their_json_keys() {
        for section in Section::ALL {
            assert_eq!(section.name().parse::<Section>().unwrap(), section);
            let json = serde_json::to_value(section).unwrap();
            assert_eq!(json, section.name());
        }
        for alias in ["endedReasonsRaw", "ended_reasons"] {
            assert_eq!(alias.parse::<Section>().unwrap(), Section::EndedReasons);
        }
        let e = "kpi".parse::<Section>().unwrap_err().to_string();
        assert!(e.contains("\"kpi\"") && e.contains("endedReasons"), "{e}");
        let o: AnalyticsOptions =
            serde_json::from_str(r#"{"sections": ["kpis", "endedReasonsRaw", "ended_reasons"]}"#)
                .unwrap();
        let sections = [Section::Kpis, Section::EndedReasons, Section::EndedReasons];
        assert_eq!(o.sections.as_deref(), Some(&sections[..]));
        assert!(o.computes(Section::Kpis) && !o.computes(Section::Summary));
        assert!(AnalyticsOptions::default().computes(Section::Agents));
        assert!(serde_json::from_str::<AnalyticsOptions>(r#"{"sections": ["nope"]}"#).is_err());
    }

    #[test]
    fn invalid_options_are_errors() {
        let o = AnalyticsOptions {
            service_level_threshold_s: f64::NAN,
            ..Default::default()
        };
        assert!(Report::compute(&[], &o).is_err());
    }
}
