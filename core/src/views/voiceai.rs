//! Voice-AI dashboard API views (Vapi / Retell style dashboards).
//!
//! Field names from SPEC 5: `concurrent-calls` is `{current, peak}` and
//! `concurrent-calls/timeseries` is `[{timestamp, count}]`. Everything else here is
//! **designed, not verified**:
//!
//! - `dashboard-summary`: `{totalCalls, answeredCalls, missedCalls, failedCalls, activeCalls,
//!   answerRate, totalDuration, averageDuration, totalCost, averageCost, transferredCalls}`
//!   (`answerRate` a 0-1 fraction of finished calls or null; `averageCost` over calls with a
//!   cost, 0 when none).
//! - `agent-distribution`: `[{agent, count, percentage}]`, `agent` = the voice-AI assistant's
//!   name, else the human agent key (email, name, id), else null.
//! - `call-ended-reasons`: `[{reason, category, count, percentage}]` by raw reason, over the
//!   calls that have a reason.
//! - `keywords`: `[{keyword, count, positiveCount, neutralCount, negativeCount, avgSentiment,
//!   lastDetectedAt}]` (the SPEC 4.6 row), top `limit`.
//! - `intent-analysis`: `{totalCalls, intents: [{intent, count, percentage}]}`.
//! - `concurrent-calls/timeseries`: `timestamp` is the RFC 3339 bucket start, `count` the
//!   bucket's peak concurrency; `limit` keeps the latest buckets.
//! - `active-calls`: `[{id, callId, provider, assistant, agent, direction, status,
//!   customerNumber, businessNumber, startedAt, durationSoFar}]`, oldest first.
//! - `call.ended` webhook: `{type: "call.ended", timestamp, data: {id, callId, provider,
//!   assistant, direction, outcome, customerNumber, businessNumber, startedAt, answeredAt,
//!   endedAt, duration, endedReason, endedReasonCategory, summary, intent, cost,
//!   recordingUrl}}`.
//!
//! The concurrency views read the analytics result, computed at the granularity the API was
//! asked for:
//!
//! ```
//! use callscope::analytics::{AnalyticsOptions, Granularity, concurrency};
//! use callscope::views::voiceai::{ConcurrencyFigures, concurrent_calls, concurrent_timeseries};
//! let options = AnalyticsOptions { granularity: Granularity::Minute, ..AnalyticsOptions::default() };
//! let figures = ConcurrencyFigures::from(&concurrency(&[], &options).unwrap());
//! assert_eq!(concurrent_calls(&figures), serde_json::json!({"current": 0, "peak": 0}));
//! assert_eq!(concurrent_timeseries(&figures, Some(60)), serde_json::json!([]));
//! ```

use super::{Totals, ViewOptions, instant, percentage, ranked, rate, round2, sound};
use crate::model::{CallRecord, Outcome};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

/// A keyword row of the text module (SPEC 4.6), read from its camelCase JSON.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeywordRow {
    /// The key phrase.
    pub keyword: String,
    /// Calls it was found in.
    pub count: u64,
    /// Of those, calls with positive text.
    #[serde(default)]
    pub positive_count: u64,
    /// Calls with neutral text.
    #[serde(default)]
    pub neutral_count: u64,
    /// Calls with negative text.
    #[serde(default)]
    pub negative_count: u64,
    /// Mean compound sentiment of those calls.
    #[serde(default)]
    pub avg_sentiment: Option<f64>,
    /// Latest call start it was found in.
    #[serde(default)]
    pub last_detected_at: Option<DateTime<Utc>>,
}

/// An intent row of the text module (SPEC 4.6).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntentRow {
    /// Intent label; null for calls without text.
    pub intent: Option<String>,
    /// Calls with this intent.
    pub count: u64,
}

