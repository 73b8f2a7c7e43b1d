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
//! The list is sorted newest first; filter the records before calling it.

use super::{Totals, count_map, instant, sound};
use crate::model::{CallRecord, Direction};
use serde_json::{Value, json};

/// The largest page SPEC 4.7 allows.
pub const MAX_LIMIT: usize = 1000;

/// A page request: 1-based `page`, `limit` rows per page (clamped to 1..=1000).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// 1-based page number (0 is read as 1).
    pub page: usize,
    /// Rows per page.
    pub limit: usize,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest { page: 1, limit: 20 }
    }
}

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

/// `GET /api/calls`: one page of rows, newest first, with the pagination object.
pub fn list(records: &[CallRecord], page: PageRequest) -> Value {
    let limit = page.limit.clamp(1, MAX_LIMIT);
    let current = page.page.max(1);
    let total = records.len();
    let total_pages = total.div_ceil(limit);
    let mut sorted: Vec<&CallRecord> = records.iter().collect();
    sorted.sort_by(|a, b| {
        b.started_at
            .cmp(&a.started_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    let items: Vec<Value> = sorted
        .into_iter()
        .skip((current - 1).saturating_mul(limit))
        .take(limit)
        .map(row)
        .collect();
    json!({
        "items": items,
        "pagination": {
            "currentPage": current,
            "totalPages": total_pages,
            "totalCount": total,
            "perPage": limit,
            "hasNext": current < total_pages,
            "hasPrev": current > 1,
        }
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
        let v = list(&sample(), PageRequest { page: 2, limit: 2 });
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
        let last = list(&sample(), PageRequest { page: 3, limit: 2 });
        assert_eq!(last["pagination"]["hasNext"], false);
        assert_eq!(last["items"].as_array().unwrap().len(), 1);
        let huge = list(
            &sample(),
            PageRequest {
                page: 0,
                limit: 5000,
            },
        );
        assert_eq!(huge["pagination"]["perPage"], 1000);
        assert_eq!(huge["pagination"]["currentPage"], 1);
        assert_eq!(huge["pagination"]["hasPrev"], false);
        let empty = list(&[], PageRequest::default());
        assert_eq!(empty["pagination"]["totalPages"], 0);
        assert_eq!(empty["items"], json!([]));
        // outbound row: business -> customer
        let out = row(&sample()[3]);
        assert_eq!(out["fromNumber"], "+15559870000");
    }
}
