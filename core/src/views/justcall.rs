//! JustCall seed API views.
//!
//! `GET /api/justcall/metrics` (field names from SPEC 5):
//!
//! ```json
//! {"email": "a@b.co" | null,
//!  "metrics": {"totalCalls", "inboundCalls", "outboundCalls", "completedCalls", "missedCalls",
//!              "totalDuration", "averageDuration",
//!              "callsByDay": {"YYYY-MM-DD": n}, "callsByStatus": {"answered": n, ...}}}
//! ```
//!
//! Designed, not verified: `completedCalls` counts answered calls, `missedCalls` the SPEC 4.1
//! missed set, `callsByStatus` is keyed by the normalized outcome word.
//!
//! `GET /api/justcall/calls` rows (designed, not verified): a JSON array of JustCall v2.1 call
//! objects (the documented vendor shape, PROVIDERS.md 1.2) rebuilt from the normalized record:
//!
//! ```json
//! {"id", "call_sid", "contact_number", "contact_name", "justcall_number", "agent_id",
//!  "agent_name", "agent_email", "call_date", "call_time",
//!  "call_info": {"direction": "Incoming"|"Outgoing"|"Internal"|"Unknown", "type",
//!                "disposition", "notes", "recording"},
//!  "call_duration": {"total_duration", "conversation_time", "ring_time", "wrap_up_time"},
//!  "cost_incurred"}
//! ```
//!
//! `id` is the provider's call id (a number when it is all digits), `call_date`/`call_time`
//! are UTC like JustCall's own, `type` is the raw JustCall word when the record has one, else
//! the outcome word.

use super::{Totals, ViewOptions, count_map, local_day, sound};
use crate::model::{CallRecord, Direction};
use serde_json::{Value, json};

/// `GET /api/justcall/metrics` over the calls of one agent (`email`, case-insensitive) or of
/// everyone (`None`).
pub fn metrics(records: &[CallRecord], email: Option<&str>, opts: &ViewOptions) -> Value {
    let mine: Vec<CallRecord> = match email {
        Some(e) => records
            .iter()
            .filter(|r| {
                r.agent
                    .as_ref()
                    .and_then(|a| a.email.as_deref())
                    .is_some_and(|x| x.eq_ignore_ascii_case(e))
            })
            .cloned()
            .collect(),
        None => records.to_vec(),
    };
    let t = Totals::of(&mine);
    json!({
        "email": email.map(str::to_ascii_lowercase),
        "metrics": {
            "totalCalls": t.total,
            "inboundCalls": t.inbound,
            "outboundCalls": t.outbound,
            "completedCalls": t.answered,
            "missedCalls": t.missed,
            "totalDuration": t.total_duration,
            "averageDuration": t.average_duration(),
            "callsByDay": count_map(mine.iter().map(|r| local_day(r.started_at, opts.tz))),
            "callsByStatus": count_map(mine.iter().map(|r| r.outcome.as_str().to_string())),
        }
    })
}

/// JustCall's direction word.
fn direction_word(d: Direction) -> &'static str {
    match d {
        Direction::Inbound => "Incoming",
        Direction::Outbound => "Outgoing",
        Direction::Internal => "Internal",
        Direction::Unknown => "Unknown",
    }
}