/// The concurrency figures of the report (SPEC 6 `concurrency`), read from their JSON.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConcurrencyFigures {
    /// Calls in progress at `as_of`.
    pub current: u64,
    /// Highest concurrency at any instant.
    pub peak: u64,
    /// When the peak first occurred.
    #[serde(default)]
    pub peak_at: Option<DateTime<Utc>>,
    /// Nominal bucket width.
    #[serde(default)]
    pub granularity_seconds: Option<i64>,
    /// Buckets in time order.
    #[serde(default)]
    pub series: Vec<SeriesPoint>,
}

/// One bucket of the concurrency series.
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeriesPoint {
    /// Bucket start, UTC epoch seconds.
    pub timestamp: i64,
    /// Highest concurrency in the bucket.
    pub peak: u64,
    /// Concurrency at the bucket start.
    #[serde(default)]
    pub at_start: u64,
    /// Time-weighted mean concurrency (erlangs).
    #[serde(default)]
    pub average: f64,
    /// Calls that began in the bucket.
    #[serde(default)]
    pub starts: u64,
}

impl From<&crate::analytics::Concurrency> for ConcurrencyFigures {
    fn from(c: &crate::analytics::Concurrency) -> Self {
        ConcurrencyFigures {
            current: c.current,
            peak: c.peak,
            peak_at: c.peak_at,
            granularity_seconds: i64::try_from(c.granularity_seconds).ok(),
            series: c
                .series
                .iter()
                .map(|b| SeriesPoint {
                    timestamp: b.timestamp,
                    peak: b.peak,
                    at_start: b.at_start,
                    average: b.average,
                    starts: b.starts,
                })
                .collect(),
        }
    }
}

/// `dashboard-summary`.
pub fn dashboard_summary(records: &[CallRecord]) -> Value {
    let t = Totals::of(records);
    let costs: Vec<f64> = records
        .iter()
        .filter_map(|r| r.cost.filter(|c| c.is_finite()))
        .collect();
    let total_cost: f64 = costs.iter().sum();
    let transferred = records.iter().filter(|r| is_transferred(r)).count();
    json!({
        "totalCalls": t.total,
        "answeredCalls": t.answered,
        "missedCalls": t.missed,
        "failedCalls": t.failed,
        "activeCalls": t.active,
        "answerRate": rate(t.answered, t.total - t.active),
        "totalDuration": t.total_duration,
        "averageDuration": t.average_duration(),
        "totalCost": round4(total_cost),
        "averageCost": if costs.is_empty() { 0.0 } else { round4(total_cost / costs.len() as f64) },
        "transferredCalls": transferred,
    })
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

fn is_transferred(r: &CallRecord) -> bool {
    !r.transfers.is_empty()
        || r.ended_reason
            .as_ref()
            .is_some_and(|e| e.category == crate::model::EndedReasonCategory::Transferred)
}

/// `agent-distribution`.
pub fn agent_distribution(records: &[CallRecord]) -> Value {
    let rows = ranked(records.iter().map(|r| {
        r.assistant
            .clone()
            .or_else(|| r.agent.as_ref().and_then(|a| a.key().map(str::to_string)))
    }));
    let total = records.len();
    rows.into_iter()
        .map(|(agent, count)| json!({"agent": agent, "count": count, "percentage": percentage(count, total)}))
        .collect()
}

/// `call-ended-reasons`, grouped by raw reason.
pub fn call_ended_reasons(records: &[CallRecord]) -> Value {
    let with: Vec<_> = records
        .iter()
        .filter_map(|r| r.ended_reason.as_ref())
        .collect();
    let rows = ranked(with.iter().map(|e| Some(e.raw.clone())));
    rows.into_iter()
        .map(|(reason, count)| {
            let category = with
                .iter()
                .find(|e| Some(&e.raw) == reason.as_ref())
                .map(|e| e.category.as_str());
            json!({"reason": reason, "category": category, "count": count, "percentage": percentage(count, with.len())})
        })
        .collect()
}

/// `keywords`: the first `limit` rows by count (descending, ties by keyword).
pub fn keywords(rows: &[KeywordRow], limit: usize) -> Value {
    let mut sorted: Vec<&KeywordRow> = rows.iter().collect();
    sorted.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.keyword.cmp(&b.keyword))
    });
    sorted
        .into_iter()
        .take(limit)
        .map(|k| {
            json!({
                "keyword": k.keyword,
                "count": k.count,
                "positiveCount": k.positive_count,
                "neutralCount": k.neutral_count,
                "negativeCount": k.negative_count,
                "avgSentiment": k.avg_sentiment.map(round4),
                "lastDetectedAt": k.last_detected_at.map(instant),
            })
        })
        .collect()
}

