//! The event stream of the FastAPI call-center system (provider `callcenter`).
//!
//! **Designed from SPEC 3 and 7, not verified against the seed system**, whose documents were
//! not available: the envelope and key names below are this library's contract for that stream.
//!
//! ## Accepted shape
//!
//! One event per JSON object (a document, an NDJSON line or an array element):
//!
//! ```json
//! {"event": "call:new", "timestamp": "2024-05-01T10:00:00Z",
//!  "data": {"callId": "c-1", "callerNumber": "+15551234567", "callerName": "Ann",
//!           "status": "waiting", "department": "sales", "agentId": "a-7",
//!           "agentName": "Bob", "priority": "high", "language": "en"}}
//! ```
//!
//! - the event name is `event` (or `type`); the body is `data` (or `payload`); the socket.io
//!   form `["call:new", {...}]` is accepted too (its event time is the body's `timestamp`);
//! - every key of the body is accepted in camelCase or snake_case (`callId` / `call_id`);
//! - event time: the envelope `timestamp`, else the body's `timestamp`.
//!
//! Body keys read (others are kept in `extra`): `callId` (else `id`, required);
//! `callerNumber` / `phoneNumber` / `from` -> customer number; `callerName` / `customerName`;
//! `calledNumber` / `to` -> business number; `direction` (`inbound`, `outbound`, `internal`;
//! `unknown` when absent); `status` (table [`STATUSES`]); `department` / `queue`; `agentId`,
//! `agentName`, `agentEmail`; `startTime` / `startedAt` / `createdAt`; `answeredAt`;
//! `endTime` / `endedAt`; `duration` / `durationSeconds` (seconds, total); `waitTime`;
//! `talkTime`; `endReason` / `endedReason` (table [`END_REASONS`]); `toDepartment`, `toAgentId`,
//! `toAgentName` (transfers); `tenantId` / `organizationId`; `language`; `summary`; `notes`;
//! `disposition`; `tags`; `recordingUrl`; `transcript` (text `Speaker: words` lines, or
//! `[{speaker, text, start}]`).
//!
//! ## Events
//!
//! - `call:new`, `call:routed`, `call:updated`, `call:transferred`, `call:ended`: parts of one
//!   call, folded in any order. Precedence by stage: `call:new` < `call:updated` (waiting,
//!   ringing) < `call:routed` < `call:updated` (in progress, on hold) < `call:transferred` <
//!   `call:updated` (a final status) < `call:ended`; among events of one stage the **earliest**
//!   wins, so the answer time and agent are those of the first in-progress event and the queue
//!   is the first routing. Any other `call:*` event is read like `call:updated` and its name
//!   counted as an unknown word.
//! - `ticket:*`, `agent:*` (agent status feeds the live aggregator), `message:*`, `chat:*`,
//!   `notification:*` and every other event: non-call items `callcenter <event>`.
//!
//! ## Mapping (SPEC 7)
//!
//! `started_at` = the body's start time, else the time of `call:new`; `answered_at` = the body's
//! `answeredAt`, else the time of the event whose status went in progress; the agent is the one
//! named by that event (an agent named only by other events is the fallback); the queue is the
//! department of `call:routed` (else of any event); `duration_s` is the `call:ended` duration
//! and the end is start + duration (the event time ends the call only when no duration is
//! given); `talk_s` = end - answer; transfers come from `call:transferred` (to department / to
//! agent, at the event time). A `call:ended` with no final status word is `answered` when the
//! call went in progress, else `missed` / `unanswered` by direction. Calls that are not
//! `answered` (and not active) keep no answer instant or wait (SPEC 7).

use super::json::{as_text, keep_rest};
use super::{Item, ParseCtx};
use crate::model::{
    Agent, CallDraft, Direction, EndedReason, EndedReasonCategory as Cat, Outcome, Provider,
    TranscriptTurn, Transfer,
};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

/// What a status word says about the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Not finished, at a stage (1 waiting, 2 ringing, 3 in progress).
    Active(u8),
    /// Finished with this outcome.
    Done(Outcome),
    /// Finished unanswered: `missed` inbound, `unanswered` otherwise.
    NoAnswer,
}

/// Status words (lower case; `_` and spaces read as `-`).
pub const STATUSES: &[(&str, Fate)] = &[
    ("new", Fate::Active(1)),
    ("waiting", Fate::Active(1)),
    ("queued", Fate::Active(1)),
    ("ringing", Fate::Active(2)),
    ("routed", Fate::Active(2)),
    ("in-progress", Fate::Active(3)),
    ("active", Fate::Active(3)),
    ("connected", Fate::Active(3)),
    ("on-hold", Fate::Active(3)),
    ("transferring", Fate::Active(3)),
    ("completed", Fate::Done(Outcome::Answered)),
    ("transferred", Fate::Done(Outcome::Answered)),
    ("missed", Fate::Done(Outcome::Missed)),
    ("abandoned", Fate::Done(Outcome::Missed)),
    ("no-answer", Fate::NoAnswer),
    ("voicemail", Fate::Done(Outcome::Voicemail)),
    ("busy", Fate::Done(Outcome::Busy)),
    ("failed", Fate::Done(Outcome::Failed)),
    ("canceled", Fate::Done(Outcome::Canceled)),
    ("cancelled", Fate::Done(Outcome::Canceled)),
];