/// `GET /api/justcall/calls`: one JustCall-shaped row per record, newest first.
pub fn calls(records: &[CallRecord]) -> Value {
    let mut sorted: Vec<&CallRecord> = records.iter().collect();
    sorted.sort_by(|a, b| {
        b.started_at
            .cmp(&a.started_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    Value::Array(sorted.into_iter().map(call_row).collect())
}

fn call_row(r: &CallRecord) -> Value {
    let id = match r.provider_call_id.parse::<u64>() {
        Ok(n) => Value::from(n),
        Err(_) => Value::from(r.provider_call_id.clone()),
    };
    let agent = r.agent.as_ref();
    let call_type = r
        .raw_status
        .clone()
        .unwrap_or_else(|| r.outcome.as_str().to_string());
    let talk = sound(r.talk_s);
    let ring = sound(r.wait_s);
    let total = match (sound(r.duration_s), ring) {
        // JustCall's total_duration is talk + hold, without the ring/queue time
        (Some(d), Some(w)) => Some((d - w).max(0.0)),
        (d, _) => talk.or(d),
    };
    json!({
        "id": id,
        "call_sid": r.extra.get("call_sid").cloned().unwrap_or(Value::Null),
        "contact_number": r.customer_number,
        "contact_name": r.customer_name,
        "justcall_number": r.business_number,
        "agent_id": agent.and_then(|a| a.id.clone()),
        "agent_name": agent.and_then(|a| a.name.clone()),
        "agent_email": agent.and_then(|a| a.email.clone()),
        "call_date": r.started_at.format("%Y-%m-%d").to_string(),
        "call_time": r.started_at.format("%H:%M:%S").to_string(),
        "call_info": {
            "direction": direction_word(r.direction),
            "type": call_type,
            "disposition": r.disposition,
            "notes": r.notes,
            "recording": r.recording_url,
        },
        "call_duration": {
            "total_duration": total,
            "conversation_time": talk,
            "ring_time": ring,
            "wrap_up_time": sound(r.wrap_up_s),
        },
        "cost_incurred": r.cost,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use crate::model::{Agent, Outcome};

    fn agent(email: &str) -> Option<Agent> {
        Some(Agent {
            id: Some("42".into()),
            email: Some(email.into()),
            name: Some("Ann".into()),
        })
    }

    fn sample() -> Vec<CallRecord> {
        let mut a = call(
            "101",
            Direction::Inbound,
            Outcome::Answered,
            "2024-03-04T15:00:00Z",
            125.0,
        );
        a.agent = agent("ann@x.co");
        let mut b = call(
            "102",
            Direction::Inbound,
            Outcome::Missed,
            "2024-03-05T03:30:00Z",
            20.0,
        );
        b.agent = agent("ann@x.co");
        let mut c = call(
            "103",
            Direction::Outbound,
            Outcome::Answered,
            "2024-03-05T16:00:00Z",
            61.0,
        );
        c.agent = agent("bob@x.co");
        vec![a, b, c]
    }

    #[test]
    fn metrics_shape_and_values() {
        let opts = ViewOptions {
            tz: chrono_tz::America::New_York,
            as_of: None,
        };
        let v = metrics(&sample(), Some("ANN@x.co"), &opts);
        assert_eq!(keys(&v), names(&["email", "metrics"]));
        assert_eq!(v["email"], "ann@x.co");
        let m = &v["metrics"];
        assert_eq!(
            keys(m),
            names(&[
                "totalCalls",
                "inboundCalls",
                "outboundCalls",
                "completedCalls",
                "missedCalls",
                "totalDuration",
                "averageDuration",
                "callsByDay",
                "callsByStatus",
            ])
        );
        // Ann: 101 answered (125 s) + 102 missed (20 s)
        assert_eq!(m["totalCalls"], 2);
        assert_eq!(m["inboundCalls"], 2);
        assert_eq!(m["outboundCalls"], 0);
        assert_eq!(m["completedCalls"], 1);
        assert_eq!(m["missedCalls"], 1);
        assert_eq!(m["totalDuration"], 145.0);
        assert_eq!(m["averageDuration"], 72.5);
        // 2024-03-05T03:30Z is 22:30 on 03-04 in New York (EST, -5)
        assert_eq!(m["callsByDay"], json!({"2024-03-04": 2}));
        assert_eq!(m["callsByStatus"], json!({"answered": 1, "missed": 1}));
    }

    #[test]
    fn metrics_for_everyone() {
        let v = metrics(&sample(), None, &ViewOptions::default());
        assert_eq!(v["email"], Value::Null);
        assert_eq!(v["metrics"]["totalCalls"], 3);
        // UTC days: 03-04 one call, 03-05 two calls
        assert_eq!(
            v["metrics"]["callsByDay"],
            json!({"2024-03-04": 1, "2024-03-05": 2})
        );
        // (125 + 20 + 61) / 3 = 68.666.. -> 68.67
        assert_eq!(v["metrics"]["averageDuration"], 68.67);
    }

    #[test]
    fn call_rows_are_justcall_shaped() {
        let v = calls(&sample());
        let rows = v.as_array().unwrap();
        assert_eq!(rows.len(), 3);
        let first = &rows[0];
        assert_eq!(first["id"], 103);
        assert_eq!(
            keys(first),
            names(&[
                "id",
                "call_sid",
                "contact_number",
                "contact_name",
                "justcall_number",
                "agent_id",
                "agent_name",
                "agent_email",
                "call_date",
                "call_time",
                "call_info",
                "call_duration",
                "cost_incurred",
            ])
        );
        assert_eq!(
            keys(&first["call_info"]),
            names(&["direction", "type", "disposition", "notes", "recording"])
        );
        assert_eq!(
            keys(&first["call_duration"]),
            names(&[
                "total_duration",
                "conversation_time",
                "ring_time",
                "wrap_up_time"
            ])
        );
        assert_eq!(first["call_info"]["direction"], "Outgoing");
        assert_eq!(first["call_date"], "2024-03-05");
        assert_eq!(first["call_time"], "16:00:00");
        // 61 s total with 5 s ring -> total_duration 56, conversation 56
        assert_eq!(first["call_duration"]["total_duration"], 56.0);
        assert_eq!(first["call_duration"]["conversation_time"], 56.0);
        assert_eq!(first["call_duration"]["ring_time"], 5.0);
        assert_eq!(rows[2]["id"], 101);
    }
}