/// `keywords` of the records' call texts (SPEC 4.6: summary, else transcript), through the
/// text analytics; the first `limit` rows.
pub fn keywords_of(
    records: &[CallRecord],
    options: &crate::text::TextOptions,
    limit: usize,
) -> Value {
    let rows: Vec<KeywordRow> = crate::text::keyword_rows(records, options, limit)
        .into_iter()
        .map(|r| KeywordRow {
            keyword: r.keyword,
            count: r.count,
            positive_count: r.positive_count,
            neutral_count: r.neutral_count,
            negative_count: r.negative_count,
            avg_sentiment: Some(r.avg_sentiment),
            last_detected_at: r.last_detected_at,
        })
        .collect();
    keywords(&rows, limit)
}

/// `intent-analysis` of the records: one intent per call (a structured-output intent wins),
/// through the text analytics.
pub fn intent_analysis_of(records: &[CallRecord], options: &crate::text::TextOptions) -> Value {
    let rows: Vec<IntentRow> = crate::text::intent_rows(records, options)
        .into_iter()
        .map(|r| IntentRow {
            intent: Some(r.intent),
            count: r.count,
        })
        .collect();
    intent_analysis(&rows)
}

/// `intent-analysis`: percentages recomputed over the rows given.
pub fn intent_analysis(rows: &[IntentRow]) -> Value {
    let total: u64 = rows.iter().map(|r| r.count).sum();
    let mut sorted: Vec<&IntentRow> = rows.iter().collect();
    sorted.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.intent.cmp(&b.intent)));
    let intents: Vec<Value> = sorted
        .into_iter()
        .map(|r| {
            json!({"intent": r.intent, "count": r.count, "percentage": percentage(r.count as usize, total as usize)})
        })
        .collect();
    json!({"totalCalls": total, "intents": intents})
}

/// `concurrent-calls`.
pub fn concurrent_calls(figures: &ConcurrencyFigures) -> Value {
    json!({"current": figures.current, "peak": figures.peak})
}

/// `concurrent-calls/timeseries`: the latest `limit` buckets (all when `None`).
pub fn concurrent_timeseries(figures: &ConcurrencyFigures, limit: Option<usize>) -> Value {
    let skip = limit.map_or(0, |l| figures.series.len().saturating_sub(l));
    figures
        .series
        .iter()
        .skip(skip)
        .map(|p| {
            let ts = DateTime::from_timestamp(p.timestamp, 0).map(instant);
            json!({"timestamp": ts, "count": p.peak})
        })
        .collect()
}

