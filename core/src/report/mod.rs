//! The `callscope report` document (SPEC 6) and its three renderings: JSON, a terminal table
//! and a self-contained HTML dashboard.
//!
//! The renderers read the report as a [`serde_json::Value`] with the SPEC 6 top-level keys,
//! so they work with whatever typed structs produce those keys: build it with [`assemble`]
//! from the ingest report, the analytics report and the text rows (each already serialized),
//! then call [`to_json`], [`to_table`] or [`to_html`]. A key that is missing or of an
//! unexpected shape is shown as absent, never a panic.
//!
//! Formatting rules of the table and the dashboard (the JSON keeps raw numbers): keys that
//! end in `Rate`, and the `serviceLevel` variants, are 0-1 fractions shown as percentages;
//! `percentage` keys are already 0-100; durations (`*Duration`, `*Time`, `asa`, `aht`,
//! `p50`..`p99`) are seconds shown as `1h 02m 03s` / `4m 05s` / `12.3s`.

mod html;
mod table;

pub use html::{CHART_IDS, HtmlOptions, to_html};
pub use table::to_table;

use serde::Serialize;
use serde_json::{Map, Value};

/// The top-level keys of the report, in order (SPEC 6).
pub const TOP_LEVEL_KEYS: [&str; 9] = [
    "ingest",
    "summary",
    "kpis",
    "agents",
    "endedReasons",
    "endedReasonsRaw",
    "concurrency",
    "intents",
    "keywords",
];

/// How many keyword rows the report keeps (SPEC 6: top 50).
pub const KEYWORD_LIMIT: usize = 50;

/// Build the report object with exactly the SPEC 6 keys, in order.
///
/// `analytics` is the serialized analytics report: an object carrying `summary`, `kpis`,
/// `agents`, `endedReasons`, `endedReasonsRaw` and `concurrency` (other keys are ignored; a
/// missing one becomes null). `intents` and `keywords` are arrays of SPEC 4.6 rows; keywords
/// are cut to the first [`KEYWORD_LIMIT`] rows, in the order given.
pub fn assemble(ingest: Value, analytics: &Value, intents: Value, keywords: Value) -> Value {
    let analytics = ANALYTICS_KEYS.map(|key| analytics.get(key).cloned());
    assemble_parts(ingest, analytics, intents, keywords)
}

/// The analytics keys of the report, in order.
const ANALYTICS_KEYS: [&str; 6] = [
    "summary",
    "kpis",
    "agents",
    "endedReasons",
    "endedReasonsRaw",
    "concurrency",
];

/// [`assemble`] from the values of [`ANALYTICS_KEYS`] (a missing one becomes null).
fn assemble_parts(
    ingest: Value,
    analytics: [Option<Value>; 6],
    intents: Value,
    keywords: Value,
) -> Value {
    let mut out = Map::new();
    out.insert("ingest".into(), ingest);
    for (key, value) in ANALYTICS_KEYS.into_iter().zip(analytics) {
        out.insert(key.into(), value.unwrap_or(Value::Null));
    }
    out.insert("intents".into(), intents);
    let keywords = match keywords {
        Value::Array(mut rows) => {
            rows.truncate(KEYWORD_LIMIT);
            Value::Array(rows)
        }
        other => other,
    };
    out.insert("keywords".into(), keywords);
    Value::Object(out)
}

/// The report object of a computed [`Report`](crate::analytics::Report): its JSON, with the
/// keyword rows cut to [`KEYWORD_LIMIT`].
pub fn from_report(report: &crate::analytics::Report) -> Value {
    // the same as `assemble` of the serialized report, moving its parts instead of cloning
    // them (the per-minute concurrency series alone is ~20,000 objects)
    let mut value = serde_json::to_value(report).unwrap_or(Value::Null);
    let mut take = |k: &str| value.as_object_mut().and_then(|m| m.remove(k));
    let ingest = take("ingest").unwrap_or(Value::Null);
    let intents = take("intents").unwrap_or(Value::Null);
    let keywords = take("keywords").unwrap_or(Value::Null);
    let analytics = ANALYTICS_KEYS.map(&mut take);
    assemble_parts(ingest, analytics, intents, keywords)
}

/// Output format of `callscope report --format`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Format {
    /// A readable terminal report (the default).
    #[default]
    Table,
    /// One JSON object with the SPEC 6 keys.
    Json,
    /// A self-contained dashboard page.
    Html,
}

impl std::str::FromStr for Format {
    type Err = crate::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "table" => Ok(Format::Table),
            "json" => Ok(Format::Json),
            "html" => Ok(Format::Html),
            other => Err(crate::Error::InvalidOption {
                option: "format".into(),
                reason: format!("expected table, json or html, got {other:?}"),
            }),
        }
    }
}

/// Render the report in a format (`html` only reads `html_options`).
pub fn render(report: &Value, format: Format, html_options: &HtmlOptions) -> String {
    match format {
        Format::Table => to_table(report),
        Format::Json => to_json(report),
        Format::Html => to_html(report, html_options),
    }
}

/// The JSON rendering: the report, pretty-printed, with a trailing newline.
pub fn to_json(report: &Value) -> String {
    let mut s = serde_json::to_string_pretty(report).unwrap_or_else(|_| "null".into());
    s.push('\n');
    s
}

