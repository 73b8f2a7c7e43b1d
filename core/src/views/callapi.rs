//! Call-management API views (the Supabase/Twilio seed API).
//!
//! `GET /api/calls/stats` (field names from SPEC 5):
//!
//! ```json
//! {"totalCalls", "answeredCalls", "missedCalls", "totalDuration", "averageDuration",
//!  "callOutcomeBreakdown": {"answered": n, ...}, "callsByDirection": {"inbound": n, ...},
//!  "callsByStatus": {"<raw status>": n, ...}}
//! ```
//!
//! Designed, not verified: `callOutcomeBreakdown` is keyed by the normalized outcome,
//! `callsByStatus` by the provider's raw status word (`unknown` when there is none).
//!
//! `GET /api/calls` (pagination names from SPEC 4.7; the `items` key and row fields are
//! designed, not verified):
//!
//! ```json
//! {"items": [{"id", "callSid", "provider", "direction", "status", "outcome", "fromNumber",
//!             "toNumber", "customerName", "agentId", "agentEmail", "startedAt", "answeredAt",
//!             "endedAt", "duration", "talkTime", "waitTime", "recordingUrl", "endedReason",
//!             "tags", "metadata": {"custom": {"department"}}}],
//!  "pagination": {"currentPage", "totalPages", "totalCount", "perPage", "hasNext", "hasPrev"}}
//! ```
//!
//! `fromNumber`/`toNumber` follow the call's direction (inbound: customer -> business).
//! The list takes a [`ListQuery`] (filters, sort, page and limit of SPEC 4.7; default newest
//! first, 50 a page).

use super::{Totals, count_map, instant, sound};
use crate::analytics::{ListQuery, list_calls};
use crate::model::{CallRecord, Direction};
use serde_json::{Value, json};

/// `GET /api/calls/stats`.
pub fn stats(records: &[CallRecord]) -> Value {
    let t = Totals::of(records);
    json!({
        "totalCalls": t.total,
        "answeredCalls": t.answered,
        "missedCalls": t.missed,
        "totalDuration": t.total_duration,
        "averageDuration": t.average_duration(),
        "callOutcomeBreakdown": count_map(records.iter().map(|r| r.outcome.as_str().to_string())),
        "callsByDirection": count_map(records.iter().map(|r| r.direction.as_str().to_string())),
        "callsByStatus": count_map(
            records.iter().map(|r| r.raw_status.clone().unwrap_or_else(|| "unknown".into()))
        ),
    })
}

/// `GET /api/calls`: the records `query` selects (SPEC 4.7 filters, sort and page, by
/// [`list_calls`]), as rows with the pagination object.
pub fn list(records: &[CallRecord], query: &ListQuery) -> Value {
    let page = list_calls(records, query);
    json!({
        "items": page.items.into_iter().map(row).collect::<Vec<_>>(),
        "pagination": page.pagination,
    })
}