/// `active-calls` at [`ViewOptions::now`]: calls with outcome `active` started at or before it.
pub fn active_calls(records: &[CallRecord], opts: &ViewOptions) -> Value {
    let now = opts.now(records);
    let mut active: Vec<&CallRecord> = records
        .iter()
        .filter(|r| r.outcome == Outcome::Active && r.started_at <= now)
        .collect();
    active.sort_by(|a, b| {
        a.started_at
            .cmp(&b.started_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    active
        .into_iter()
        .map(|r| {
            let so_far = (now - r.started_at).num_milliseconds() as f64 / 1000.0;
            json!({
                "id": r.id,
                "callId": r.provider_call_id,
                "provider": r.provider.as_str(),
                "assistant": r.assistant,
                "agent": r.agent.as_ref().and_then(|a| a.key().map(str::to_string)),
                "direction": r.direction.as_str(),
                "status": r.raw_status,
                "customerNumber": r.customer_number,
                "businessNumber": r.business_number,
                "startedAt": instant(r.started_at),
                "durationSoFar": round2(so_far),
            })
        })
        .collect()
}

/// The `call.ended` outbound webhook event for one finished call. `timestamp` is the call's
/// end (or start when it has none).
pub fn call_ended_event(r: &CallRecord) -> Value {
    json!({
        "type": "call.ended",
        "timestamp": instant(r.effective_end().unwrap_or(r.started_at)),
        "data": {
            "id": r.id,
            "callId": r.provider_call_id,
            "provider": r.provider.as_str(),
            "assistant": r.assistant,
            "direction": r.direction.as_str(),
            "outcome": r.outcome.as_str(),
            "customerNumber": r.customer_number,
            "businessNumber": r.business_number,
            "startedAt": instant(r.started_at),
            "answeredAt": r.answered_at.map(instant),
            "endedAt": r.ended_at.map(instant),
            "duration": sound(r.duration_s),
            "endedReason": r.ended_reason.as_ref().map(|e| e.raw.clone()),
            "endedReasonCategory": r.ended_reason.as_ref().map(|e| e.category.as_str()),
            "summary": r.summary,
            "intent": r.intent,
            "cost": r.cost,
            "recordingUrl": r.recording_url,
        }
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::fixtures::*;
    use super::*;

    #[test]
    fn keywords_and_intents_from_records() {
        let mut a = call(
            "a",
            Direction::Inbound,
            Outcome::Answered,
            "2024-05-01T10:00:00Z",
            60.0,
        );
        a.summary = Some("Caller asked for a refund of the late fee on her invoice.".into());
        let mut b = call(
            "b",
            Direction::Inbound,
            Outcome::Answered,
            "2024-05-01T11:00:00Z",
            60.0,
        );
        b.summary = Some("Customer wants a refund because the invoice was wrong.".into());
        let mut c = call(
            "c",
            Direction::Inbound,
            Outcome::Answered,
            "2024-05-01T12:00:00Z",
            60.0,
        );
        c.intent = Some("purchase".into());
        let records = vec![a, b, c];
        let opts = crate::text::TextOptions::default();
        // "refund" and "invoice" are in both summaries: count 2 each, last seen at b's start
        let kw = keywords_of(&records, &opts, 50);
        let refund = kw
            .as_array()
            .and_then(|rows| rows.iter().find(|r| r["keyword"] == "refund"))
            .cloned()
            .unwrap_or_default();
        assert_eq!(refund["count"], 2);
        assert_eq!(refund["lastDetectedAt"], "2024-05-01T11:00:00Z");
        // two billing texts and one structured-output intent: billing 2 (66.67 %), purchase 1
        let intents = intent_analysis_of(&records, &opts);
        assert_eq!(intents["totalCalls"], 3);
        assert_eq!(intents["intents"][0]["intent"], "billing");
        assert_eq!(intents["intents"][0]["count"], 2);
        assert_eq!(intents["intents"][1]["intent"], "purchase");
        assert_eq!(intents["intents"][1]["percentage"], 33.33);
    }
    use crate::model::{Agent, Direction, EndedReason, EndedReasonCategory};

    fn reason(raw: &str, category: EndedReasonCategory) -> Option<EndedReason> {
        Some(EndedReason {
            category,
            raw: raw.into(),
        })
    }

    fn sample() -> Vec<CallRecord> {
        let mut a = call(
            "v1",
            Direction::Inbound,
            Outcome::Answered,
            "2024-06-01T09:00:00Z",
            100.0,
        );
        a.assistant = Some("Riley".into());
        a.ended_reason = reason("customer-ended-call", EndedReasonCategory::CustomerEnded);
        a.cost = Some(0.1234);
        let mut b = call(
            "v2",
            Direction::Outbound,
            Outcome::Answered,
            "2024-06-01T09:10:00Z",
            50.0,
        );
        b.assistant = Some("Riley".into());
        b.ended_reason = reason("assistant-forwarded-call", EndedReasonCategory::Transferred);
        b.cost = Some(0.05);
        let mut c = call(
            "v3",
            Direction::Outbound,
            Outcome::Unanswered,
            "2024-06-01T09:20:00Z",
            30.0,
        );
        c.agent = Some(Agent {
            id: Some("9".into()),
            email: None,
            name: Some("Sam".into()),
        });
        c.ended_reason = reason("customer-ended-call", EndedReasonCategory::CustomerEnded);
        let d = active("v4", "2024-06-01T09:30:00Z", Some("2024-06-01T09:30:04Z"));
        vec![a, b, c, d]
    }

    #[test]
    fn dashboard_summary_shape_and_values() {
        let v = dashboard_summary(&sample());
        assert_eq!(
            keys(&v),
            names(&[
                "totalCalls",
                "answeredCalls",
                "missedCalls",
                "failedCalls",
                "activeCalls",
                "answerRate",
                "totalDuration",
                "averageDuration",
                "totalCost",
                "averageCost",
                "transferredCalls",
            ])
        );
        assert_eq!(v["totalCalls"], 4);
        assert_eq!(v["activeCalls"], 1);
        // 2 answered of 3 finished
        assert_eq!(v["answerRate"].as_f64().unwrap(), 2.0 / 3.0);
        // (100 + 50 + 30) / 3 = 60
        assert_eq!(v["averageDuration"], 60.0);
        // 0.1234 + 0.05 = 0.1734, mean 0.0867
        assert_eq!(v["totalCost"], 0.1734);
        assert_eq!(v["averageCost"], 0.0867);
        assert_eq!(v["transferredCalls"], 1);
    }

    #[test]
    fn agent_distribution_rows() {
        let v = agent_distribution(&sample());
        // Riley 2, then null (the active call) and Sam with 1 each: null sorts first
        assert_eq!(
            v,
            json!([
                {"agent": "Riley", "count": 2, "percentage": 50.0},
                {"agent": null, "count": 1, "percentage": 25.0},
                {"agent": "Sam", "count": 1, "percentage": 25.0},
            ])
        );
    }

    #[test]
    fn ended_reason_rows() {
        let v = call_ended_reasons(&sample());
        // 3 calls with a reason: customer-ended-call 2 (66.67 %), forwarded 1 (33.33 %)
        assert_eq!(
            v,
            json!([
                {"reason": "customer-ended-call", "category": "customer-ended", "count": 2, "percentage": 66.67},
                {"reason": "assistant-forwarded-call", "category": "transferred", "count": 1, "percentage": 33.33},
            ])
        );
    }

    #[test]
    fn keyword_and_intent_rows() {
        let rows: Vec<KeywordRow> = serde_json::from_value(json!([
            {"keyword": "refund", "count": 3, "positiveCount": 0, "neutralCount": 1, "negativeCount": 2,
             "avgSentiment": -0.41234, "lastDetectedAt": "2024-06-01T09:00:00Z"},
            {"keyword": "appointment", "count": 5},
            {"keyword": "bill", "count": 3},
        ]))
        .unwrap();
        let v = keywords(&rows, 2);
        assert_eq!(v.as_array().unwrap().len(), 2);
        assert_eq!(v[0]["keyword"], "appointment");
        // tie on 3: "bill" < "refund"
        assert_eq!(v[1]["keyword"], "bill");
        let all = keywords(&rows, 10);
        assert_eq!(
            keys(&all[2]),
            names(&[
                "keyword",
                "count",
                "positiveCount",
                "neutralCount",
                "negativeCount",
                "avgSentiment",
                "lastDetectedAt"
            ])
        );
        assert_eq!(all[2]["avgSentiment"], -0.4123);
        assert_eq!(all[2]["lastDetectedAt"], "2024-06-01T09:00:00Z");

        let intents: Vec<IntentRow> = serde_json::from_value(json!([
            {"intent": "billing", "count": 1, "percentage": 12.5},
            {"intent": "support", "count": 3},
        ]))
        .unwrap();
        let v = intent_analysis(&intents);
        // 3 / 4 = 75 %, 1 / 4 = 25 %
        assert_eq!(
            v,
            json!({"totalCalls": 4, "intents": [
                {"intent": "support", "count": 3, "percentage": 75.0},
                {"intent": "billing", "count": 1, "percentage": 25.0},
            ]})
        );
    }

    #[test]
    fn concurrency_views() {
        let figures: ConcurrencyFigures = serde_json::from_value(json!({
            "current": 2, "peak": 5, "peakAt": "2024-06-01T09:30:00Z", "granularitySeconds": 3600,
            "series": [
                {"timestamp": 1717228800, "peak": 1, "atStart": 0, "average": 0.2, "starts": 1},
                {"timestamp": 1717232400, "peak": 5, "atStart": 1, "average": 2.5, "starts": 6},
                {"timestamp": 1717236000, "peak": 3, "atStart": 3, "average": 1.0, "starts": 0},
            ]
        }))
        .unwrap();
        assert_eq!(concurrent_calls(&figures), json!({"current": 2, "peak": 5}));
        let ts = concurrent_timeseries(&figures, Some(2));
        // 1717232400 = 2024-06-01T09:00:00Z
        assert_eq!(
            ts,
            json!([
                {"timestamp": "2024-06-01T09:00:00Z", "count": 5},
                {"timestamp": "2024-06-01T10:00:00Z", "count": 3},
            ])
        );
        assert_eq!(
            concurrent_timeseries(&figures, None)
                .as_array()
                .unwrap()
                .len(),
            3
        );
    }

    #[test]
    fn concurrency_from_the_analytics() {
        use crate::analytics::{AnalyticsOptions, concurrency};
        // v1 09:00:00-09:01:40, v2 09:10:00-09:10:50, v3 09:20:00-09:20:30 never overlap;
        // v4 is active since 09:30 and as_of is the latest instant (its answer, 09:30:04)
        let c = concurrency(&sample(), &AnalyticsOptions::default()).unwrap();
        let figures = ConcurrencyFigures::from(&c);
        assert_eq!(concurrent_calls(&figures), json!({"current": 1, "peak": 1}));
        assert_eq!(
            concurrent_timeseries(&figures, None),
            json!([{"timestamp": "2024-06-01T09:00:00Z", "count": 1}])
        );
    }

    #[test]
    fn active_calls_and_webhook() {
        let rs = sample();
        let opts = ViewOptions {
            as_of: Some(at("2024-06-01T09:31:30Z")),
            ..ViewOptions::default()
        };
        let v = active_calls(&rs, &opts);
        let rows = v.as_array().unwrap();
        assert_eq!(rows.len(), 1);
        // 09:30:00 -> 09:31:30 = 90 s
        assert_eq!(rows[0]["durationSoFar"], 90.0);
        assert_eq!(rows[0]["status"], "in-progress");
        assert_eq!(
            keys(&rows[0]),
            names(&[
                "id",
                "callId",
                "provider",
                "assistant",
                "agent",
                "direction",
                "status",
                "customerNumber",
                "businessNumber",
                "startedAt",
                "durationSoFar",
            ])
        );
        let early = ViewOptions {
            as_of: Some(at("2024-06-01T09:29:00Z")),
            ..ViewOptions::default()
        };
        assert_eq!(active_calls(&rs, &early), json!([]));

        let e = call_ended_event(&rs[1]);
        assert_eq!(keys(&e), names(&["type", "timestamp", "data"]));
        assert_eq!(e["type"], "call.ended");
        // 09:10:00 + 50 s
        assert_eq!(e["timestamp"], "2024-06-01T09:10:50Z");
        assert_eq!(e["data"]["endedReason"], "assistant-forwarded-call");
        assert_eq!(e["data"]["endedReasonCategory"], "transferred");
        assert_eq!(
            keys(&e["data"]),
            names(&[
                "id",
                "callId",
                "provider",
                "assistant",
                "direction",
                "outcome",
                "customerNumber",
                "businessNumber",
                "startedAt",
                "answeredAt",
                "endedAt",
                "duration",
                "endedReason",
                "endedReasonCategory",
                "summary",
                "intent",
                "cost",
                "recordingUrl",
            ])
        );
    }
}