/// Whether a key holds a 0-1 fraction.
pub(crate) fn is_rate_key(key: &str, parent: Option<&str>) -> bool {
    key.ends_with("Rate")
        || key == "rate"
        || key == "occupancy"
        || parent == Some("serviceLevel") && key != "thresholdS" && key != "threshold"
}

/// Whether a key holds seconds.
pub(crate) fn is_seconds_key(key: &str) -> bool {
    key.ends_with("Duration")
        || key.ends_with("duration")
        || key.ends_with("Time")
        || key.ends_with("Seconds") && key != "granularitySeconds"
        || key.ends_with("S") && key.len() > 1 && key != "thresholdS"
        || matches!(key, "asa" | "aht" | "p50" | "p90" | "p95" | "p99")
}

/// Seconds as `1h 02m 03s`, `4m 05s` or `12.3s`.
pub(crate) fn fmt_seconds(s: f64) -> String {
    if !s.is_finite() {
        return "-".into();
    }
    let neg = if s < 0.0 { "-" } else { "" };
    let a = s.abs();
    if a < 60.0 {
        return format!("{neg}{a:.1}s");
    }
    let total = a.round() as u64;
    let (h, m, sec) = (total / 3600, total / 60 % 60, total % 60);
    if h > 0 {
        format!("{neg}{h}h {m:02}m {sec:02}s")
    } else {
        format!("{neg}{m}m {sec:02}s")
    }
}

/// A plain number: integers without decimals, others with two.
pub(crate) fn fmt_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x:.2}")
    }
}

/// A value for display, by what its key means.
pub(crate) fn fmt_value(key: &str, parent: Option<&str>, v: &Value) -> String {
    match v {
        Value::Null => "-".into(),
        Value::Bool(b) => if *b { "yes" } else { "no" }.into(),
        Value::String(s) => s.clone(),
        Value::Number(n) => {
            let x = n.as_f64().unwrap_or(f64::NAN);
            if key == "percentage" {
                format!("{x:.2}%")
            } else if is_rate_key(key, parent) {
                format!("{:.2}%", x * 100.0)
            } else if is_seconds_key(key) {
                fmt_seconds(x)
            } else {
                fmt_number(x)
            }
        }
        other => other.to_string(),
    }
}

/// Flatten an object into `(path, key, parent, value)` scalar leaves, one level of nesting.
pub(crate) fn leaves(obj: &Value) -> Vec<(String, String, Option<String>, Value)> {
    let mut out = Vec::new();
    if let Some(map) = obj.as_object() {
        for (k, v) in map {
            match v {
                Value::Object(inner) => {
                    for (ik, iv) in inner {
                        if !iv.is_object() && !iv.is_array() {
                            out.push((
                                format!("{k}.{ik}"),
                                ik.clone(),
                                Some(k.clone()),
                                iv.clone(),
                            ));
                        }
                    }
                }
                Value::Array(_) => {}
                scalar => out.push((k.clone(), k.clone(), None, scalar.clone())),
            }
        }
    }
    out
}

/// `(key, count)` pairs of a count object (`callsByDay`, `callsByOutcome`, ...).
pub(crate) fn counts(v: Option<&Value>) -> Vec<(String, f64)> {
    v.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_f64().map(|n| (k.clone(), n)))
                .collect()
        })
        .unwrap_or_default()
}

/// The rows of an array of objects.
pub(crate) fn rows(v: Option<&Value>) -> Vec<&Map<String, Value>> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_object).collect())
        .unwrap_or_default()
}

/// A row's label: the string at `key`, `(none)` when null.
pub(crate) fn label(row: &Map<String, Value>, key: &str) -> String {
    match row.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => "(none)".into(),
        Some(other) => other.to_string(),
    }
}