/// End-reason words of `call:ended` (lower case; `_` read as `-`).
pub const END_REASONS: &[(&str, Cat)] = &[
    ("customer-hangup", Cat::CustomerEnded),
    ("caller-hangup", Cat::CustomerEnded),
    ("customer-ended", Cat::CustomerEnded),
    ("abandoned", Cat::CustomerEnded),
    ("agent-hangup", Cat::AgentEnded),
    ("agent-ended", Cat::AgentEnded),
    ("transferred", Cat::Transferred),
    ("voicemail", Cat::Voicemail),
    ("no-answer", Cat::NoAnswer),
    ("timeout", Cat::NoAnswer),
    ("busy", Cat::Busy),
    ("silence-timeout", Cat::SilenceTimeout),
    ("max-duration", Cat::MaxDuration),
    ("canceled", Cat::Canceled),
    ("cancelled", Cat::Canceled),
    ("error", Cat::Error),
    ("failed", Cat::Error),
    ("completed", Cat::Other),
    ("normal", Cat::Other),
    ("hangup", Cat::Other),
];

/// Event-name prefixes of this stream (for shape detection).
const PREFIXES: &[&str] = &[
    "call:",
    "ticket:",
    "agent:",
    "message:",
    "chat:",
    "notification:",
];

/// The call events and their base stage.
const CALL_EVENTS: &[(&str, u64)] = &[
    ("call:new", 1),
    ("call:updated", 2),
    ("call:routed", 3),
    ("call:transferred", 5),
    ("call:ended", 7),
];

/// Read a word of a table: lower case, `_` and spaces as `-`.
fn norm(word: &str) -> String {
    word.trim().to_ascii_lowercase().replace(['_', ' '], "-")
}

/// The fate of a status word, `None` for words not in [`STATUSES`].
pub fn status_fate(word: &str) -> Option<Fate> {
    let w = norm(word);
    STATUSES.iter().find(|(s, _)| *s == w).map(|(_, f)| *f)
}

/// Whether a JSON document is an event of this stream.
pub fn detect(value: &Value) -> bool {
    match value {
        Value::Array(a) => match a.as_slice() {
            [Value::String(name), Value::Object(_)] => known_prefix(name),
            [first, ..] => (first.is_object() || first.is_array()) && detect(first),
            [] => false,
        },
        Value::Object(o) => {
            let body = o
                .get("data")
                .or_else(|| o.get("payload"))
                .is_some_and(Value::is_object);
            match (o.get("event"), o.get("type")) {
                (Some(Value::String(name)), _) => known_prefix(name),
                (None, Some(Value::String(name))) => body && known_prefix(name),
                _ => false,
            }
        }
        _ => false,
    }
}

fn known_prefix(name: &str) -> bool {
    PREFIXES
        .iter()
        .any(|p| name.starts_with(p) && name.len() > p.len())
}

/// Parse every event of a document (one event, the socket.io pair, or an array of events).
pub fn parse(value: &Value, path: &str, ctx: &mut ParseCtx) -> Vec<Item> {
    match value {
        Value::Array(a) => match a.as_slice() {
            [Value::String(name), body] => {
                let bpath = format!("{path}[1]");
                vec![parse_event(
                    name,
                    body,
                    None,
                    path,
                    &bpath,
                    &format!("{path}[0]"),
                    ctx,
                )]
            }
            _ => a
                .iter()
                .enumerate()
                .flat_map(|(i, v)| parse(v, &format!("{path}[{i}]"), ctx))
                .collect(),
        },
        Value::Object(o) => {
            let (name, name_key) = match (o.get("event"), o.get("type")) {
                (Some(v), _) => (v, "event"),
                (None, Some(v)) => (v, "type"),
                (None, None) => {
                    return vec![ctx.reject(
                        path,
                        0,
                        format!("{path}.event"),
                        "event without a name",
                    )];
                }
            };
            let Some(name) = name.as_str() else {
                let at = format!("{path}.{name_key}");
                return vec![ctx.reject(path, 0, at, "event name is not a string")];
            };
            let (body, body_key) = match (o.get("data"), o.get("payload")) {
                (Some(b), _) => (b, "data"),
                (None, Some(b)) => (b, "payload"),
                (None, None) => (&Value::Null, "data"),
            };
            let bpath = format!("{path}.{body_key}");
            let stamp = o.get("timestamp").map(|t| (t, format!("{path}.timestamp")));
            vec![parse_event(
                name,
                body,
                stamp,
                path,
                &bpath,
                &format!("{path}.{name_key}"),
                ctx,
            )]
        }
        _ => vec![ctx.reject(path, 0, path, "not a call-center event")],
    }
}

/// The first non-null value among spellings of one key, with the spelling found.
fn first<'a>(
    o: &'a Map<String, Value>,
    keys: &[&'static str],
) -> Option<(&'a Value, &'static str)> {
    keys.iter()
        .find_map(|k| o.get(*k).filter(|v| !v.is_null()).map(|v| (v, *k)))
}

