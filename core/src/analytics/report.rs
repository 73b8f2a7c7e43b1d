//! The report of SPEC 6 (`callscope report --format json`): one pass over the records builds
//! every aggregate's partial at once.

use super::{
    AnalyticsOptions, BreakdownPartial, BreakdownRow, CategoryRow, Concurrency, ConcurrencyPartial,
    Dimension, EndedReasonPartial, KpiPartial, Kpis, Partial, RawReasonRow, Summary,
    SummaryPartial, build,
};
use crate::CallRecord;
use serde::{Deserialize, Serialize};

/// The SPEC 6 report. Serializes to exactly the top-level keys `ingest`, `summary`, `kpis`,
/// `agents`, `endedReasons`, `endedReasonsRaw`, `concurrency`, `intents`, `keywords`.
///
/// [`Report::compute`] fills the analytics of section 4.1-4.5. Three fields belong to other
/// modules and are left for the caller to set after computing:
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
    pub summary: Summary,
    /// SPEC 4.2.
    pub kpis: Kpis,
    /// SPEC 4.3 rows by agent.
    pub agents: Vec<BreakdownRow>,
    /// SPEC 4.4 rows by category.
    pub ended_reasons: Vec<CategoryRow>,
    /// SPEC 4.4 rows by raw reason.
    pub ended_reasons_raw: Vec<RawReasonRow>,
    /// SPEC 4.5.
    pub concurrency: Concurrency,
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

/// Mergeable state of a whole [`Report`]: the partials of every aggregate in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportPartial {
    /// Summary state.
    pub summary: SummaryPartial,
    /// KPI state.
    pub kpis: KpiPartial,
    /// By-agent breakdown state.
    pub agents: BreakdownPartial,
    /// Ended-reason state.
    pub ended_reasons: EndedReasonPartial,
    /// Concurrency events.
    pub concurrency: ConcurrencyPartial,
}

impl ReportPartial {
    /// An empty partial for these options.
    pub fn new(options: &AnalyticsOptions) -> Self {
        ReportPartial {
            summary: SummaryPartial::new(options),
            kpis: KpiPartial::new(options),
            agents: BreakdownPartial::new(options, Dimension::Agent),
            ended_reasons: EndedReasonPartial::new(),
            concurrency: ConcurrencyPartial::new(),
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
                summary.finish(),
                kpis.finish(),
                agents.finish(),
                ended_reasons.finish(),
            )
        };
        let series = || concurrency.finish(options.as_of, options.granularity, options.time_zone);
        #[cfg(feature = "parallel")]
        let ((summary, kpis, agents, ended), concurrency) = rayon::join(rest, series);
        #[cfg(not(feature = "parallel"))]
        let ((summary, kpis, agents, ended), concurrency) = (rest(), series());
        Ok(Report {
            ingest: serde_json::Value::Null,
            summary,
            kpis,
            agents,
            ended_reasons: ended.by_category,
            ended_reasons_raw: ended.by_raw,
            concurrency: concurrency?,
            intents: Vec::new(),
            keywords: Vec::new(),
        })
    }
}

impl Partial for ReportPartial {
    fn add(&mut self, r: &CallRecord) {
        self.summary.add(r);
        self.kpis.add(r);
        self.agents.add(r);
        self.ended_reasons.add(r);
        self.concurrency.add(r);
    }

    fn merge(self, o: Self) -> Self {
        ReportPartial {
            summary: self.summary.merge(o.summary),
            kpis: self.kpis.merge(o.kpis),
            agents: self.agents.merge(o.agents),
            ended_reasons: self.ended_reasons.merge(o.ended_reasons),
            concurrency: self.concurrency.merge(o.concurrency),
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
        assert_eq!(report.summary, super::super::summary(&rs, &o));
        assert_eq!(report.kpis, super::super::kpis(&rs, &o));
        assert_eq!(
            report.agents,
            super::super::breakdown(&rs, &o, Dimension::Agent)
        );
        assert_eq!(
            report.concurrency,
            super::super::concurrency(&rs, &o).unwrap()
        );
        assert_eq!(report.summary.total_calls, 10_000);
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