/// A number field of a row.
pub(crate) fn num(row: &Map<String, Value>, key: &str) -> Option<f64> {
    row.get(key).and_then(Value::as_f64)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod sample {
    //! A hand-made report in the SPEC 6 shape, shared by the renderer tests.

    use serde_json::{Value, json};

    fn weekday_hour() -> Value {
        let mut grid = vec![vec![0u64; 24]; 7];
        // Monday 9h: 2 calls; Tuesday 9h: 1, 10h: 3
        grid[0][9] = 2;
        grid[1][9] = 1;
        grid[1][10] = 3;
        json!(grid)
    }

    pub fn analytics() -> Value {
        json!({
            "summary": {
                "totalCalls": 6, "inboundCalls": 4, "outboundCalls": 2, "answeredCalls": 4, "missedCalls": 1,
                "voicemailCalls": 1, "failedCalls": 0, "activeCalls": 0, "answerRate": 0.6667,
                "totalDuration": 930.0, "averageDuration": 155.0, "totalTalkTime": 700.0, "averageTalkTime": 175.0,
                "durationPercentiles": {"p50": 120.0, "p90": 300.0, "p95": 300.0, "p99": 300.0},
                "callsByDay": {"2024-03-04": 2, "2024-03-05": 4},
                "callsByHour": {"9": 3, "10": 3},
                "callsByWeekdayHour": weekday_hour(),
                "callsByOutcome": {"answered": 4, "missed": 1, "voicemail": 1},
                "callsByDirection": {"inbound": 4, "outbound": 2},
                "callsByProvider": {"vapi": 3, "twilio": 3}
            },
            "kpis": {"asa": 8.5, "aht": 175.0, "abandonRate": 0.25,
                     "serviceLevel": {"thresholdS": 20, "offered": 0.75, "answered": 1.0,
                                      "abandonedAfterTarget": 0.75, "abandonsMeetTarget": 0.75},
                     "transferRate": 0.0, "repeatCallerRate": null},
            "agents": [
                {"agent": "ann@x.co", "count": 4, "percentage": 66.67, "answered": 3, "missed": 1,
                 "totalDuration": 600.0, "averageDuration": 150.0, "aht": 180.0},
                {"agent": null, "count": 2, "percentage": 33.33, "answered": 1, "missed": 0,
                 "totalDuration": 330.0, "averageDuration": 165.0, "aht": 160.0}
            ],
            "endedReasons": [
                {"category": "customer-ended", "count": 3, "percentage": 75.0},
                {"category": "voicemail", "count": 1, "percentage": 25.0}
            ],
            "endedReasonsRaw": [
                {"endedReason": "customer-ended-call", "category": "customer-ended", "count": 3, "percentage": 75.0},
                {"endedReason": "voicemail", "category": "voicemail", "count": 1, "percentage": 25.0}
            ],
            "concurrency": {"current": 0, "peak": 2, "peakAt": "2024-03-05T10:15:00Z", "granularitySeconds": 3600,
                "series": [
                    {"timestamp": 1709629200, "peak": 1, "atStart": 0, "average": 0.1, "starts": 2},
                    {"timestamp": 1709632800, "peak": 0, "atStart": 0, "average": 0.0, "starts": 0},
                    {"timestamp": 1709636400, "peak": 2, "atStart": 0, "average": 0.4, "starts": 4}
                ]},
            "extraKeyIgnored": true
        })
    }

    pub fn report() -> Value {
        let ingest = json!({"recordsIn": 9, "recordsOut": 6, "duplicatesMerged": 1, "eventsFolded": 1,
            "nonCallItems": 0, "rejected": [{"source": "a.json", "index": 3, "path": "$.calls[2]", "reason": "no start"}],
            "warnings": [], "unknownVocabulary": {"twilio": {"weird": 1}}});
        let intents = json!([
            {"intent": "billing", "count": 3, "percentage": 50.0},
            {"intent": "support", "count": 2, "percentage": 33.33},
            {"intent": "other", "count": 1, "percentage": 16.67}
        ]);
        let mut kw: Vec<Value> = (0..60)
            .map(|i| json!({"keyword": format!("word{i:02}"), "count": 60 - i, "positiveCount": 1, "neutralCount": 0,
                            "negativeCount": 0, "avgSentiment": 0.5, "lastDetectedAt": "2024-03-05T10:00:00Z"}))
            .collect();
        kw[0] = json!({"keyword": "<script>alert(1)</script>", "count": 61, "positiveCount": 0, "neutralCount": 0,
                       "negativeCount": 61, "avgSentiment": -0.7, "lastDetectedAt": null});
        super::assemble(ingest, &analytics(), intents, Value::Array(kw))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// `report_json` writes the text `to_json(&from_report(..))` writes, at two granularities,
    /// with and without the text analytics (more keywords than the limit), and for an empty
    /// report.
    #[test]
    fn report_json_is_the_text_of_the_report_value() {
        let pages: [&[u8]; 3] = [
            include_bytes!("../../../tests/data/twilio/call_list_page1.json"),
            include_bytes!("../../../tests/data/justcall/list_v21.json"),
            include_bytes!("../../../tests/data/justcall/webhooks_call.json"),
        ];
        let mut ingestor = crate::ingest::Ingestor::new(&Default::default()).unwrap();
        for (i, page) in pages.iter().enumerate() {
            ingestor.add_bytes(&format!("p{i}.json"), page).unwrap();
        }
        let ingested = ingestor.finish();
        for granularity in ["hour", "day"] {
            for skip_text in [false, true] {
                let options: crate::analytics::AnalyticsOptions = serde_json::from_value(
                    serde_json::json!({"granularity": granularity, "allowMixedTenants": true}),
                )
                .unwrap();
                let mut report = compute(&ingested, &options, skip_text).unwrap();
                assert_eq!(report_json(&report), to_json(&from_report(&report)));
                report.keywords = (0..KEYWORD_LIMIT + 7)
                    .map(|i| serde_json::json!({"keyword": format!("k{i}"), "count": i}))
                    .collect();
                assert_eq!(report_json(&report), to_json(&from_report(&report)));
            }
        }
        let empty = crate::ingest::Ingested::default();
        let report = compute(&empty, &Default::default(), false).unwrap();
        assert_eq!(report_json(&report), to_json(&from_report(&report)));
    }

    #[test]
    fn assemble_has_exactly_the_spec_keys_in_order() {
        let r = sample::report();
        let keys: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, TOP_LEVEL_KEYS.to_vec());
        // 60 keyword rows cut to 50
        assert_eq!(r["keywords"].as_array().unwrap().len(), 50);
        assert_eq!(r["concurrency"]["peak"], 2);
        let empty = assemble(Value::Null, &Value::Null, Value::Null, Value::Null);
        assert_eq!(empty.as_object().unwrap().len(), 9);
        assert!(empty["summary"].is_null());
    }

    #[test]
    fn json_round_trips() {
        let r = sample::report();
        let text = to_json(&r);
        assert!(text.ends_with("}\n"));
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn end_to_end_from_records() {
        use crate::analytics::{AnalyticsOptions, Report};
        use crate::model::{Direction, Outcome};
        use crate::views::fixtures::call;
        let records = vec![
            call(
                "1",
                Direction::Inbound,
                Outcome::Answered,
                "2024-03-04T14:00:00Z",
                65.0,
            ),
            call(
                "2",
                Direction::Inbound,
                Outcome::Answered,
                "2024-03-04T14:00:30Z",
                125.0,
            ),
            call(
                "3",
                Direction::Inbound,
                Outcome::Missed,
                "2024-03-05T15:00:00Z",
                30.0,
            ),
        ];
        let options = AnalyticsOptions::default()
            .with_time_zone("America/New_York")
            .unwrap();
        let mut computed = Report::compute(&records, &options).unwrap();
        computed.keywords = (0..55)
            .map(|i| serde_json::json!({"keyword": format!("k{i}"), "count": 1}))
            .collect();
        let value = from_report(&computed);
        let keys: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, TOP_LEVEL_KEYS.to_vec());
        assert_eq!(value["keywords"].as_array().unwrap().len(), 50);
        assert_eq!(value["summary"]["totalCalls"], 3);
        // calls 1 and 2 overlap (14:00:30 to 14:01:05): peak 2
        assert_eq!(value["concurrency"]["peak"], 2);

        let table = render(&value, Format::Table, &HtmlOptions::default());
        assert!(table.contains("totalCalls"));
        // two local days: 2024-03-04 with 2 calls, 2024-03-05 with 1
        assert!(
            table
                .lines()
                .any(|l| l.contains("2024-03-04") && l.contains(" 2 "))
        );
        let html = render(&value, "html".parse().unwrap(), &HtmlOptions::default());
        assert!(html.contains("<title>2024-03-04: 2</title>"));
        assert!(!html.contains("https://") && !html.contains("http://"));
        let json: Value =
            serde_json::from_str(&render(&value, Format::Json, &HtmlOptions::default())).unwrap();
        assert_eq!(json, value);
        assert!("pdf".parse::<Format>().is_err());
    }

    #[test]
    fn value_formatting() {
        assert_eq!(fmt_seconds(12.34), "12.3s");
        // 3723 s = 1 h 2 min 3 s
        assert_eq!(fmt_seconds(3723.0), "1h 02m 03s");
        assert_eq!(fmt_seconds(245.0), "4m 05s");
        assert_eq!(
            fmt_value("abandonRate", None, &serde_json::json!(0.25)),
            "25.00%"
        );
        assert_eq!(
            fmt_value("offered", Some("serviceLevel"), &serde_json::json!(0.4286)),
            "42.86%"
        );
        assert_eq!(
            fmt_value("thresholdS", Some("serviceLevel"), &serde_json::json!(20)),
            "20"
        );
        assert_eq!(
            fmt_value("percentage", None, &serde_json::json!(33.333)),
            "33.33%"
        );
        assert_eq!(fmt_value("aht", None, &serde_json::json!(65)), "1m 05s");
        assert_eq!(fmt_value("count", None, &serde_json::json!(7)), "7");
        assert_eq!(fmt_value("repeatCallerRate", None, &Value::Null), "-");
    }

    /// A report reads lean only when nothing it computes or filters on needs more than the
    /// summary and the concurrency series read; and the options it reads with say so.
    #[test]
    fn a_report_reads_lean_only_when_nothing_needs_more() {
        use crate::analytics::{CallFilter, Section};
        let lean = |sections: Option<Vec<Section>>, skip_text: bool, filter: CallFilter| {
            let mut o = ReportOptions {
                skip_text,
                ..Default::default()
            };
            o.analytics.sections = sections;
            o.analytics.filter = filter;
            (o.lean(), o.report_ingest().lean)
        };
        let two = || Some(vec![Section::Summary, Section::Concurrency]);
        let none = CallFilter::default;
        assert_eq!(lean(two(), true, none()), (true, true));
        assert_eq!(
            lean(Some(vec![Section::Concurrency]), true, none()),
            (true, true)
        );
        assert_eq!(lean(Some(vec![]), true, none()), (true, true));
        // every section (the default), one more section, or the text analytics: not lean
        assert_eq!(lean(None, true, none()), (false, false));
        for more in [Section::Kpis, Section::Agents, Section::EndedReasons] {
            let sections = Some(vec![Section::Summary, more]);
            assert_eq!(lean(sections, true, none()), (false, false), "{more:?}");
        }
        assert_eq!(lean(two(), false, none()), (false, false));
        // a filter on what a lean record holds keeps it lean; on anything else, not
        let core: CallFilter = serde_json::from_value(serde_json::json!({
            "direction": "inbound", "outcome": ["answered"], "rawStatus": "completed",
            "provider": "twilio", "tenant": "AC1", "from": "2026-01-01T00:00:00Z",
            "to": "2026-02-01T00:00:00Z", "minDurationS": 1, "maxDurationS": 60
        }))
        .unwrap();
        assert_eq!(lean(two(), true, core), (true, true));
        for more in [
            serde_json::json!({"agent": "a@x.co"}),
            serde_json::json!({"queue": "sales"}),
            serde_json::json!({"customerNumberSearch": "555"}),
            serde_json::json!({"hasRecording": true}),
            serde_json::json!({"tagsAny": "vip"}),
            serde_json::json!({"endedReasonCategory": "customer-ended"}),
        ] {
            let filter: CallFilter = serde_json::from_value(more.clone()).unwrap();
            assert_eq!(lean(two(), true, filter), (false, false), "{more}");
        }
    }
}

/// Options of a whole report: how to read the inputs (the ingest options) and what to compute
/// (the analytics options), flattened into one camelCase object, plus the text switch.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ReportOptions {
    /// How inputs are read.
    #[serde(flatten)]
    pub ingest: crate::ingest::IngestOptions,
    /// What is computed.
    #[serde(flatten)]
    pub analytics: crate::analytics::AnalyticsOptions,
    /// Leave out the text analytics (`intents` and `keywords` are then empty arrays).
    pub skip_text: bool,
}

