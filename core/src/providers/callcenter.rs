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
            [first, ..] => first.is_object() && detect(first),
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
    "id",
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
    let end = d.ended_at.or_else(|| {
        let (start, dur) = (d.started_at?, d.duration_s?);
        (dur.is_finite() && (0.0..1e9).contains(&dur))
            .then(|| start + chrono::Duration::microseconds((dur * 1e6).round() as i64))
    });
    if d.talk_s.is_none() {
        if let (Some(a), Some(e)) = (d.answered_at, end) {
            let us = (e - a).num_microseconds().unwrap_or(-1);
            d.talk_s = (us >= 0).then_some(us as f64 / 1e6);
        }
    }
    let ended = d.extra.get("event").and_then(Value::as_str) == Some("call:ended");
    if ended && matches!(d.outcome, None | Some(Outcome::Active)) {
        d.outcome = Some(if d.answered_at.is_some() {
            Outcome::Answered
        } else {
            Outcome::no_answer(d.direction.unwrap_or(Direction::Unknown))
        });
    }
    if !matches!(d.outcome, Some(Outcome::Answered | Outcome::Active)) {
        d.answered_at = None;
        d.wait_s = None;
    }
}