/// Body keys this parser reads (both spellings); the rest goes to `extra`.
const READ: &[&str] = &[
    "callId",
    "call_id",
    "callerNumber",
    "caller_number",
    "phoneNumber",
    "phone_number",
    "from",
    "callerName",
    "caller_name",
    "customerName",
    "customer_name",
    "calledNumber",
    "called_number",
    "to",
    "direction",
    "status",
    "department",
    "queue",
    "agentId",
    "agent_id",
    "agentName",
    "agent_name",
    "agentEmail",
    "agent_email",
    "startTime",
    "start_time",
    "startedAt",
    "started_at",
    "createdAt",
    "created_at",
    "answeredAt",
    "answered_at",
    "endTime",
    "end_time",
    "endedAt",
    "ended_at",
    "duration",
    "durationSeconds",
    "duration_seconds",
    "waitTime",
    "wait_time",
    "talkTime",
    "talk_time",
    "endReason",
    "end_reason",
    "endedReason",
    "ended_reason",
    "toDepartment",
    "to_department",
    "toAgentId",
    "to_agent_id",
    "toAgentName",
    "to_agent_name",
    "tenantId",
    "tenant_id",
    "organizationId",
    "organization_id",
    "language",
    "summary",
    "notes",
    "disposition",
    "tags",
    "recordingUrl",
    "recording_url",
    "transcript",
    "timestamp",
];