impl ReportOptions {
    /// Whether the report reads only the fields the summary and the concurrency series need
    /// ([`IngestOptions::lean`](crate::ingest::IngestOptions::lean)): no text analytics
    /// (`skip_text`), `sections` within `summary` and `concurrency`, and a filter on nothing
    /// but direction, outcome, raw status, provider, tenant, start and duration. The report is
    /// the same either way; this only lets the reading skip the rest.
    pub fn lean(&self) -> bool {
        use crate::analytics::Section;
        let a = &self.analytics;
        let sections = a.sections.as_ref().is_some_and(|sections| {
            sections
                .iter()
                .all(|s| matches!(s, Section::Summary | Section::Concurrency))
        });
        // the filter with the fields a lean record holds taken out: anything left reads more
        let rest = crate::analytics::CallFilter {
            direction: Vec::new(),
            outcome: Vec::new(),
            raw_status: Vec::new(),
            provider: Vec::new(),
            tenant: None,
            from: None,
            to: None,
            min_duration_s: None,
            max_duration_s: None,
            ..a.filter.clone()
        };
        self.skip_text && sections && rest == crate::analytics::CallFilter::default()
    }

    /// The ingest options a report reads with: no unmapped field copied (the report never
    /// shows `extra`), and [`lean`](Self::lean) when the report allows.
    fn report_ingest(&self) -> crate::ingest::IngestOptions {
        crate::ingest::IngestOptions {
            keep_extra: false,
            lean: self.lean(),
            ..self.ingest.clone()
        }
    }
}