/// One call-management row.
pub fn row(r: &CallRecord) -> Value {
    let (from, to) = match r.direction {
        Direction::Outbound => (&r.business_number, &r.customer_number),
        _ => (&r.customer_number, &r.business_number),
    };
    let agent = r.agent.as_ref();
    json!({
        "id": r.id,
        "callSid": r.provider_call_id,
        "provider": r.provider.as_str(),
        "direction": r.direction.as_str(),
        "status": r.raw_status,
        "outcome": r.outcome.as_str(),
        "fromNumber": from,
        "toNumber": to,
        "customerName": r.customer_name,
        "agentId": agent.and_then(|a| a.id.clone()),
        "agentEmail": agent.and_then(|a| a.email.clone()),
        "startedAt": instant(r.started_at),
        "answeredAt": r.answered_at.map(instant),
        "endedAt": r.ended_at.map(instant),
        "duration": sound(r.duration_s),
        "talkTime": sound(r.talk_s),
        "waitTime": sound(r.wait_s),
        "recordingUrl": r.recording_url,
        "endedReason": r.ended_reason.as_ref().map(|e| e.raw.clone()),
        "tags": r.tags,
        "metadata": {"custom": {"department": r.queue}},
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use crate::model::Outcome;

    fn sample() -> Vec<CallRecord> {
        let mut v = Vec::new();
        for i in 0..5 {
            let start = format!("2024-05-0{}T10:00:00Z", i + 1);
            let (dir, out) = match i {
                0 | 1 => (Direction::Inbound, Outcome::Answered),
                2 => (Direction::Inbound, Outcome::Missed),
                3 => (Direction::Outbound, Outcome::Unanswered),
                _ => (Direction::Outbound, Outcome::Answered),
            };
            let mut r = call(&format!("CA{i}"), dir, out, &start, 10.0 * (i + 1) as f64);
            r.queue = Some("sales".into());
            v.push(r);
        }
        v[4].raw_status = None;
        v
    }

    #[test]
    fn stats_shape_and_values() {
        let v = stats(&sample());
        assert_eq!(
            keys(&v),
            names(&[
                "totalCalls",
                "answeredCalls",
                "missedCalls",
                "totalDuration",
                "averageDuration",
                "callOutcomeBreakdown",
                "callsByDirection",
                "callsByStatus",
            ])
        );
        assert_eq!(v["totalCalls"], 5);
        assert_eq!(v["answeredCalls"], 3);
        // missed + unanswered
        assert_eq!(v["missedCalls"], 2);
        // 10 + 20 + 30 + 40 + 50 = 150, / 5 = 30
        assert_eq!(v["totalDuration"], 150.0);
        assert_eq!(v["averageDuration"], 30.0);
        assert_eq!(
            v["callOutcomeBreakdown"],
            json!({"answered": 3, "missed": 1, "unanswered": 1})
        );
        assert_eq!(v["callsByDirection"], json!({"inbound": 3, "outbound": 2}));
        assert_eq!(
            v["callsByStatus"],
            json!({"answered": 2, "missed": 1, "unanswered": 1, "unknown": 1})
        );
    }

    #[test]
    fn list_pages_newest_first() {
        let v = list(
            &sample(),
            &ListQuery {
                page: 2,
                limit: 2,
                ..ListQuery::default()
            },
        );
        assert_eq!(keys(&v), names(&["items", "pagination"]));
        assert_eq!(
            v["pagination"],
            json!({"currentPage": 2, "totalPages": 3, "totalCount": 5, "perPage": 2, "hasNext": true, "hasPrev": true})
        );
        let items = v["items"].as_array().unwrap();
        // newest first: CA4, CA3 | CA2, CA1 | CA0
        assert_eq!(items.len(), 2);
        assert_eq!(items[0]["callSid"], "CA2");
        assert_eq!(items[1]["callSid"], "CA1");
        assert_eq!(
            keys(&items[0]),
            names(&[
                "id",
                "callSid",
                "provider",
                "direction",
                "status",
                "outcome",
                "fromNumber",
                "toNumber",
                "customerName",
                "agentId",
                "agentEmail",
                "startedAt",
                "answeredAt",
                "endedAt",
                "duration",
                "talkTime",
                "waitTime",
                "recordingUrl",
                "endedReason",
                "tags",
                "metadata",
            ])
        );
        assert_eq!(items[0]["metadata"]["custom"]["department"], "sales");
        assert_eq!(items[0]["fromNumber"], "+15551230000");
        assert_eq!(items[0]["startedAt"], "2024-05-03T10:00:00Z");
    }

    #[test]
    fn list_edges() {
        let last = list(
            &sample(),
            &ListQuery {
                page: 3,
                limit: 2,
                ..ListQuery::default()
            },
        );
        assert_eq!(last["pagination"]["hasNext"], false);
        assert_eq!(last["items"].as_array().unwrap().len(), 1);
        let huge = list(
            &sample(),
            &ListQuery {
                page: 0,
                limit: 5000,
                ..ListQuery::default()
            },
        );
        assert_eq!(huge["pagination"]["perPage"], 1000);
        assert_eq!(huge["pagination"]["currentPage"], 1);
        assert_eq!(huge["pagination"]["hasPrev"], false);
        let empty = list(&[], &ListQuery::default());
        assert_eq!(empty["pagination"]["totalPages"], 0);
        assert_eq!(empty["items"], json!([]));
        // the SPEC 4.7 filter applies: 2 outbound calls
        let mut outbound = ListQuery::default();
        outbound.filter.direction = vec![Direction::Outbound];
        assert_eq!(list(&sample(), &outbound)["pagination"]["totalCount"], 2);
        // outbound row: business -> customer
        let out = row(&sample()[3]);
        assert_eq!(out["fromNumber"], "+15559870000");
    }
}