fn parse_event(
    name: &str,
    body: &Value,
    stamp: Option<(&Value, String)>,
    path: &str,
    bpath: &str,
    name_path: &str,
    ctx: &mut ParseCtx,
) -> Item {
    let event = name.trim();
    if !event.starts_with("call:") {
        if event.is_empty() {
            return ctx.reject(path, 0, name_path, "empty event name");
        }
        return ctx.non_call(path, 0, format!("callcenter {event}"));
    }
    let Some(data) = body.as_object() else {
        return ctx.reject(path, 0, bpath, format!("{event} without a data object"));
    };
    let at = |key: &str| format!("{bpath}.{key}");
    let Some((id_value, id_key)) = first(data, &["callId", "call_id", "id"]) else {
        return ctx.reject(path, 0, at("callId"), format!("{event} without a call id"));
    };
    let Some(id) = as_text(id_value) else {
        return ctx.reject(path, 0, at(id_key), "call id is not text or a number");
    };
    let base = match CALL_EVENTS.iter().find(|(e, _)| *e == event) {
        Some((_, stage)) => *stage,
        None => {
            ctx.unknown_word(Provider::CallCenter, event);
            2
        }
    };
    let mut d = CallDraft::new(Provider::CallCenter, id);
    let when = match stamp {
        Some((v, p)) => ctx.instant(Some(v), &p),
        None => ctx.instant(data.get("timestamp"), &at("timestamp")),
    };

    let text = |keys: &[&'static str]| first(data, keys).and_then(|(v, _)| as_text(v));
    d.customer_number = text(&[
        "callerNumber",
        "caller_number",
        "phoneNumber",
        "phone_number",
        "from",
    ])
    .and_then(|n| crate::phone::normalize(&n));
    d.customer_name = text(&["callerName", "caller_name", "customerName", "customer_name"]);
    d.business_number =
        text(&["calledNumber", "called_number", "to"]).and_then(|n| crate::phone::normalize(&n));
    d.tenant = text(&["tenantId", "tenant_id", "organizationId", "organization_id"]);
    d.language = text(&["language"]);
    d.summary = text(&["summary"]);
    d.notes = text(&["notes"]);
    d.disposition = text(&["disposition"]);
    d.recording_url = text(&["recordingUrl", "recording_url"]);
    if let Some(word) = text(&["direction"]) {
        d.direction = Some(match norm(&word).as_str() {
            "inbound" | "incoming" => Direction::Inbound,
            "outbound" | "outgoing" => Direction::Outbound,
            "internal" => Direction::Internal,
            "unknown" => Direction::Unknown,
            _ => {
                ctx.unknown_word(Provider::CallCenter, &word);
                Direction::Unknown
            }
        });
    }
    match data.get("tags") {
        Some(Value::Array(tags)) => d.tags = tags.iter().filter_map(as_text).collect(),
        Some(Value::String(s)) => {
            d.tags = s
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(String::from)
                .collect();
        }
        _ => {}
    }
    if let Some(t) = data.get("transcript") {
        d.transcript = transcript(t);
    }

    // Status: outcome and stage.
    let mut stage = base;
    let mut in_progress = false;
    if let Some(word) = text(&["status"]) {
        match status_fate(&word) {
            Some(Fate::Active(s)) => {
                d.outcome = Some(Outcome::Active);
                in_progress = s == 3;
                if base == 2 {
                    stage = if in_progress { 4 } else { 2 };
                }
            }
            Some(Fate::Done(o)) => {
                d.outcome = Some(o);
                stage = stage.max(6);
            }
            Some(Fate::NoAnswer) => {
                let dir = d.direction.unwrap_or(Direction::Unknown);
                d.outcome = Some(Outcome::no_answer(dir));
                stage = stage.max(6);
            }
            None => {
                ctx.unknown_word(Provider::CallCenter, &word);
                d.outcome = Some(Outcome::Unknown);
            }
        }
        d.raw_status = Some(word);
    }

    // Instants and durations.
    let start_keys = [
        "startTime",
        "start_time",
        "startedAt",
        "started_at",
        "createdAt",
        "created_at",
    ];
    if let Some((v, k)) = first(data, &start_keys) {
        d.started_at = ctx.instant(Some(v), &at(k));
    }
    if d.started_at.is_none() && event == "call:new" {
        d.started_at = when;
    }
    if let Some((v, k)) = first(data, &["answeredAt", "answered_at"]) {
        d.answered_at = ctx.instant(Some(v), &at(k));
    }
    // The answer is the event that put the call in progress, not a transfer or the end.
    if d.answered_at.is_none() && in_progress && base <= 3 {
        d.answered_at = when;
    }
    if let Some((v, k)) = first(data, &["duration", "durationSeconds", "duration_seconds"]) {
        d.duration_s = ctx.seconds(Some(v), &at(k));
    }
    if let Some((v, k)) = first(data, &["waitTime", "wait_time"]) {
        d.wait_s = ctx.seconds(Some(v), &at(k));
    }
    if let Some((v, k)) = first(data, &["talkTime", "talk_time"]) {
        d.talk_s = ctx.seconds(Some(v), &at(k));
    }
    if let Some((v, k)) = first(data, &["endTime", "end_time", "endedAt", "ended_at"]) {
        d.ended_at = ctx.instant(Some(v), &at(k));
    }
    if event == "call:ended" && d.ended_at.is_none() && d.duration_s.is_none() {
        d.ended_at = when;
    }
    if let Some(raw) = text(&["endReason", "end_reason", "endedReason", "ended_reason"]) {
        let w = norm(&raw);
        let category = match END_REASONS.iter().find(|(r, _)| *r == w) {
            Some((_, c)) => *c,
            None => {
                ctx.unknown_word(Provider::CallCenter, &raw);
                Cat::Other
            }
        };
        d.ended_reason = Some(EndedReason { category, raw });
    }

    // Queue, agent and transfers by event.
    let department = text(&["department", "queue"]);
    let agent = Agent {
        id: text(&["agentId", "agent_id"]),
        email: text(&["agentEmail", "agent_email"]).map(|e| e.to_lowercase()),
        name: text(&["agentName", "agent_name"]),
    };
    if event == "call:transferred" {
        d.transfers.push(Transfer {
            at: when,
            to_queue: text(&["toDepartment", "to_department"]).or(department),
            to_agent: text(&["toAgentName", "to_agent_name", "toAgentId", "to_agent_id"])
                .or_else(|| agent.name.clone().or(agent.id.clone())),
        });
    } else {
        if let Some(dep) = department {
            if event == "call:routed" {
                d.queue = Some(dep);
            } else {
                d.extra.insert("department".into(), Value::String(dep));
            }
        }
        if !agent.is_empty() {
            if in_progress {
                d.agent = Some(agent);
            } else {
                d.extra.insert("agent".into(), agent_value(&agent));
            }
        }
    }
    keep_rest(data, READ, &mut d.extra);
    if id_key == "id" {
        d.extra.remove("id");
    }
    d.extra
        .insert("event".into(), Value::String(event.to_string()));
    d.precedence = precedence(stage, when);
    ctx.finish(d, path, 0, true)
}

fn agent_value(a: &Agent) -> Value {
    let mut m = Map::new();
    for (k, v) in [("id", &a.id), ("email", &a.email), ("name", &a.name)] {
        if let Some(v) = v {
            m.insert(k.into(), Value::String(v.clone()));
        }
    }
    Value::Object(m)
}

/// Stage first; within a stage the earliest event wins (a later time ranks lower).
fn precedence(stage: u64, when: Option<DateTime<Utc>>) -> u64 {
    const SPAN: u64 = 1 << 44; // epoch milliseconds up to the year 2527
    let ms = when.map_or(0, |t| {
        t.timestamp_millis().clamp(0, (SPAN - 1) as i64) as u64
    });
    stage * SPAN + (SPAN - 1 - ms)
}

/// Transcript turns from `Speaker: words` lines or `[{speaker, text, start}]`.
fn transcript(v: &Value) -> Vec<TranscriptTurn> {
    let turn = |speaker: &str, text: String, start_s: Option<f64>| TranscriptTurn {
        speaker: speaker_word(speaker),
        start_s,
        end_s: None,
        text,
        confidence: None,
        language: None,
    };
    match v {
        Value::Array(items) => items
            .iter()
            .filter_map(|t| {
                let who = t
                    .get("speaker")
                    .or_else(|| t.get("role"))
                    .and_then(as_text)?;
                let text = ["text", "message", "content"]
                    .iter()
                    .find_map(|k| t.get(*k).and_then(as_text))?;
                let start = ["start", "startS", "start_s"]
                    .iter()
                    .find_map(|k| t.get(*k).and_then(Value::as_f64))
                    .filter(|x| x.is_finite() && *x >= 0.0);
                Some(turn(&who, text, start))
            })
            .collect(),
        Value::String(s) => {
            let mut turns: Vec<TranscriptTurn> = Vec::new();
            for line in s.lines().map(str::trim).filter(|l| !l.is_empty()) {
                match (line.split_once(':'), turns.last_mut()) {
                    (Some((who, words)), _) if !who.trim().is_empty() && who.len() <= 20 => {
                        turns.push(turn(who.trim(), words.trim().to_string(), None));
                    }
                    (_, Some(last)) => {
                        last.text.push('\n');
                        last.text.push_str(line);
                    }
                    (_, None) => turns.push(turn("unknown", line.to_string(), None)),
                }
            }
            turns.retain(|t| !t.text.is_empty());
            turns
        }
        _ => Vec::new(),
    }
}

fn speaker_word(who: &str) -> String {
    match norm(who).as_str() {
        "caller" | "customer" | "user" | "client" => "customer".into(),
        "agent" | "operator" | "rep" => "agent".into(),
        "bot" | "ai" | "assistant" => "assistant".into(),
        other => other.to_string(),
    }
}

/// Derivations on the folded record of a call-center call: queue and agent fallbacks, talk
/// time, the outcome of a `call:ended` without a final status, no answer instant / wait for
/// finished calls that are not `answered`.
pub fn finalize(d: &mut CallDraft) {
    if d.queue.is_none() {
        d.queue = d.extra.remove("department").and_then(|v| as_text(&v));
    }
    if d.agent.is_none() {
        if let Some(Value::Object(a)) = d.extra.remove("agent") {
            let get = |k: &str| a.get(k).and_then(as_text);
            d.agent = Some(Agent {
                id: get("id"),
                email: get("email"),
                name: get("name"),
            });
        }
    }
    let end = d
        .ended_at
        .or_else(|| crate::model::after_seconds(d.started_at?, d.duration_s?));
    if d.talk_s.is_none() {
        if let (Some(a), Some(e)) = (d.answered_at, end) {
            let us = (e - a).num_microseconds().unwrap_or(-1);
            d.talk_s = (us >= 0).then_some(us as f64 / 1e6);
        }
    }
    let direction = d.direction.unwrap_or(Direction::Unknown);
    // The event with the no-answer status may not be the one that names the direction.
    if d.raw_status.as_deref().and_then(status_fate) == Some(Fate::NoAnswer) {
        d.outcome = Some(Outcome::no_answer(direction));
    }
    let ended = d.extra.get("event").and_then(Value::as_str) == Some("call:ended");
    if ended && matches!(d.outcome, None | Some(Outcome::Active)) {
        d.outcome = Some(if d.answered_at.is_some() {
            Outcome::Answered
        } else {
            Outcome::no_answer(direction)
        });
    }
    if !matches!(d.outcome, Some(Outcome::Answered | Outcome::Active)) {
        d.answered_at = None;
        d.wait_s = None;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::CallRecord;
    use crate::providers::ItemKind;
    use serde_json::json;

    const STREAM: &str = include_str!("../../../tests/data/callcenter/stream.ndjson");
    const SOCKETIO: &str = include_str!("../../../tests/data/callcenter/socketio.json");

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn parse_strict(v: &Value) -> Vec<Item> {
        parse(v, "$", &mut ParseCtx::new(chrono_tz::UTC, true))
    }

    fn drafts_of(items: Vec<Item>) -> Vec<CallDraft> {
        items
            .into_iter()
            .filter_map(|i| match i.kind {
                ItemKind::Call { draft, event } => {
                    assert!(event);
                    Some(draft)
                }
                _ => None,
            })
            .collect()
    }

    fn stream_items() -> Vec<Item> {
        STREAM
            .lines()
            .flat_map(|l| parse_strict(&serde_json::from_str(l).unwrap()))
            .collect()
    }

    fn events_of(call: &str) -> Vec<CallDraft> {
        drafts_of(stream_items())
            .into_iter()
            .filter(|d| d.provider_call_id.as_deref() == Some(call))
            .collect()
    }

    fn record(drafts: Vec<CallDraft>) -> CallRecord {
        let mut folded = CallDraft::fold(drafts);
        crate::providers::finalize(&mut folded);
        folded.into_record(true).unwrap().0
    }

    fn permutations(n: usize) -> Vec<Vec<usize>> {
        if n == 0 {
            return vec![vec![]];
        }
        let mut out = Vec::new();
        for p in permutations(n - 1) {
            for i in 0..=p.len() {
                let mut q = p.clone();
                q.insert(i, n - 1);
                out.push(q);
            }
        }
        out
    }

    #[test]
    fn whole_stream_is_detected_as_callcenter() {
        for line in STREAM.lines() {
            let v: Value = serde_json::from_str(line).unwrap();
            assert_eq!(
                crate::providers::detect_json(&v),
                Some(Provider::CallCenter),
                "{line}"
            );
        }
        let v: Value = serde_json::from_str(SOCKETIO).unwrap();
        assert_eq!(
            crate::providers::detect_json(&v),
            Some(Provider::CallCenter)
        );
        // an event id beside the call id stays in extra
        let d = one(json!({"event": "call:updated", "data": {"callId": "c", "id": "evt-9"}}));
        assert_eq!(d.extra["id"], json!("evt-9"));
    }

    #[test]
    fn stream_items_are_calls_or_non_calls() {
        let items = stream_items();
        assert_eq!(items.len(), 11);
        let non: Vec<String> = items
            .iter()
            .filter_map(|i| match &i.kind {
                ItemKind::NonCall { what } => Some(what.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(
            non,
            [
                "callcenter ticket:created",
                "callcenter agent:status",
                "callcenter message:new"
            ]
        );
        assert_eq!(drafts_of(items).len(), 8);
    }

    #[test]
    fn answered_routed_transferred_call() {
        let r = record(events_of("c-100"));
        assert_eq!(r.id, "callcenter:c-100");
        assert_eq!(r.outcome, Outcome::Answered);
        assert_eq!(r.raw_status.as_deref(), Some("completed"));
        assert_eq!(r.direction, Direction::Inbound);
        assert_eq!(r.tenant.as_deref(), Some("acme"));
        assert_eq!(r.customer_number.as_deref(), Some("+14158675309"));
        assert_eq!(r.customer_name.as_deref(), Some("Ann Lee"));
        assert_eq!(r.started_at, at("2024-05-01T10:00:00Z")); // call:new time
        assert_eq!(r.answered_at, Some(at("2024-05-01T10:00:20Z"))); // first in-progress
        assert_eq!(r.ended_at, Some(at("2024-05-01T10:05:00Z"))); // 10:00:00 + 300 s
        assert_eq!(r.duration_s, Some(300.0));
        assert_eq!(r.wait_s, Some(20.0));
        assert_eq!(r.talk_s, Some(280.0)); // 10:05:00 - 10:00:20
        assert_eq!(r.queue.as_deref(), Some("billing")); // the routed department
        let agent = r.agent.clone().unwrap();
        assert_eq!(agent.id.as_deref(), Some("a-7"));
        assert_eq!(agent.email.as_deref(), Some("bob@acme.example"));
        assert_eq!(agent.name.as_deref(), Some("Bob Stone"));
        assert_eq!(
            r.transfers,
            vec![Transfer {
                at: Some(at("2024-05-01T10:02:00Z")),
                to_queue: Some("support".into()),
                to_agent: Some("Cy Young".into())
            }]
        );
        let reason = r.ended_reason.clone().unwrap();
        assert_eq!(
            (reason.category, reason.raw.as_str()),
            (Cat::CustomerEnded, "customer_hangup")
        );
        let speakers: Vec<_> = r.transcript.iter().map(|t| t.speaker.as_str()).collect();
        assert_eq!(speakers, ["customer", "agent", "customer"]);
        assert_eq!(r.extra["priority"], json!("high"));
        assert_eq!(r.extra["fromDepartment"], json!("billing"));
        assert_eq!(r.extra["event"], json!("call:ended"));
    }

    #[test]
    fn folding_is_order_independent() {
        for call in ["c-100", "c-200"] {
            let events = events_of(call);
            let expected = record(events.clone());
            for p in permutations(events.len()) {
                let shuffled: Vec<CallDraft> = p.iter().map(|i| events[*i].clone()).collect();
                assert_eq!(record(shuffled), expected, "{call} {p:?}");
            }
        }
        assert_eq!(permutations(6).len(), 720);
    }

    #[test]
    fn ended_while_waiting_is_not_answered() {
        let r = record(events_of("c-200"));
        assert_eq!(r.outcome, Outcome::Unanswered); // direction unknown: the no-answer rule
        assert_eq!(r.started_at, at("2024-05-01T11:00:00Z"));
        assert_eq!(r.ended_at, Some(at("2024-05-01T11:00:45Z"))); // start + 45 s
        assert_eq!((r.answered_at, r.talk_s, r.wait_s), (None, None, None));
        assert_eq!(r.queue.as_deref(), Some("sales")); // no call:routed: the department given
        assert_eq!(r.customer_number.as_deref(), Some("+442071838750"));
        assert_eq!(r.ended_reason, None);
    }

    #[test]
    fn socketio_pairs() {
        let v: Value = serde_json::from_str(SOCKETIO).unwrap();
        assert!(detect(&v));
        assert!(detect(&v[0]));
        let items = parse_strict(&v);
        assert_eq!(items.len(), 3);
        assert_eq!(items[1].path, "$[1]");
        assert!(
            matches!(&items[2].kind, ItemKind::NonCall { what } if what == "callcenter agent:status_changed")
        );
        let r = record(drafts_of(items));
        assert_eq!(r.outcome, Outcome::Active);
        assert_eq!(r.raw_status.as_deref(), Some("in_progress"));
        assert_eq!(r.started_at, at("2024-05-01T12:00:00Z"));
        assert_eq!(r.answered_at, Some(at("2024-05-01T12:00:10Z")));
        assert_eq!(r.ended_at, None);
        assert_eq!(r.agent.unwrap().name.as_deref(), Some("Dee"));
    }

    fn one(v: Value) -> CallDraft {
        let mut drafts = drafts_of(parse_strict(&v));
        assert_eq!(drafts.len(), 1, "{v}");
        drafts.remove(0)
    }

    #[test]
    fn every_status_word() {
        for (word, fate) in STATUSES {
            let d = one(
                json!({"event": "call:updated", "data": {"callId": "c", "status": word, "direction": "inbound"}}),
            );
            let expect = match fate {
                Fate::Active(_) => Outcome::Active,
                Fate::Done(o) => *o,
                Fate::NoAnswer => Outcome::Missed,
            };
            assert_eq!(d.outcome, Some(expect), "{word}");
            assert_eq!(d.raw_status.as_deref(), Some(*word));
        }
        assert_eq!(status_fate("In Progress"), Some(Fate::Active(3)));
        assert_eq!(status_fate("on_hold"), Some(Fate::Active(3)));
        let mut ctx = ParseCtx::new(chrono_tz::UTC, true);
        let items = parse(
            &json!({"event": "call:updated", "data": {"callId": "c", "status": "teleported"}}),
            "$",
            &mut ctx,
        );
        assert!(
            matches!(&items[0].kind, ItemKind::Call { draft, .. } if draft.outcome == Some(Outcome::Unknown))
        );
        assert_eq!(
            ctx.unknown_words,
            vec![(Provider::CallCenter, "teleported".to_string())]
        );
    }

    #[test]
    fn no_answer_uses_the_direction_of_any_event() {
        let new = one(
            json!({"event": "call:new", "timestamp": "2024-05-01T10:00:00Z", "data": {"callId": "c", "direction": "inbound"}}),
        );
        let gone = one(
            json!({"event": "call:updated", "timestamp": "2024-05-01T10:00:30Z", "data": {"callId": "c", "status": "no_answer"}}),
        );
        assert_eq!(gone.outcome, Some(Outcome::Unanswered)); // alone: direction unknown
        let r = record(vec![gone, new]);
        assert_eq!(r.outcome, Outcome::Missed);
        assert_eq!(r.direction, Direction::Inbound);
    }

    #[test]
    fn every_end_reason_word() {
        for (word, cat) in END_REASONS {
            let d =
                one(json!({"event": "call:ended", "data": {"callId": "c", "end_reason": word}}));
            assert_eq!(d.ended_reason.unwrap().category, *cat, "{word}");
        }
        let d = one(
            json!({"event": "call:ended", "data": {"callId": "c", "endedReason": "Agent_Hangup"}}),
        );
        assert_eq!(
            d.ended_reason.unwrap(),
            EndedReason {
                category: Cat::AgentEnded,
                raw: "Agent_Hangup".into()
            }
        );
    }

    #[test]
    fn event_stages_rank_the_lifecycle() {
        let stage = |v: Value| one(v).precedence >> 44;
        let ev = |name: &str, status: Option<&str>| {
            let mut data = json!({"callId": "c"});
            if let Some(s) = status {
                data["status"] = json!(s);
            }
            json!({"event": name, "data": data, "timestamp": "2024-05-01T10:00:00Z"})
        };
        assert_eq!(stage(ev("call:new", Some("waiting"))), 1);
        assert_eq!(stage(ev("call:updated", Some("ringing"))), 2);
        assert_eq!(stage(ev("call:routed", None)), 3);
        assert_eq!(stage(ev("call:updated", Some("in-progress"))), 4);
        assert_eq!(stage(ev("call:transferred", None)), 5);
        assert_eq!(stage(ev("call:updated", Some("completed"))), 6);
        assert_eq!(stage(ev("call:ended", None)), 7);
        let mut ctx = ParseCtx::new(chrono_tz::UTC, true);
        parse(&ev("call:recording", None), "$", &mut ctx);
        assert_eq!(
            ctx.unknown_words,
            vec![(Provider::CallCenter, "call:recording".to_string())]
        );
        // earliest wins within a stage
        let early = one(
            json!({"event": "call:routed", "timestamp": "2024-05-01T10:00:00Z", "data": {"callId": "c", "department": "a"}}),
        );
        let late = one(
            json!({"event": "call:routed", "timestamp": "2024-05-01T10:00:01Z", "data": {"callId": "c", "department": "b"}}),
        );
        assert!(early.precedence > late.precedence);
        assert_eq!(
            CallDraft::fold(vec![early, late]).queue.as_deref(),
            Some("a")
        );
    }

    #[test]
    fn snake_and_camel_spellings_agree() {
        let camel = one(
            json!({"event": "call:ended", "timestamp": "2024-05-01T10:05:00Z", "data": {
            "callId": "c", "callerNumber": "+14158675309", "callerName": "Ann", "startTime": "2024-05-01T10:00:00Z",
            "answeredAt": "2024-05-01T10:00:09Z", "waitTime": 9, "talkTime": 200, "durationSeconds": 300,
            "recordingUrl": "https://r/1", "tenantId": "t", "tags": "a, b"}}),
        );
        let snake = one(
            json!({"event": "call:ended", "timestamp": "2024-05-01T10:05:00Z", "data": {
            "call_id": "c", "caller_number": "+14158675309", "caller_name": "Ann", "start_time": "2024-05-01T10:00:00Z",
            "answered_at": "2024-05-01T10:00:09Z", "wait_time": 9, "talk_time": 200, "duration_seconds": 300,
            "recording_url": "https://r/1", "tenant_id": "t", "tags": ["a", "b"]}}),
        );
        assert_eq!(camel, snake);
        assert_eq!(camel.talk_s, Some(200.0));
        assert_eq!(camel.tags, ["a", "b"]);
        assert_eq!(camel.ended_at, None); // a duration is given: end = start + duration
    }

    #[test]
    fn rejections_name_the_path() {
        let cases = [
            (
                json!({"event": "call:new", "data": {"callerNumber": "+1"}}),
                "$.data.callId",
            ),
            (json!({"event": "call:updated", "data": "x"}), "$.data"),
            (json!({"event": "call:updated"}), "$.data"),
            (json!({"type": "call:updated", "payload": 3}), "$.payload"),
            (
                json!({"event": "call:new", "data": {"callId": "c", "startTime": "not a time"}}),
                "$.data.startTime",
            ),
            (
                json!({"event": "call:ended", "data": {"call_id": "c", "duration": -3}}),
                "$.data.duration",
            ),
            (
                json!({"event": "call:new", "data": {"callId": {"a": 1}}}),
                "$.data.callId",
            ),
            (
                json!({"event": "call:new", "timestamp": "soon", "data": {"callId": "c"}}),
                "$.timestamp",
            ),
            (json!({"data": {}}), "$.event"),
            (json!({"event": 5, "data": {}}), "$.event"),
            (json!({"event": " ", "data": {}}), "$.event"),
            (json!(["call:new", "x"]), "$[1]"),
            (json!("text"), "$"),
        ];
        for (v, path) in cases {
            match &parse_strict(&v)[0].kind {
                ItemKind::Rejected(issue) => assert_eq!(issue.path, path, "{v}"),
                other => panic!("{v}: {other:?}"),
            }
        }
    }

    #[test]
    fn detect_claims_only_this_stream() {
        assert!(detect(
            &json!({"event": "call:new", "data": {"callId": "1"}})
        ));
        assert!(detect(&json!({"event": "ticket:created", "data": {}})));
        assert!(detect(&json!({"type": "agent:status", "data": {}})));
        assert!(!detect(&json!({"type": "agent:status"})));
        assert!(!detect(
            &json!({"event": "call_started", "call": {"call_id": "r1"}})
        )); // Retell webhook
        assert!(!detect(
            &json!({"message": {"type": "status-update", "call": {"id": "v"}}})
        )); // Vapi
        assert!(!detect(
            &json!({"CallSid": "CA1", "CallStatus": "completed"})
        )); // Twilio
        assert!(!detect(
            &json!({"data": [{"id": 1, "from_number": "+1", "to_number": "+2", "status": "completed"}]})
        )); // callapi
        assert!(!detect(
            &json!({"EventType": "CallCompleted", "callStatus": "Connected"})
        )); // MightyCall
        assert!(!detect(
            &json!({"type": "call.completed", "data": {"call_info": {}}})
        )); // JustCall
    }

    #[test]
    fn odd_input_never_panics_and_every_item_is_accounted_for() {
        for lenient in [false, true] {
            for v in [
                json!(null),
                json!(1),
                json!([]),
                json!([null, 1, "x"]),
                json!({}),
                json!({"message": null}),
                json!({"message": {"type": "end-of-call-report", "call": {"id": 5, "createdAt": 1.5e12,
                "type": 3, "status": ["x"]}, "artifact": {"messages": [null, {"role": "user"},
                {"role": 1, "message": 2}, {"role": "bot", "message": "hi", "secondsFromStart": "x", "duration": -5}],
                "transcript": 7}, "analysis": [], "customer": "c", "phoneNumber": {"number": null},
                "assistant": {"transcriber": "en"}, "destination": 4, "startedAt": {}, "endedAt": "2100-01-01T00:00:00Z",
                "endedReason": ""}}),
                json!({"event": "call:ended", "data": {"callId": "c", "transcript": [null, {"speaker": 1}], "tags": [null, 2],
                "agentId": [], "department": {}, "duration": 1e308}}),
                json!(["call:new"]),
                json!(["call:new", {"callId": "c"}, 3]),
                json!([["ticket:x", null]]),
                json!({"data": [null, 3, {"id": null}]}),
                json!({"calls": {"id": "x"}}),
                json!({"id": "x", "from_number": 1, "to_number": null, "status": 5, "outcome": {}, "tags": {}, "metadata": [1],
                "agent": "bob", "started_at": -1}),
            ] {
                let items = parse(&v, "$", &mut ParseCtx::new(chrono_tz::UTC, !lenient));
                let empty = matches!(&v, Value::Array(a) if a.is_empty());
                assert_eq!(items.is_empty(), empty, "{v}");
                for item in items {
                    if let ItemKind::Call { draft, .. } = item.kind {
                        let mut d = CallDraft::fold(vec![draft]);
                        crate::providers::finalize(&mut d);
                        let _ = d.into_record(!lenient);
                    }
                }
            }
        }
    }
}