/// The SPEC 6 report of ingested records: analytics over the records the options select,
/// the ingest report, and (unless `skip_text`) intents and the top keywords of those records.
pub fn build(
    ingested: &crate::ingest::Ingested,
    analytics: &crate::analytics::AnalyticsOptions,
    skip_text: bool,
) -> crate::Result<Value> {
    compute(ingested, analytics, skip_text).map(|report| from_report(&report))
}

/// What [`build`] computes, before it becomes a JSON value: [`from_report`] (or
/// [`report_json`] for the JSON text) finishes it.
pub fn compute(
    ingested: &crate::ingest::Ingested,
    analytics: &crate::analytics::AnalyticsOptions,
    skip_text: bool,
) -> crate::Result<crate::analytics::Report> {
    let mut report = crate::analytics::Report::compute(&ingested.records, analytics)?;
    report.ingest = serde_json::to_value(&ingested.report).unwrap_or(Value::Null);
    if !skip_text {
        // The text aggregates read the selected records in place (no copy of the records).
        let selected = || ingested.records.iter().filter(|r| analytics.selects(r));
        let text = crate::text::TextOptions::default();
        let mut intents = crate::text::IntentAggregate::default();
        selected().for_each(|r| intents.add_record(r, &text));
        let mut keywords = crate::text::KeywordAggregate::default();
        keywords.add_records(selected(), &text);
        set_text_rows(&mut report, &intents, &keywords);
    }
    Ok(report)
}

/// The report's `intents` and `keywords` rows (keywords cut to [`KEYWORD_LIMIT`]).
fn set_text_rows(
    report: &mut crate::analytics::Report,
    intents: &crate::text::IntentAggregate,
    keywords: &crate::text::KeywordAggregate,
) {
    report.intents = intents
        .rows()
        .iter()
        .filter_map(|row| serde_json::to_value(row).ok())
        .collect();
    report.keywords = keywords
        .rows(KEYWORD_LIMIT)
        .iter()
        .filter_map(|row| serde_json::to_value(row).ok())
        .collect();
}

/// What [`compute`] gives for the records `ingestor` has read, computed as each call is
/// finished instead of from a kept record list: memory holds the parsed items only, and the
/// records are never collected or sorted. Returns the report and the ingest report (the one
/// [`Ingestor::finish`](crate::ingest::Ingestor::finish) gives). The same report as `compute`
/// over `finish()`'s records, including its errors (invalid options, mixed tenants, too many
/// buckets). [`Streamed`] does the same for callers that also finish calls while reading.
pub fn compute_streaming(
    ingestor: crate::ingest::Ingestor,
    analytics: &crate::analytics::AnalyticsOptions,
    skip_text: bool,
) -> crate::Result<(crate::analytics::Report, crate::ingest::IngestReport)> {
    let streamed = Streamed::new(analytics, skip_text)?;
    let early = streamed.sink();
    streamed.finish(ingestor, early)
}

