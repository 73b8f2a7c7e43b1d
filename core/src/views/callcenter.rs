//! Call-center (FastAPI seed) views, computed from records at [`ViewOptions::now`]. All
//! shapes are **designed, not verified**:
//!
//! - active calls: `[{callId, direction, status, customerNumber, customerName, agent,
//!   department, startedAt, answeredAt, waitSeconds, durationSeconds}]` oldest first;
//!   `status` is `waiting` (not yet answered) or `in-progress`; `waitSeconds` is the time
//!   queued so far (waiting) or the recorded wait (in progress);
//! - queue: `{totalWaiting, longestWaitSeconds, calls: [{callId, department, position,
//!   customerNumber, waitingSince, waitSeconds}]}`, `position` 1-based within the department;
//! - per-department status: `[{department, activeCalls, waitingCalls, inProgressCalls,
//!   totalCalls, answeredCalls, missedCalls, averageWaitSeconds, longestWaitSeconds}]`
//!   (totals over all given records; `averageWaitSeconds` over answered calls with a wait, 0
//!   when none; `longestWaitSeconds` over the calls waiting now);
//! - per-agent status: `[{agent, status, currentCallId, department, callsHandled,
//!   talkTime}]`, `status` `busy` when the agent is on an in-progress call, else `available`.
//!   Break / offline states come from agent-status events, which the live aggregator (SPEC 4.9)
//!   reads; records alone cannot show them.
//!
//! Departments and agents are ordered by name, a missing one (key null) first.

use super::{ViewOptions, instant, round2, sound};
use crate::model::{CallRecord, Outcome};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use std::collections::BTreeMap;