/// A report computed as calls are finished ([`compute_streaming`]), in steps: make a
/// [`ReportSink`] with [`Streamed::sink`], read inputs, passing the sink to
/// [`Ingestor::finish_idle_into`](crate::ingest::Ingestor::finish_idle_into) between batches
/// (with an ingest window, this keeps memory to about the window's items; see
/// [`IngestOptions::window`](crate::ingest::IngestOptions::window)), then
/// [`Streamed::finish`].
///
/// ```
/// use callscope::analytics::AnalyticsOptions;
/// use callscope::ingest::{IngestOptions, Ingestor};
/// use callscope::report::Streamed;
/// let ndjson = br#"{"call_id":"c1","call_type":"phone_call","call_status":"ended","direction":"inbound","start_timestamp":1700000000000,"end_timestamp":1700000060000,"disconnection_reason":"user_hangup"}
/// {"call_id":"c2","call_type":"phone_call","call_status":"ended","direction":"inbound","start_timestamp":1700000100000,"end_timestamp":1700000130000,"disconnection_reason":"agent_hangup"}
/// "#;
/// let options = IngestOptions { window: Some(1000), ..Default::default() };
/// let analytics = AnalyticsOptions::default();
/// let streamed = Streamed::new(&analytics, true).unwrap();
/// let mut sink = streamed.sink();
/// let make = || streamed.sink();
/// let mut ingestor = Ingestor::new(&options).unwrap();
/// ingestor
///     .add_reader_with("calls.ndjson", &ndjson[..], &mut |i| i.finish_idle_into(&mut sink, &make))
///     .unwrap();
/// let (report, ingest) = streamed.finish(ingestor, sink).unwrap();
/// assert_eq!(report.summary.unwrap().total_calls, 2);
/// assert_eq!(ingest.records_out, 2);
/// ```
#[derive(Debug)]
pub struct Streamed {
    analytics: crate::analytics::AnalyticsOptions,
    text: Option<(
        crate::text::TextOptions,
        crate::text::keywords::KeywordExtractor,
    )>,
}

impl Streamed {
    /// A streamed report with these options (checked here); `skip_text` leaves out intents
    /// and keywords.
    pub fn new(
        analytics: &crate::analytics::AnalyticsOptions,
        skip_text: bool,
    ) -> crate::Result<Self> {
        analytics.validate()?;
        let text = (!skip_text).then(|| {
            let options = crate::text::TextOptions::default();
            let extractor = crate::text::keywords::KeywordExtractor::new(&options);
            (options, extractor)
        });
        Ok(Streamed {
            analytics: analytics.clone(),
            text,
        })
    }

    /// An empty partial report (also the `make` of the ingest's folding).
    pub fn sink(&self) -> ReportSink<'_> {
        ReportSink {
            analytics: &self.analytics,
            text: self.text.as_ref().map(|(t, e)| (t, e)),
            tenants: Tenants::default(),
            partial: crate::analytics::ReportPartial::new(&self.analytics),
            intents: crate::text::IntentAggregate::default(),
            keywords: crate::text::KeywordAggregate::default(),
        }
    }

    /// Finish the calls still waiting in `ingestor`, add `early` (the calls finished while
    /// reading) and close the report: the report and the ingest report.
    pub fn finish(
        &self,
        ingestor: crate::ingest::Ingestor,
        early: ReportSink<'_>,
    ) -> crate::Result<(crate::analytics::Report, crate::ingest::IngestReport)> {
        let analytics = &self.analytics;
        let (rest, ingest) = ingestor.finish_into(|| self.sink());
        let sink = crate::analytics::Partial::merge(early, rest);
        if !(analytics.allow_mixed_tenants || analytics.filter.tenant.is_some()) {
            let found: std::collections::BTreeSet<Option<&str>> = sink
                .tenants
                .names
                .iter()
                .map(|n| Some(n.as_str()))
                .chain(sink.tenants.none.then_some(None))
                .collect();
            crate::analytics::mixed_tenants(&found)?;
        }
        let mut report = sink.partial.finish(analytics)?;
        report.ingest = serde_json::to_value(&ingest).unwrap_or(Value::Null);
        if self.text.is_some() {
            set_text_rows(&mut report, &sink.intents, &sink.keywords);
        }
        Ok((report, ingest))
    }
}

/// The distinct tenants of the selected records.
#[derive(Debug, Default)]
struct Tenants {
    none: bool,
    names: std::collections::BTreeSet<String>,
}

/// Everything [`compute`] aggregates, as one mergeable partial over finished records (made
/// by [`Streamed::sink`]).
#[derive(Debug)]
pub struct ReportSink<'o> {
    analytics: &'o crate::analytics::AnalyticsOptions,
    text: Option<(
        &'o crate::text::TextOptions,
        &'o crate::text::keywords::KeywordExtractor,
    )>,
    tenants: Tenants,
    partial: crate::analytics::ReportPartial,
    intents: crate::text::IntentAggregate,
    keywords: crate::text::KeywordAggregate,
}

impl crate::analytics::Partial for ReportSink<'_> {
    fn add(&mut self, r: &crate::CallRecord) {
        if !self.analytics.selects(r) {
            return;
        }
        match r.tenant.as_deref() {
            None => self.tenants.none = true,
            Some(name) => {
                if !self.tenants.names.contains(name) {
                    self.tenants.names.insert(name.to_owned());
                }
            }
        }
        self.partial.add(r);
        if let Some((text, extractor)) = self.text {
            self.intents.add_record(r, text);
            self.keywords.add_record_with(extractor, r, text);
        }
    }

    fn merge(mut self, other: Self) -> Self {
        self.tenants.none |= other.tenants.none;
        self.tenants.names.extend(other.tenants.names);
        self.partial = self.partial.merge(other.partial);
        self.intents.merge(&other.intents);
        self.keywords.merge(&other.keywords);
        self
    }
}

/// The report's fields in the SPEC 6 key order, keywords cut to [`KEYWORD_LIMIT`].
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportJson<'a> {
    ingest: &'a Value,
    summary: &'a Option<crate::analytics::Summary>,
    kpis: &'a Option<crate::analytics::Kpis>,
    agents: &'a Option<Vec<crate::analytics::BreakdownRow>>,
    ended_reasons: &'a Option<Vec<crate::analytics::CategoryRow>>,
    ended_reasons_raw: &'a Option<Vec<crate::analytics::RawReasonRow>>,
    concurrency: &'a Option<crate::analytics::Concurrency>,
    intents: &'a [Value],
    keywords: &'a [Value],
}

/// `to_json(&from_report(report))`, written straight from the report without building the
/// JSON value first (the per-minute concurrency series alone is ~20,000 objects). The same
/// text: the value holds the same keys in the same order, and serde_json writes numbers,
/// strings and map keys the same way from a value as from the types.
pub fn report_json(report: &crate::analytics::Report) -> String {
    let keywords = report
        .keywords
        .get(..KEYWORD_LIMIT)
        .unwrap_or(&report.keywords);
    let view = ReportJson {
        ingest: &report.ingest,
        summary: &report.summary,
        kpis: &report.kpis,
        agents: &report.agents,
        ended_reasons: &report.ended_reasons,
        ended_reasons_raw: &report.ended_reasons_raw,
        concurrency: &report.concurrency,
        intents: &report.intents,
        keywords,
    };
    let mut s = serde_json::to_string_pretty(&view).unwrap_or_else(|_| "null".into());
    s.push('\n');
    s
}

/// Ingest one in-memory input and build its report (the bindings' `report` function): as
/// [`report_documents`] of the one document, so that an API list page's or a piece of NDJSON
/// lines' calls are finished where they are read (counted in as each call is finished, as
/// `callscope report` does).
pub fn report_bytes(source: &str, bytes: &[u8], options: &ReportOptions) -> crate::Result<Value> {
    crate::files::on_pool(|| {
        let one = [(source, bytes)];
        let (report, _) = compute_documents_as(&one, options, Some(crate::ingest::local::GROUP))?;
        Ok(from_report(&report))
    })
}

/// [`report_bytes`] over a stream: JSON arrays and NDJSON are read a batch at a time, so the
/// input is never held whole (the WASM binding reads a `Uint8Array` through this, a slice at
/// a time); with an ingest window, calls are finished while reading
/// ([`IngestOptions::window`](crate::ingest::IngestOptions::window)). The same report as
/// `report_bytes` over the same bytes.
pub fn report_reader(
    source: &str,
    reader: impl std::io::BufRead,
    options: &ReportOptions,
) -> crate::Result<Value> {
    let mut ingestor = report_ingestor(options)?;
    let streamed = match Streamed::new(&options.analytics, options.skip_text) {
        Ok(streamed) => streamed,
        Err(invalid) => {
            // as `report_bytes`: an input that cannot be read is the error told first
            ingestor.add_reader(source, reader)?;
            return Err(invalid);
        }
    };
    let mut early = streamed.sink();
    let make = || streamed.sink();
    ingestor.add_reader_with(source, reader, &mut |i| {
        i.finish_idle_into(&mut early, &make)
    })?;
    let (report, _) = streamed.finish(ingestor, early)?;
    Ok(from_report(&report))
}

/// The report of several inputs held in memory, each a `(source, bytes)` pair, read in order
/// as one ingest (duplicates across inputs are merged): the bindings' `report` over a list of
/// documents. Whole JSON documents (API list pages) are parsed in parallel, 256 (or 32 MB) at
/// a time, and without an ingest window the calls of each page (and each piece of an NDJSON
/// document's lines) the typed fast lanes read are finished where it is read, as
/// [`compute_paths`] finishes them over files (a page read again is read from its document); the same report as [`report_bytes`] gives for one input, and
/// as [`report_paths`] gives for the same bytes in files. As `report_bytes`, an input that
/// cannot be read is the error told before invalid analytics options.
pub fn report_documents<S, B>(inputs: &[(S, B)], options: &ReportOptions) -> crate::Result<Value>
where
    S: AsRef<str> + Sync,
    B: AsRef<[u8]> + Sync,
{
    crate::files::on_pool(|| {
        let (report, _) = compute_documents_as(inputs, options, Some(crate::ingest::local::GROUP))?;
        Ok(from_report(&report))
    })
}