fn active_at(records: &[CallRecord], now: DateTime<Utc>) -> Vec<&CallRecord> {
    let mut v: Vec<&CallRecord> = records
        .iter()
        .filter(|r| r.outcome == Outcome::Active && r.started_at <= now)
        .collect();
    v.sort_by(|a, b| {
        a.started_at
            .cmp(&b.started_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    v
}

fn waiting(r: &CallRecord, now: DateTime<Utc>) -> bool {
    r.answered_at.is_none_or(|a| a > now)
}

fn seconds(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    round2((to - from).num_milliseconds().max(0) as f64 / 1000.0)
}

fn agent_key(r: &CallRecord) -> Option<String> {
    r.agent.as_ref().and_then(|a| a.key().map(str::to_string))
}

/// Active calls.
pub fn active_calls(records: &[CallRecord], opts: &ViewOptions) -> Value {
    let now = opts.now(records);
    active_at(records, now)
        .into_iter()
        .map(|r| {
            let is_waiting = waiting(r, now);
            let wait = if is_waiting {
                Some(seconds(r.started_at, now))
            } else {
                sound(r.wait_s)
            };
            json!({
                "callId": r.provider_call_id,
                "direction": r.direction.as_str(),
                "status": if is_waiting { "waiting" } else { "in-progress" },
                "customerNumber": r.customer_number,
                "customerName": r.customer_name,
                "agent": agent_key(r),
                "department": r.queue,
                "startedAt": instant(r.started_at),
                "answeredAt": r.answered_at.filter(|a| *a <= now).map(instant),
                "waitSeconds": wait,
                "durationSeconds": seconds(r.started_at, now),
            })
        })
        .collect()
}

/// The queue: active calls not yet answered, longest waiting first within each department.
pub fn queue(records: &[CallRecord], opts: &ViewOptions) -> Value {
    let now = opts.now(records);
    let waiting_calls: Vec<&CallRecord> = active_at(records, now)
        .into_iter()
        .filter(|r| waiting(r, now))
        .collect();
    let mut positions: BTreeMap<Option<String>, usize> = BTreeMap::new();
    let mut longest: f64 = 0.0;
    let calls: Vec<Value> = waiting_calls
        .iter()
        .map(|r| {
            let pos = positions.entry(r.queue.clone()).or_insert(0);
            *pos += 1;
            let wait = seconds(r.started_at, now);
            longest = longest.max(wait);
            json!({
                "callId": r.provider_call_id,
                "department": r.queue,
                "position": *pos,
                "customerNumber": r.customer_number,
                "waitingSince": instant(r.started_at),
                "waitSeconds": wait,
            })
        })
        .collect();
    json!({"totalWaiting": calls.len(), "longestWaitSeconds": longest, "calls": calls})
}

#[derive(Default)]
struct Dept {
    active: usize,
    waiting: usize,
    in_progress: usize,
    total: usize,
    answered: usize,
    missed: usize,
    wait_sum: f64,
    wait_n: usize,
    longest: f64,
}

/// Per-department status.
pub fn department_status(records: &[CallRecord], opts: &ViewOptions) -> Value {
    let now = opts.now(records);
    let mut depts: BTreeMap<Option<String>, Dept> = BTreeMap::new();
    for r in records {
        let d = depts.entry(r.queue.clone()).or_default();
        d.total += 1;
        if r.outcome == Outcome::Answered {
            d.answered += 1;
            if let Some(w) = sound(r.wait_s) {
                d.wait_sum += w;
                d.wait_n += 1;
            }
        } else if r.outcome.is_missed_set() {
            d.missed += 1;
        }
    }
    for r in active_at(records, now) {
        let d = depts.entry(r.queue.clone()).or_default();
        d.active += 1;
        if waiting(r, now) {
            d.waiting += 1;
            d.longest = d.longest.max(seconds(r.started_at, now));
        } else {
            d.in_progress += 1;
        }
    }
    depts
        .into_iter()
        .map(|(name, d)| {
            json!({
                "department": name,
                "activeCalls": d.active,
                "waitingCalls": d.waiting,
                "inProgressCalls": d.in_progress,
                "totalCalls": d.total,
                "answeredCalls": d.answered,
                "missedCalls": d.missed,
                "averageWaitSeconds": if d.wait_n == 0 { 0.0 } else { round2(d.wait_sum / d.wait_n as f64) },
                "longestWaitSeconds": d.longest,
            })
        })
        .collect()
}

#[derive(Default)]
struct AgentState<'a> {
    current: Option<&'a CallRecord>,
    handled: usize,
    talk: f64,
}

/// Per-agent status.
pub fn agent_status(records: &[CallRecord], opts: &ViewOptions) -> Value {
    let now = opts.now(records);
    let mut agents: BTreeMap<String, AgentState> = BTreeMap::new();
    for r in records {
        let Some(key) = agent_key(r) else { continue };
        let a = agents.entry(key).or_default();
        if r.outcome == Outcome::Answered {
            a.handled += 1;
            a.talk += sound(r.talk_s).unwrap_or(0.0);
        }
    }
    for r in active_at(records, now) {
        if waiting(r, now) {
            continue;
        }
        if let Some(key) = agent_key(r) {
            let a = agents.entry(key).or_default();
            // the latest started call is the one the agent is on now
            a.current = Some(r);
        }
    }
    agents
        .into_iter()
        .map(|(agent, a)| {
            json!({
                "agent": agent,
                "status": if a.current.is_some() { "busy" } else { "available" },
                "currentCallId": a.current.map(|r| r.provider_call_id.clone()),
                "department": a.current.and_then(|r| r.queue.clone()),
                "callsHandled": a.handled,
                "talkTime": round2(a.talk),
            })
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use crate::model::{Agent, Direction};

    fn agent(email: &str) -> Option<Agent> {
        Some(Agent {
            id: None,
            email: Some(email.into()),
            name: None,
        })
    }

    fn sample() -> Vec<CallRecord> {
        let mut a = call(
            "c1",
            Direction::Inbound,
            Outcome::Answered,
            "2024-08-01T09:00:00Z",
            65.0,
        );
        a.queue = Some("billing".into());
        a.agent = agent("ann@x.co");
        let mut b = call(
            "c2",
            Direction::Inbound,
            Outcome::Missed,
            "2024-08-01T09:05:00Z",
            30.0,
        );
        b.queue = Some("billing".into());
        let mut c = active("c3", "2024-08-01T10:00:00Z", Some("2024-08-01T10:00:12Z"));
        c.queue = Some("support".into());
        c.agent = agent("bob@x.co");
        c.wait_s = Some(12.0);
        let mut d = active("c4", "2024-08-01T10:01:00Z", None);
        d.queue = Some("billing".into());
        let mut e = active("c5", "2024-08-01T10:01:30Z", None);
        e.queue = Some("billing".into());
        vec![a, b, c, d, e]
    }

    fn opts() -> ViewOptions {
        ViewOptions {
            as_of: Some(at("2024-08-01T10:02:00Z")),
            ..ViewOptions::default()
        }
    }

    #[test]
    fn active_call_rows() {
        let v = active_calls(&sample(), &opts());
        let rows = v.as_array().unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(
            keys(&rows[0]),
            names(&[
                "callId",
                "direction",
                "status",
                "customerNumber",
                "customerName",
                "agent",
                "department",
                "startedAt",
                "answeredAt",
                "waitSeconds",
                "durationSeconds",
            ])
        );
        assert_eq!(rows[0]["status"], "in-progress");
        assert_eq!(rows[0]["waitSeconds"], 12.0);
        // 10:00:00 -> 10:02:00
        assert_eq!(rows[0]["durationSeconds"], 120.0);
        assert_eq!(rows[1]["status"], "waiting");
        // 10:01:00 -> 10:02:00
        assert_eq!(rows[1]["waitSeconds"], 60.0);
    }

    #[test]
    fn queue_positions() {
        let v = queue(&sample(), &opts());
        assert_eq!(
            keys(&v),
            names(&["totalWaiting", "longestWaitSeconds", "calls"])
        );
        assert_eq!(v["totalWaiting"], 2);
        assert_eq!(v["longestWaitSeconds"], 60.0);
        assert_eq!(
            v["calls"][1],
            json!({"callId": "c5", "department": "billing", "position": 2, "customerNumber": "+15551230000",
                   "waitingSince": "2024-08-01T10:01:30Z", "waitSeconds": 30.0})
        );
    }

    #[test]
    fn departments() {
        let v = department_status(&sample(), &opts());
        assert_eq!(
            v,
            json!([
                {"department": "billing", "activeCalls": 2, "waitingCalls": 2, "inProgressCalls": 0, "totalCalls": 4,
                 "answeredCalls": 1, "missedCalls": 1, "averageWaitSeconds": 5.0, "longestWaitSeconds": 60.0},
                {"department": "support", "activeCalls": 1, "waitingCalls": 0, "inProgressCalls": 1, "totalCalls": 1,
                 "answeredCalls": 0, "missedCalls": 0, "averageWaitSeconds": 0.0, "longestWaitSeconds": 0.0},
            ])
        );
    }

    #[test]
    fn agents() {
        let v = agent_status(&sample(), &opts());
        assert_eq!(
            v,
            json!([
                // c1: 65 s with 5 s wait -> 60 s talk
                {"agent": "ann@x.co", "status": "available", "currentCallId": null, "department": null,
                 "callsHandled": 1, "talkTime": 60.0},
                {"agent": "bob@x.co", "status": "busy", "currentCallId": "c3", "department": "support",
                 "callsHandled": 0, "talkTime": 0.0},
            ])
        );
    }
}