/// What [`report_documents`] computes, and the ingest report: without an ingest window, the
/// calls of each API list page the typed fast lanes read are finished where the page is read
/// (in groups of `local` pages, [`crate::ingest::local::GROUP`]; `None` holds every call), as
/// [`compute_paths`] does over files; a page read again is read from its document.
pub(crate) fn compute_documents_as<S, B>(
    inputs: &[(S, B)],
    options: &ReportOptions,
    local: Option<usize>,
) -> crate::Result<(crate::analytics::Report, crate::ingest::IngestReport)>
where
    S: AsRef<str> + Sync,
    B: AsRef<[u8]> + Sync,
{
    let held = || {
        let mut ingestor = report_ingestor(options)?;
        ingestor.add_documents(inputs)?;
        compute_streaming(ingestor, &options.analytics, options.skip_text)
    };
    let Some(group) = local.filter(|_| options.ingest.window.is_none()) else {
        return held();
    };
    // invalid analytics options are told after the inputs are read, as `report_bytes` tells them
    let Ok(streamed) = Streamed::new(&options.analytics, options.skip_text) else {
        return held();
    };
    let make = || streamed.sink();
    let local = crate::ingest::Local::new(&make, group);
    let mut ingestor = report_ingestor(options)?;
    let documents = ingestor.add_documents_local(inputs, &local)?;
    let again = |_: &str, source: usize, range: Option<(u64, usize)>| {
        let bytes = documents.get(source).and_then(|&doc| inputs.get(doc));
        let bytes = bytes.map(|(_, b)| b.as_ref()).unwrap_or_default();
        // a piece of an NDJSON document's lines by its range, a page whole
        let bytes = match range {
            Some((offset, len)) => usize::try_from(offset)
                .ok()
                .and_then(|at| bytes.get(at..)?.get(..len))
                .unwrap_or_default(),
            None => bytes,
        };
        Ok(bytes.to_vec())
    };
    match ingestor.settle_local_with(&local, &again)? {
        Some(dropped) => {
            let early = local
                .into_partial(&dropped)
                .unwrap_or_else(|| streamed.sink());
            streamed.finish(ingestor, early)
        }
        // (a document does not change: not seen)
        None => held(),
    }
}

/// The report of files and folders, read as `callscope report` reads them (the bindings'
/// `report_files` / `reportFiles`): folders walked recursively (sorted, hidden entries
/// skipped), `-` standard input, API list pages read a batch at a time and parsed in
/// parallel, large files streamed; each call is counted in as it is finished, so memory holds
/// the parsed items only ([`crate::files`]). The same report as [`report_bytes`] over the
/// files one after another. The options are checked before any file is read.
pub fn report_paths(paths: &[String], options: &ReportOptions) -> crate::Result<Value> {
    compute_paths(paths, options, |_| {}).map(|(report, _)| from_report(&report))
}

/// What [`report_paths`] computes, before it becomes a JSON value, and the ingest report;
/// `on_file` is told the size of each file as it is read (the command line's progress bar).
///
/// Without an ingest window and without standard input among the inputs, the calls of each
/// API list page the typed fast lanes read are finished where the page is read, instead of
/// being held until every input is read (README "Performance", round 20). A page one of whose
/// calls finished so turns out to have items elsewhere (overlapping exports, a page read twice,
/// a call whose items lie far apart in one page) is read again with those calls held; when a
/// page reads differently the second time (its file changed meanwhile), every input is read
/// again with every call held, and `on_file` is not told about that second reading. Once
/// many pages in a row repeat calls read before, the pages read next hold every call, until
/// pages of new calls come again (round 21). The report is always the one of holding every
/// call.
pub fn compute_paths(
    paths: &[String],
    options: &ReportOptions,
    on_file: impl FnMut(u64) + Send,
) -> crate::Result<(crate::analytics::Report, crate::ingest::IngestReport)> {
    compute_paths_as(paths, options, on_file, Some(crate::ingest::local::GROUP))
}

/// [`compute_paths`], finishing calls where their pages are read in groups of `local` pages
/// ([`crate::ingest::local::GROUP`]), or, with `None`, holding every call until every input
/// is read (the tests compare the two).
pub(crate) fn compute_paths_as(
    paths: &[String],
    options: &ReportOptions,
    mut on_file: impl FnMut(u64) + Send,
    local: Option<usize>,
) -> crate::Result<(crate::analytics::Report, crate::ingest::IngestReport)> {
    crate::files::on_pool(|| {
        let streamed = Streamed::new(&options.analytics, options.skip_text)?;
        let ingest = options.report_ingest();
        let make = || streamed.sink();
        let group = local.filter(|_| ingest.window.is_none() && !paths.iter().any(|p| p == "-"));
        let local = group.is_some();
        if let Some(group) = group {
            let local = crate::ingest::Local::new(&make, group);
            let mut ingestor =
                crate::files::read_inputs_local(paths, &ingest, &mut on_file, &local)?;
            if let Some(dropped) = ingestor.settle_local(&local)? {
                crate::files::stage("settle");
                let early = local
                    .into_partial(&dropped)
                    .unwrap_or_else(|| streamed.sink());
                let done = streamed.finish(ingestor, early)?;
                crate::files::stage("finish + analytics");
                return Ok(done);
            }
            crate::files::stage("a page changed: read everything again");
        }
        let mut early = streamed.sink();
        // (told once about each file: not again when the inputs are read a second time)
        let on_file = |bytes| {
            if !local {
                on_file(bytes)
            }
        };
        let ingestor = crate::files::read_inputs_with(paths, &ingest, on_file, &mut |i| {
            i.finish_idle_into(&mut early, &make)
        })?;
        let done = streamed.finish(ingestor, early)?;
        crate::files::stage("finish + analytics");
        Ok(done)
    })
}

/// The ingest of a report: the report never shows `extra`, so the unmapped fields are not
/// copied (as `callscope report` does).
fn report_ingestor(options: &ReportOptions) -> crate::Result<crate::ingest::Ingestor> {
    crate::ingest::Ingestor::new(&options.report_ingest())
}
