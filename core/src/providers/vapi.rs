//! Vapi voice AI: call objects and server messages.
//!
//! Accepted shapes:
//! - a call object (`GET /call/{id}`), or a bare array of them (`GET /call`): one call item each;
//! - a server message `{"message": {"type", "call", "timestamp", ...}}`:
//!   - `end-of-call-report`: a call event, the highest precedence. Its message-level
//!     `startedAt`, `endedAt`, `endedReason`, `cost`, `analysis`, `artifact`, `customer`,
//!     `phoneNumber` and `assistant` win over the embedded `message.call`, which is a snapshot
//!     from call creation (`status: "queued"`, no `endedAt`). The report implies status `ended`.
//!   - `status-update`: a call event ranked by its status stage (`scheduled` < `queued` <
//!     `ringing` < `in-progress` < `forwarding` < `ended`). Its `timestamp` (epoch ms) stands in
//!     for `startedAt` on `in-progress` and for `endedAt` on `ended` when the call snapshot has
//!     neither; the report's instants overwrite them when it arrives.
//!   - every other message type (`transcript`, `conversation-update`, `speech-update`,
//!     `tool-calls`, `hang`, `model-output`, `user-interrupted`, `assistant-request`,
//!     `transfer-update`, ...) is a non-call item `vapi message <type>`: these name a call but
//!     carry no call fact that the end-of-call report does not repeat, and counting them as call
//!     events would turn a stray transcript message into a call record.
//!
//! Mapping (SPEC 7): `started_at` = `call.createdAt`, `answered_at` = `startedAt`, `talk_s` =
//! `endedAt - startedAt`, `duration_s` = `endedAt - createdAt`; `tenant` = `orgId`; direction from
//! `type` (`inboundPhoneCall`, `outboundPhoneCall`; `webCall` and `vapi.websocketCall` are
//! `unknown`: a browser or socket session has no caller and callee in the telephone sense, and
//! most web calls are dashboard tests, which would distort inbound KPIs); `assistant` =
//! `assistant.name`, else `assistantId`; `customer_number` = `customer.number`; `business_number`
//! = `phoneNumber.number`; `summary` = `analysis.summary`; `intent` =
//! `analysis.structuredData.intent`; `language` = `assistant.transcriber.language` (not `multi`);
//! transcript from `artifact.messages` (`user` -> `customer`, `bot` -> `assistant`, system and
//! tool messages skipped; `secondsFromStart` -> `start_s`, plus `duration` ms -> `end_s`), else
//! the `AI:` / `User:` lines of `artifact.transcript`; `recording_url` = `artifact.recordingUrl`,
//! else `artifact.recording.mono.combinedUrl`, else the legacy top-level `recordingUrl`.
//!
//! The ended reason is classified by pattern ([`ended_reason_category`]) so that the values Vapi
//! adds every month land in the right category; the outcome follows the category and whether the
//! call ever started ([`outcome_for`]). Both are recomputed by [`finalize`] on the folded record,
//! because the `ended` status-update alone does not know whether the call started. `finalize` also
//! adds the one transfer of a `transferred` call (at `endedAt`, to `destination.number`, else its
//! `sipUri`) and clears `answered_at` / `wait_s` of finished calls that are not `answered` (SPEC 7).
//!
//! Fields with no column are kept in `extra`: unused call / message keys under their own names,
//! and the unused parts of `customer`, `phoneNumber`, `assistant`, `analysis` and `artifact` under
//! those names. The legacy top-level copies (`messages`, `transcript`, `summary`, `recordingUrl`)
//! are read only as fallbacks and not kept twice; the message `type` and `timestamp` describe
//! the delivery, not the call, and are not kept.

use super::json::{as_text, keep_rest};
use super::{Item, ParseCtx};
use crate::model::{
    CallDraft, Direction, EndedReason, EndedReasonCategory as Cat, Extra, Outcome, Provider,
    TranscriptTurn, Transfer,
};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

/// Exact ended-reason words and their categories, checked before the patterns of
/// [`ended_reason_category`].
pub const ENDED_REASONS: &[(&str, Cat)] = &[
    ("customer-ended-call", Cat::CustomerEnded),
    (
        "customer-ended-call-before-warm-transfer",
        Cat::CustomerEnded,
    ),
    (
        "customer-ended-call-after-warm-transfer-attempt",
        Cat::CustomerEnded,
    ),
    ("customer-ended-call-during-transfer", Cat::CustomerEnded),
    (
        "call.ringing.sip-inbound-caller-hungup-before-call-connect",
        Cat::CustomerEnded,
    ),
    ("assistant-ended-call", Cat::AgentEnded),
    ("assistant-said-end-call-phrase", Cat::AgentEnded),
    ("assistant-ended-call-with-hangup-task", Cat::AgentEnded),
    ("assistant-ended-call-after-message-spoken", Cat::AgentEnded),
    ("assistant-forwarded-call", Cat::Transferred),
    (
        "assistant-request-returned-forwarding-phone-number",
        Cat::Transferred,
    ),
    ("call.ringing.hook-executed-transfer", Cat::Transferred),
    ("call.ending.hook-executed-transfer", Cat::Transferred),
    ("voicemail", Cat::Voicemail),
    ("customer-did-not-answer", Cat::NoAnswer),
    ("call.forwarding.no-answer", Cat::NoAnswer),
    ("vonage-rejected", Cat::NoAnswer),
    ("customer-busy", Cat::Busy),
    ("call.forwarding.operator-busy", Cat::Busy),
    ("silence-timed-out", Cat::SilenceTimeout),
    ("exceeded-max-duration", Cat::MaxDuration),
    ("manually-canceled", Cat::Canceled),
    ("scheduled-call-deleted", Cat::Canceled),
    ("call-deleted", Cat::Canceled),
    ("assistant-join-timed-out", Cat::Error),
    ("assistant-error", Cat::Error),
    ("assistant-not-found", Cat::Error),
    ("assistant-not-valid", Cat::Error),
    ("assistant-not-invalid", Cat::Error),
    ("assistant-not-provided", Cat::Error),
    ("db-error", Cat::Error),
    ("no-server-available", Cat::Error),
    ("license-check-failed", Cat::Error),
    ("worker-shutdown", Cat::Error),
    ("twilio-failed-to-connect-call", Cat::Error),
    ("vonage-failed-to-connect-call", Cat::Error),
    ("twilio-reported-customer-misdialed", Cat::Error),
    ("customer-did-not-give-microphone-permission", Cat::Error),
    (
        "phone-call-provider-bypass-enabled-but-no-call-received",
        Cat::Error,
    ),
    // Normal ends reported by the carrier or the transport: who hung up is not said.
    ("call.in-progress.twilio-completed-call", Cat::Other),
    ("call.in-progress.sip-completed-call", Cat::Other),
    ("vonage-completed", Cat::Other),
    ("vonage-disconnected", Cat::Other),
    ("phone-call-provider-closed-websocket", Cat::Other),
    ("call.ringing.hook-executed-say", Cat::Other),
    ("call.ending.hook-executed-say", Cat::Other),
    // Legacy value of the documentation examples.
    ("hangup", Cat::Other),
];

/// Substrings that mark a fault (checked after the SIP codes, before every other pattern, so
/// that `...-error-warm-transfer-max-duration` is an error, not a max-duration).
const ERROR_MARKS: &[&str] = &[
    "pipeline-error",
    "error",
    "vapifault",
    "providerfault",
    "fault",
    "failed",
    "failure",
    "not-found",
    "not-valid",
    "invalid",
    "worker-died",
    "shutdown",
    "never-connected",
    "unauthorized",
    "misdialed",
];

/// Classify a Vapi `endedReason`, `None` when neither the exact table nor a pattern knows it.
///
/// Order: the exact table; a SIP status code (`...-sip-408-...`: 408/480/603 no-answer,
/// 486/600 busy, 487 canceled, any other code error); the setup prefixes (`call.start.error-`,
/// `call-start-error-`, `assistant-request-`) and fault marks (`error`, `vapifault`,
/// `providerfault`, `failed`, ...) -> error; `customer-ended*` / `*caller-hungup*` ->
/// customer-ended; `assistant-ended*` / `*end-call*` -> agent-ended; `*forward*` / `*transfer*`
/// -> transferred; `*voicemail*`; `*no-answer*` / `*did-not-answer*` -> no-answer; `*busy*`;
/// `*silence*` -> silence-timeout; `*max-duration*`; `*cancel*` / `*deleted*` -> canceled.
pub fn classify_ended_reason(raw: &str) -> Option<Cat> {
    let word = raw.trim().to_ascii_lowercase();
    if let Some((_, cat)) = ENDED_REASONS.iter().find(|(w, _)| *w == word) {
        return Some(*cat);
    }
    if let Some(code) = sip_code(&word) {
        return Some(match code {
            408 | 480 | 603 => Cat::NoAnswer,
            486 | 600 => Cat::Busy,
            487 => Cat::Canceled,
            _ => Cat::Error,
        });
    }
    let has = |s: &str| word.contains(s);
    let starts = |s: &str| word.starts_with(s);
    if starts("call.start.error")
        || starts("call-start-error")
        || starts("assistant-request-")
        || ERROR_MARKS.iter().any(|m| has(m))
    {
        return Some(Cat::Error);
    }
    if starts("customer-ended") || has("caller-hungup") || has("customer-hungup") {
        return Some(Cat::CustomerEnded);
    }
    if starts("assistant-ended") || has("end-call") {
        return Some(Cat::AgentEnded);
    }
    if has("forward") || has("transfer") {
        return Some(Cat::Transferred);
    }
    if has("voicemail") {
        return Some(Cat::Voicemail);
    }
    if has("no-answer") || has("did-not-answer") || has("not-answered") || has("unanswered") {
        return Some(Cat::NoAnswer);
    }
    if has("busy") {
        return Some(Cat::Busy);
    }
    if has("silence") {
        return Some(Cat::SilenceTimeout);
    }
    if has("max-duration") {
        return Some(Cat::MaxDuration);
    }
    if has("cancel") || has("deleted") {
        return Some(Cat::Canceled);
    }
    None
}

/// The category of a Vapi `endedReason`; words no rule knows are `other`.
pub fn ended_reason_category(raw: &str) -> Cat {
    classify_ended_reason(raw).unwrap_or(Cat::Other)
}

/// A SIP status code named in a reason as `sip-NNN` (`outbound-sip-408-request-timeout`).
fn sip_code(word: &str) -> Option<u16> {
    word.match_indices("sip-").find_map(|(i, m)| {
        let rest = word.get(i + m.len()..)?;
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        (digits.len() == 3).then(|| digits.parse().ok()).flatten()
    })
}

/// The outcome of an ended call from its ended-reason category and whether it ever started
/// (Vapi sets `startedAt` only once the call connected).
///
/// Started: `voicemail` for the voicemail category (a machine answered), else `answered` (an
/// error after connecting stays `answered`, with category `error`). Never started: busy ->
/// `busy`, voicemail -> `voicemail`, error -> `failed`, canceled -> `canceled`, transferred ->
/// `answered` (forwarded to a number before the assistant joined), anything else (no-answer,
/// the caller hanging up while it rang, ...) -> `missed` inbound / `unanswered` otherwise.
pub fn outcome_for(category: Cat, started: bool, direction: Direction) -> Outcome {
    if started {
        return if category == Cat::Voicemail {
            Outcome::Voicemail
        } else {
            Outcome::Answered
        };
    }
    match category {
        Cat::Busy => Outcome::Busy,
        Cat::Voicemail => Outcome::Voicemail,
        Cat::Error => Outcome::Failed,
        Cat::Canceled => Outcome::Canceled,
        Cat::Transferred => Outcome::Answered,
        Cat::CustomerEnded
        | Cat::AgentEnded
        | Cat::NoAnswer
        | Cat::SilenceTimeout
        | Cat::MaxDuration
        | Cat::Other => Outcome::no_answer(direction),
    }
}

/// Where a call `status` is in the lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifecycle {
    /// Not finished: outcome `active`.
    Active,
    /// Finished: the outcome follows the ended reason ([`outcome_for`]).
    Ended,
    /// Says nothing about the call's fate: outcome `unknown`.
    Unknown,
}

/// Call `status` words: lifecycle and stage (the precedence of a status-update).
pub const STATUSES: &[(&str, Lifecycle, u64)] = &[
    ("scheduled", Lifecycle::Active, 1),
    ("queued", Lifecycle::Active, 2),
    ("ringing", Lifecycle::Active, 3),
    ("in-progress", Lifecycle::Active, 4),
    ("forwarding", Lifecycle::Active, 5),
    ("ended", Lifecycle::Ended, 6),
    ("not-found", Lifecycle::Unknown, 6),
    ("deletion-failed", Lifecycle::Unknown, 6),
];

/// Call `type` words and their directions.
pub const CALL_TYPES: &[(&str, Direction)] = &[
    ("inboundPhoneCall", Direction::Inbound),
    ("outboundPhoneCall", Direction::Outbound),
    ("webCall", Direction::Unknown),
    ("vapi.websocketCall", Direction::Unknown),
];

/// Message types that carry the facts of a call; every other type is a non-call item.
const CALL_MESSAGES: &[&str] = &["end-of-call-report", "status-update"];

/// Message types of the Server URL union, for shape detection.
const MESSAGE_TYPES: &[&str] = &[
    "assistant-request",
    "conversation-update",
    "end-of-call-report",
    "handoff-destination-request",
    "hang",
    "knowledge-base-request",
    "model-output",
    "phone-call-control",
    "speech-update",
    "status-update",
    "tool-calls",
    "transfer-destination-request",
    "transfer-update",
    "transcript",
    "user-interrupted",
    "language-change-detected",
    "voice-input",
    "voice-request",
    "function-call",
];

/// Precedence of an end-of-call report: above every status stage.
const REPORT_PRECEDENCE: u64 = 100;

/// Keys read by [`read_shared`], present on call objects and on messages alike.
const SHARED_KEYS: &[&str] = &[
    "startedAt",
    "endedAt",
    "endedReason",
    "cost",
    "customer",
    "phoneNumber",
    "assistant",
    "analysis",
    "artifact",
    "summary",
    "transcript",
    "messages",
    "recordingUrl",
];

/// Whether a JSON document is a Vapi call object (or an array of them) or a server message.
pub fn detect(value: &Value) -> bool {
    match value {
        Value::Array(items) => items.iter().find(|v| v.is_object()).is_some_and(detect),
        Value::Object(o) => match o.get("message").and_then(Value::as_object) {
            Some(m) => m.get("type").and_then(Value::as_str).is_some_and(|t| {
                MESSAGE_TYPES.contains(&t) || m.contains_key("call") || m.contains_key("timestamp")
            }),
            None => is_call_object(value),
        },
        _ => false,
    }
}

fn is_call_object(value: &Value) -> bool {
    let Some(o) = value.as_object() else {
        return false;
    };
    let foreign = [
        "sid",
        "CallSid",
        "call_id",
        "callStatus",
        "dateTimeUtc",
        "call_info",
    ];
    if !o.contains_key("id")
        || !o.contains_key("createdAt")
        || foreign.iter().any(|k| o.contains_key(*k))
    {
        return false;
    }
    let typed = o
        .get("type")
        .and_then(Value::as_str)
        .is_some_and(|t| CALL_TYPES.iter().any(|(w, _)| *w == t));
    o.contains_key("orgId") || typed
}

/// Parse every item of a Vapi document (call object, array of call objects, server message).
pub fn parse(value: &Value, path: &str, ctx: &mut ParseCtx) -> Vec<Item> {
    match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .flat_map(|(i, v)| parse(v, &format!("{path}[{i}]"), ctx))
            .collect(),
        Value::Object(o) => match o.get("message") {
            Some(Value::Object(m)) => vec![parse_message(m, &format!("{path}.message"), path, ctx)],
            Some(_) => {
                vec![ctx.reject(
                    path,
                    0,
                    format!("{path}.message"),
                    "vapi message is not an object",
                )]
            }
            None => vec![parse_call(o, path, ctx)],
        },
        _ => vec![ctx.reject(path, 0, path, "not a vapi call object or server message")],
    }
}

/// A call object of `GET /call`.
fn parse_call(call: &Map<String, Value>, path: &str, ctx: &mut ParseCtx) -> Item {
    let Some(mut draft) = call_draft(call, path, ctx) else {
        return ctx.reject(path, 0, format!("{path}.id"), "vapi call without an id");
    };
    if draft.started_at.is_none() {
        ctx.fatal(
            format!("{path}.createdAt"),
            "vapi call without createdAt or startedAt",
        );
    }
    settle(&mut draft);
    ctx.finish(draft, path, 0, false)
}

/// The draft of a call object (also used for the `call` snapshot inside a message).
fn call_draft(call: &Map<String, Value>, path: &str, ctx: &mut ParseCtx) -> Option<CallDraft> {
    let id = call.get("id").and_then(as_text)?;
    let mut d = CallDraft::new(Provider::Vapi, id);
    d.tenant = call.get("orgId").and_then(as_text);
    d.started_at = ctx.instant(call.get("createdAt"), &format!("{path}.createdAt"));
    if let Some(t) = call.get("type").and_then(as_text) {
        d.direction = Some(match CALL_TYPES.iter().find(|(w, _)| *w == t) {
            Some((_, dir)) => *dir,
            None => {
                ctx.unknown_word(Provider::Vapi, &t);
                Direction::Unknown
            }
        });
    }
    let stage = read_status(call.get("status"), &mut d, ctx);
    d.precedence = stage * 10 + 1;
    read_shared(call, path, ctx, &mut d);
    if d.assistant.is_none() {
        d.assistant = call.get("assistantId").and_then(as_text);
    }
    if d.started_at.is_none() {
        d.started_at = d.answered_at;
    }
    let mut used: Vec<&str> = SHARED_KEYS.to_vec();
    used.extend(["id", "orgId", "createdAt", "type", "status"]);
    if d.assistant.is_some() && call.get("assistant").is_none() {
        used.push("assistantId");
    }
    keep_rest(call, &used, &mut d.extra);
    Some(d)
}

/// Read a `status` word into the draft; returns its stage.
fn read_status(value: Option<&Value>, d: &mut CallDraft, ctx: &mut ParseCtx) -> u64 {
    let Some(word) = value.and_then(as_text) else {
        return 0;
    };
    let (outcome, stage) = match STATUSES.iter().find(|(w, _, _)| *w == word) {
        Some((_, Lifecycle::Active, stage)) => (Some(Outcome::Active), *stage),
        Some((_, Lifecycle::Ended, stage)) => (None, *stage),
        Some((_, Lifecycle::Unknown, stage)) => (Some(Outcome::Unknown), *stage),
        None => {
            ctx.unknown_word(Provider::Vapi, &word);
            (Some(Outcome::Unknown), 0)
        }
    };
    d.outcome = outcome;
    d.raw_status = Some(word);
    stage
}

/// A server message: a call event, or a non-call item.
fn parse_message(m: &Map<String, Value>, mpath: &str, path: &str, ctx: &mut ParseCtx) -> Item {
    let Some(kind) = m.get("type").and_then(as_text) else {
        return ctx.reject(
            path,
            0,
            format!("{mpath}.type"),
            "vapi message without a type",
        );
    };
    if !CALL_MESSAGES.contains(&kind.as_str()) {
        return ctx.non_call(path, 0, format!("vapi message {kind}"));
    }
    let cpath = format!("{mpath}.call");
    let snapshot = match m.get("call") {
        Some(Value::Object(call)) => call_draft(call, &cpath, ctx),
        _ => None,
    };
    let Some(mut d) = snapshot else {
        return ctx.reject(
            path,
            0,
            format!("{cpath}.id"),
            format!("vapi {kind} without a call id"),
        );
    };
    // Lifecycle facts of the snapshot are from creation: the message level decides them.
    d.raw_status = None;
    d.outcome = None;
    let stamp = ctx.instant(m.get("timestamp"), &format!("{mpath}.timestamp"));
    let mut msg = CallDraft::new(
        Provider::Vapi,
        d.provider_call_id.clone().unwrap_or_default(),
    );
    let precedence = if kind == "end-of-call-report" {
        msg.raw_status = Some(
            m.get("status")
                .and_then(as_text)
                .unwrap_or_else(|| "ended".into()),
        );
        REPORT_PRECEDENCE
    } else {
        let stage = read_status(m.get("status"), &mut msg, ctx);
        let lifecycle = STATUSES
            .iter()
            .find(|(w, _, s)| *s == stage && msg.raw_status.as_deref() == Some(*w));
        match lifecycle.map(|(w, l, _)| (*w, *l)) {
            Some(("in-progress", _)) if d.answered_at.is_none() => msg.answered_at = stamp,
            Some((_, Lifecycle::Ended)) if d.ended_at.is_none() => msg.ended_at = stamp,
            _ => {}
        }
        stage * 10
    };
    read_shared(m, mpath, ctx, &mut msg);
    keep_rest(
        m,
        &[SHARED_KEYS, &["type", "call", "timestamp", "status"]].concat(),
        &mut msg.extra,
    );
    d.overlay(msg);
    d.precedence = precedence;
    settle(&mut d);
    ctx.finish(d, path, 0, true)
}

/// Fields that call objects and messages spell alike.
fn read_shared(o: &Map<String, Value>, path: &str, ctx: &mut ParseCtx, d: &mut CallDraft) {
    let at = |key: &str| format!("{path}.{key}");
    if let Some(t) = ctx.instant(o.get("startedAt"), &at("startedAt")) {
        d.answered_at = Some(t);
    }
    if let Some(t) = ctx.instant(o.get("endedAt"), &at("endedAt")) {
        d.ended_at = Some(t);
    }
    if let (Some(a), Some(e)) = (d.answered_at, d.ended_at) {
        if let Some(talk) = seconds_between(a, e) {
            d.talk_s = Some(talk);
        }
    }
    if let Some(raw) = o.get("endedReason").and_then(as_text) {
        let category = match classify_ended_reason(&raw) {
            Some(c) => c,
            None => {
                ctx.unknown_word(Provider::Vapi, &raw);
                Cat::Other
            }
        };
        d.ended_reason = Some(EndedReason { category, raw });
    }
    if let Some(cost) = ctx.number(o.get("cost"), &at("cost")) {
        d.cost = Some(cost);
    }
    if let Some(c) = o.get("customer").and_then(Value::as_object) {
        d.customer_number = c
            .get("number")
            .and_then(as_text)
            .and_then(|n| crate::phone::normalize(&n));
        d.customer_name = c.get("name").and_then(as_text);
        rest_into(&mut d.extra, "customer", c, &["number", "name"]);
    }
    if let Some(p) = o.get("phoneNumber").and_then(Value::as_object) {
        d.business_number = p
            .get("number")
            .or_else(|| p.get("sipUri"))
            .and_then(as_text)
            .and_then(|n| crate::phone::normalize(&n));
        rest_into(&mut d.extra, "phoneNumber", p, &["number"]);
    }
    if let Some(a) = o.get("assistant").and_then(Value::as_object) {
        d.assistant = a
            .get("name")
            .and_then(as_text)
            .or_else(|| a.get("id").and_then(as_text));
        d.language = a
            .get("transcriber")
            .and_then(|t| t.get("language"))
            .and_then(as_text)
            .filter(|l| l != "multi");
        rest_into(&mut d.extra, "assistant", a, &["name"]);
    }
    if let Some(a) = o.get("analysis").and_then(Value::as_object) {
        d.summary = a.get("summary").and_then(as_text);
        d.intent = a
            .get("structuredData")
            .and_then(|s| s.get("intent"))
            .and_then(as_text);
        rest_into(&mut d.extra, "analysis", a, &["summary"]);
    }
    if d.summary.is_none() {
        d.summary = o.get("summary").and_then(as_text);
    }
    let artifact = o.get("artifact").and_then(Value::as_object);
    let messages = artifact
        .and_then(|a| a.get("messages"))
        .or_else(|| o.get("messages"))
        .and_then(Value::as_array);
    d.transcript = messages.map(|m| turns_from_messages(m)).unwrap_or_default();
    if d.transcript.is_empty() {
        let text = artifact
            .and_then(|a| a.get("transcript"))
            .or_else(|| o.get("transcript"));
        d.transcript = text
            .and_then(Value::as_str)
            .map(turns_from_text)
            .unwrap_or_default();
    }
    d.recording_url = artifact
        .and_then(|a| {
            a.get("recordingUrl").and_then(as_text).or_else(|| {
                a.get("recording")
                    .and_then(|r| r.get("mono"))
                    .and_then(|m| m.get("combinedUrl"))
                    .and_then(as_text)
            })
        })
        .or_else(|| o.get("recordingUrl").and_then(as_text));
    if let Some(a) = artifact {
        rest_into(
            &mut d.extra,
            "artifact",
            a,
            &["messages", "transcript", "recordingUrl"],
        );
    }
}

/// Keep the unused keys of a nested object under `key` in `extra`.
fn rest_into(extra: &mut Extra, key: &str, obj: &Map<String, Value>, used: &[&str]) {
    let mut rest = Map::new();
    keep_rest(obj, used, &mut rest);
    if !rest.is_empty() {
        extra.insert(key.to_string(), Value::Object(rest));
    }
}

fn seconds_between(a: DateTime<Utc>, b: DateTime<Utc>) -> Option<f64> {
    let us = (b - a).num_microseconds()?;
    (us >= 0).then_some(us as f64 / 1e6)
}

/// A finite non-negative number, quietly (transcript timings are informative only).
fn quiet_number(v: Option<&Value>) -> Option<f64> {
    let x = match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }?;
    (x.is_finite() && x >= 0.0).then_some(x)
}

/// The speaker word of a message role; `None` for roles that are not spoken.
fn speaker(role: &str) -> Option<String> {
    match role {
        "user" | "customer" => Some("customer".into()),
        "bot" | "assistant" => Some("assistant".into()),
        "system" | "tool_calls" | "tool_call_result" | "function_call" | "function_result"
        | "tool" => None,
        other => Some(other.to_string()),
    }
}

/// Transcript turns of `artifact.messages`.
fn turns_from_messages(messages: &[Value]) -> Vec<TranscriptTurn> {
    messages
        .iter()
        .filter_map(|m| {
            let speaker = speaker(&m.get("role").and_then(as_text)?)?;
            let text = m
                .get("message")
                .or_else(|| m.get("content"))
                .and_then(as_text)?;
            let start_s = quiet_number(m.get("secondsFromStart"));
            let length_ms = quiet_number(m.get("duration")).or_else(|| {
                let (t, e) = (
                    quiet_number(m.get("time"))?,
                    quiet_number(m.get("endTime"))?,
                );
                (e >= t).then_some(e - t)
            });
            let end_s = start_s.zip(length_ms).map(|(s, ms)| s + ms / 1000.0);
            Some(TranscriptTurn {
                speaker,
                start_s,
                end_s,
                text,
                confidence: None,
                language: None,
            })
        })
        .collect()
}

/// Transcript turns of the `AI: ...` / `User: ...` text; other lines continue the last turn.
fn turns_from_text(text: &str) -> Vec<TranscriptTurn> {
    let mut turns: Vec<TranscriptTurn> = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let labelled = line.split_once(':').and_then(|(label, rest)| {
            let who = match label.trim().to_ascii_lowercase().as_str() {
                "ai" | "assistant" | "bot" => "assistant",
                "user" | "customer" => "customer",
                _ => return None,
            };
            Some((who, rest.trim()))
        });
        match (labelled, turns.last_mut()) {
            (Some((who, rest)), _) => turns.push(TranscriptTurn {
                speaker: who.into(),
                start_s: None,
                end_s: None,
                text: rest.to_string(),
                confidence: None,
                language: None,
            }),
            (None, Some(last)) => {
                last.text.push('\n');
                last.text.push_str(line);
            }
            (None, None) => {}
        }
    }
    turns.retain(|t| !t.text.is_empty());
    turns
}

/// Outcome and talk time of one item or of the folded record.
fn settle(d: &mut CallDraft) {
    if d.talk_s.is_none() {
        if let (Some(a), Some(e)) = (d.answered_at, d.ended_at) {
            d.talk_s = seconds_between(a, e);
        }
    }
    let started = d.answered_at.is_some();
    let direction = d.direction.unwrap_or(Direction::Unknown);
    if let Some(reason) = &d.ended_reason {
        d.outcome = Some(outcome_for(reason.category, started, direction));
    } else if d.raw_status.as_deref() == Some("ended") {
        d.outcome = Some(if started {
            Outcome::Answered
        } else {
            Outcome::Unknown
        });
    }
}

/// Derivations on the folded record of a Vapi call: outcome from the ended reason and whether
/// the call started, talk time, the transfer of a forwarded call, and no answer instant / wait
/// for finished calls that are not `answered` (SPEC 7).
pub fn finalize(d: &mut CallDraft) {
    settle(d);
    if !matches!(d.outcome, Some(Outcome::Answered | Outcome::Active)) {
        d.answered_at = None;
        d.wait_s = None;
    }
    let transferred = d
        .ended_reason
        .as_ref()
        .is_some_and(|r| r.category == Cat::Transferred);
    if transferred && d.transfers.is_empty() {
        let to = d.extra.get("destination").and_then(|dest| {
            ["number", "sipUri", "assistantName"]
                .iter()
                .find_map(|k| dest.get(*k).and_then(as_text))
        });
        d.transfers.push(Transfer {
            at: d.ended_at,
            to_queue: to,
            to_agent: None,
        });
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::CallRecord;
    use crate::providers::ItemKind;
    use serde_json::json;

    const REPORT: &str =
        include_str!("../../../tests/data/vapi/end-of-call-report.realcapture.json");
    const STATUS: &str = include_str!("../../../tests/data/vapi/status-update.realcapture.json");

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn ctx() -> ParseCtx {
        ParseCtx::new(chrono_tz::UTC, true)
    }

    fn items(v: &Value) -> Vec<Item> {
        parse(v, "$", &mut ctx())
    }

    fn draft(v: &Value) -> CallDraft {
        match items(v).pop().map(|i| i.kind) {
            Some(ItemKind::Call { draft, .. }) => draft,
            other => panic!("not a call: {other:?}"),
        }
    }

    fn record(drafts: Vec<CallDraft>) -> CallRecord {
        let mut folded = CallDraft::fold(drafts);
        finalize(&mut folded);
        folded.into_record(true).unwrap().0
    }

    fn report() -> Value {
        serde_json::from_str(REPORT).unwrap()
    }

    fn status() -> Value {
        serde_json::from_str(STATUS).unwrap()
    }

    #[test]
    fn exact_words_each_have_their_category() {
        for (word, cat) in ENDED_REASONS {
            assert_eq!(classify_ended_reason(word), Some(*cat), "{word}");
        }
        let spot = [
            ("customer-ended-call", Cat::CustomerEnded),
            ("assistant-said-end-call-phrase", Cat::AgentEnded),
            ("assistant-forwarded-call", Cat::Transferred),
            ("voicemail", Cat::Voicemail),
            ("customer-did-not-answer", Cat::NoAnswer),
            ("customer-busy", Cat::Busy),
            ("silence-timed-out", Cat::SilenceTimeout),
            ("exceeded-max-duration", Cat::MaxDuration),
            ("manually-canceled", Cat::Canceled),
            ("scheduled-call-deleted", Cat::Canceled),
            ("call.in-progress.twilio-completed-call", Cat::Other),
            ("vonage-completed", Cat::Other),
        ];
        for (word, cat) in spot {
            assert_eq!(ended_reason_category(word), cat, "{word}");
        }
    }

    #[test]
    fn real_and_future_reasons_classify_by_pattern() {
        let cases = [
            ("pipeline-error-openai-llm-failed", Cat::Error),
            ("pipeline-error-openai-voice-failed", Cat::Error),
            ("pipeline-error-eleven-labs-voice-not-found", Cat::Error),
            ("pipeline-error-deepgram-returning-econnreset", Cat::Error),
            ("pipeline-error-vapi-429-exceeded-quota", Cat::Error),
            ("pipeline-error-first-message-failed", Cat::Error),
            ("pipeline-error-cartesia-socket-hang-up", Cat::Error),
            ("pipeline-error-playht-request-timed-out", Cat::Error),
            (
                "call.in-progress.error-vapifault-openai-voice-failed",
                Cat::Error,
            ),
            ("call.in-progress.error-vapifault-worker-died", Cat::Error),
            (
                "call.in-progress.error-vapifault-transport-never-connected",
                Cat::Error,
            ),
            (
                "call.in-progress.error-providerfault-openai-500-server-error",
                Cat::Error,
            ),
            (
                "call.in-progress.error-providerfault-eleven-labs-system-busy-and-requested-upgrade",
                Cat::Error,
            ),
            (
                "call.in-progress.error-providerfault-newvendor-llm-500",
                Cat::Error,
            ),
            (
                "call.in-progress.error-vapifault-newvendor-transcriber-failed",
                Cat::Error,
            ),
            ("pipeline-error-newvendor-voice-quota-exceeded", Cat::Error),
            (
                "call.in-progress.error-pipeline-no-available-llm-model",
                Cat::Error,
            ),
            ("call.in-progress.error-transfer-failed", Cat::Error),
            (
                "call.in-progress.error-warm-transfer-max-duration",
                Cat::Error,
            ),
            (
                "call.in-progress.error-warm-transfer-silence-timeout",
                Cat::Error,
            ),
            (
                "call.in-progress.error-warm-transfer-assistant-cancelled",
                Cat::Error,
            ),
            (
                "call.in-progress.error-assistant-did-not-receive-customer-audio",
                Cat::Error,
            ),
            ("call.start.error-get-assistant", Cat::Error),
            (
                "call.start.error-subscription-concurrency-limit-reached",
                Cat::Error,
            ),
            ("call.start.error-vapifault-get-org", Cat::Error),
            ("call.start.error-new-setup-check", Cat::Error),
            (
                "call-start-error-neither-assistant-nor-server-set",
                Cat::Error,
            ),
            ("assistant-request-failed", Cat::Error),
            ("assistant-request-returned-unspeakable-error", Cat::Error),
            ("assistant-request-returned-no-assistant", Cat::Error),
            (
                "assistant-request-returned-forwarding-phone-number",
                Cat::Transferred,
            ),
            (
                "call.in-progress.error-sip-inbound-call-failed-to-connect",
                Cat::Error,
            ),
            (
                "call.ringing.error-sip-inbound-call-failed-to-connect",
                Cat::Error,
            ),
            (
                "call.in-progress.error-providerfault-outbound-sip-408-request-timeout",
                Cat::NoAnswer,
            ),
            (
                "call.in-progress.error-providerfault-outbound-sip-480-temporarily-unavailable",
                Cat::NoAnswer,
            ),
            (
                "call.in-progress.error-providerfault-outbound-sip-486-busy-here",
                Cat::Busy,
            ),
            (
                "call.in-progress.error-providerfault-outbound-sip-503-service-unavailable",
                Cat::Error,
            ),
            (
                "call.in-progress.error-providerfault-outbound-sip-403-forbidden",
                Cat::Error,
            ),
            (
                "customer-ended-call-after-some-new-step",
                Cat::CustomerEnded,
            ),
            ("assistant-ended-call-after-tool-result", Cat::AgentEnded),
            ("call.in-progress.warm-transfer-completed", Cat::Transferred),
            ("call.forwarding.operator-busy", Cat::Busy),
            ("call.forwarding.no-answer", Cat::NoAnswer),
            (
                "call.ringing.sip-inbound-caller-hungup-before-call-connect",
                Cat::CustomerEnded,
            ),
            ("call.ringing.hook-executed-transfer", Cat::Transferred),
            ("call.ending.hook-executed-say", Cat::Other),
            ("twilio-failed-to-connect-call", Cat::Error),
            ("twilio-reported-customer-misdialed", Cat::Error),
            ("vonage-rejected", Cat::NoAnswer),
            ("worker-shutdown", Cat::Error),
            ("phone-call-provider-closed-websocket", Cat::Other),
            ("customer-did-not-give-microphone-permission", Cat::Error),
            ("voicemail-detected-by-new-model", Cat::Voicemail),
            ("call.ringing.customer-no-answer-timeout", Cat::NoAnswer),
            ("call.scheduled.canceled-by-user", Cat::Canceled),
            ("CUSTOMER-ENDED-CALL", Cat::CustomerEnded),
            ("hangup", Cat::Other),
        ];
        assert!(cases.len() >= 40);
        for (word, cat) in cases {
            assert_eq!(ended_reason_category(word), cat, "{word}");
        }
        assert_eq!(classify_ended_reason("something-else-entirely"), None);
        assert_eq!(ended_reason_category("something-else-entirely"), Cat::Other);
    }

    #[test]
    fn outcome_rule() {
        use Direction::*;
        assert_eq!(outcome_for(Cat::NoAnswer, false, Inbound), Outcome::Missed);
        assert_eq!(
            outcome_for(Cat::NoAnswer, false, Outbound),
            Outcome::Unanswered
        );
        assert_eq!(
            outcome_for(Cat::CustomerEnded, false, Inbound),
            Outcome::Missed
        );
        assert_eq!(outcome_for(Cat::Busy, false, Outbound), Outcome::Busy);
        assert_eq!(
            outcome_for(Cat::Voicemail, false, Outbound),
            Outcome::Voicemail
        );
        assert_eq!(
            outcome_for(Cat::Voicemail, true, Outbound),
            Outcome::Voicemail
        );
        assert_eq!(outcome_for(Cat::Error, false, Outbound), Outcome::Failed);
        assert_eq!(outcome_for(Cat::Error, true, Outbound), Outcome::Answered);
        assert_eq!(
            outcome_for(Cat::Canceled, false, Unknown),
            Outcome::Canceled
        );
        assert_eq!(
            outcome_for(Cat::Transferred, false, Inbound),
            Outcome::Answered
        );
        for cat in Cat::ALL.iter().filter(|c| **c != Cat::Voicemail) {
            assert_eq!(outcome_for(*cat, true, Inbound), Outcome::Answered, "{cat}");
        }
    }

    #[test]
    fn status_and_type_words() {
        let mut d = CallDraft::default();
        let mut c = ctx();
        for (word, lifecycle, stage) in STATUSES {
            let s = read_status(Some(&json!(word)), &mut d, &mut c);
            assert_eq!(s, *stage, "{word}");
            let expect = match lifecycle {
                Lifecycle::Active => Some(Outcome::Active),
                Lifecycle::Ended => None,
                Lifecycle::Unknown => Some(Outcome::Unknown),
            };
            assert_eq!(d.outcome, expect, "{word}");
            assert_eq!(d.raw_status.as_deref(), Some(*word));
        }
        assert!(c.unknown_words.is_empty());
        read_status(Some(&json!("teleporting")), &mut d, &mut c);
        assert_eq!(d.outcome, Some(Outcome::Unknown));
        assert_eq!(
            c.unknown_words,
            vec![(Provider::Vapi, "teleporting".to_string())]
        );
        for (word, dir) in CALL_TYPES {
            let call = json!({"id": "c1", "createdAt": "2025-01-01T00:00:00Z", "type": word});
            assert_eq!(draft(&call).direction, Some(*dir), "{word}");
        }
    }

    #[test]
    fn end_of_call_report_real_capture() {
        let r = record(vec![draft(&report())]);
        assert_eq!(r.id, "vapi:73daba4d-2bcc-4cca-8e49-3d7903467ade");
        assert_eq!(
            r.tenant.as_deref(),
            Some("aeccb59a-73ea-4033-baae-51833f9ed571")
        );
        assert_eq!(r.direction, Direction::Unknown); // webCall
        assert_eq!(r.outcome, Outcome::Answered);
        assert_eq!(r.raw_status.as_deref(), Some("ended")); // not the snapshot's "queued"
        assert_eq!(r.started_at, at("2025-06-10T09:06:55.710Z")); // call.createdAt
        assert_eq!(r.answered_at, Some(at("2025-06-10T09:07:00.649Z")));
        assert_eq!(r.ended_at, Some(at("2025-06-10T09:07:25.925Z")));
        // 25.925 - (-4.290) : 09:07:25.925 - 09:06:55.710 = 30.215 s
        assert_eq!(r.duration_s, Some(30.215));
        // 09:07:25.925 - 09:07:00.649 = 25.276 s (= the report's durationSeconds)
        assert_eq!(r.talk_s, Some(25.276));
        // 09:07:00.649 - 09:06:55.710 = 4.939 s
        assert_eq!(r.wait_s, Some(4.939));
        let reason = r.ended_reason.as_ref().unwrap();
        assert_eq!(
            (reason.category, reason.raw.as_str()),
            (Cat::CustomerEnded, "customer-ended-call")
        );
        assert_eq!(r.cost, Some(0.0394));
        assert_eq!(r.assistant.as_deref(), Some("Finzie"));
        assert_eq!(r.language.as_deref(), Some("en"));
        assert!(
            r.summary
                .as_deref()
                .unwrap()
                .starts_with("The AI called to follow up on a user's internet issue.")
        );
        assert_eq!(r.intent, None);
        // 6 artifact messages, the system prompt skipped
        assert_eq!(r.transcript.len(), 5);
        let first = &r.transcript[0];
        assert_eq!(
            (first.speaker.as_str(), first.text.as_str()),
            ("assistant", "Hello?")
        );
        assert_eq!(first.start_s, Some(1.28));
        assert!((first.end_s.unwrap() - 1.78).abs() < 1e-9); // 1.28 + 500 ms
        assert_eq!(r.transcript[1].speaker, "customer");
        assert_eq!(r.transcript[4].start_s, Some(16.75));
        assert!((r.transcript[4].end_s.unwrap() - 23.78).abs() < 1e-9); // 16.75 + 7030 ms
        assert!(
            r.recording_url
                .as_deref()
                .unwrap()
                .ends_with("3ef3457e-6fe6-4410-b76d-7b135cd4901e-mono.wav")
        );
        assert!(r.transfers.is_empty());
        assert_eq!(r.customer_number, None);
        assert_eq!(r.extra["costBreakdown"]["total"], json!(0.0394));
        assert_eq!(r.extra["analysis"]["successEvaluation"], json!("true"));
        assert_eq!(r.extra["durationSeconds"], json!(25.276));
        assert_eq!(
            r.extra["webCallUrl"],
            json!("https://vapi.daily.co/yJPTsCsAtxVnVkqIgWyZ")
        );
        assert!(r.extra["artifact"].get("stereoRecordingUrl").is_some());
        assert!(r.extra.get("messages").is_none());
    }

    #[test]
    fn status_update_real_capture() {
        let d = draft(&status());
        assert_eq!(d.precedence, 40);
        assert_eq!(d.outcome, Some(Outcome::Active));
        assert_eq!(d.raw_status.as_deref(), Some("in-progress"));
        // message.timestamp 1749546420647 ms
        assert_eq!(d.answered_at, Some(at("2025-06-10T09:07:00.647Z")));
        assert_eq!(d.ended_at, None);
        assert!(d.transcript.is_empty()); // only the system prompt so far
        let r = record(vec![d]);
        assert_eq!(r.started_at, at("2025-06-10T09:06:55.710Z"));
        assert_eq!(r.outcome, Outcome::Active);
        assert_eq!(r.assistant.as_deref(), Some("Finzie"));
    }

    #[test]
    fn report_wins_over_status_update_in_both_orders() {
        let a = record(vec![draft(&status()), draft(&report())]);
        let b = record(vec![draft(&report()), draft(&status())]);
        assert_eq!(a, b);
        assert_eq!(a.outcome, Outcome::Answered);
        assert_eq!(a.answered_at, Some(at("2025-06-10T09:07:00.649Z"))); // the report's startedAt
        assert_eq!(a.raw_status.as_deref(), Some("ended"));
        assert_eq!(a.transcript.len(), 5);
        assert_eq!(a.talk_s, Some(25.276));
    }

    /// The real status-update turned into the `ended` one Vapi sends next.
    fn ended_status(reason: &str, stamp: i64) -> Value {
        let mut v = status();
        v["message"]["status"] = json!("ended");
        v["message"]["endedReason"] = json!(reason);
        v["message"]["timestamp"] = json!(stamp);
        v
    }

    #[test]
    fn status_updates_alone_fold_to_an_answered_call() {
        // ended at 1749546446000 ms = 09:07:26.000; answered at 09:07:00.647 (in-progress stamp)
        let ended = ended_status("customer-ended-call", 1_749_546_446_000);
        let lone = draft(&ended);
        assert_eq!(lone.precedence, 60);
        assert_eq!(lone.outcome, Some(Outcome::Unanswered)); // alone it never started
        let a = record(vec![draft(&status()), draft(&ended)]);
        let b = record(vec![draft(&ended), draft(&status())]);
        assert_eq!(a, b);
        assert_eq!(a.outcome, Outcome::Answered);
        assert_eq!(a.ended_at, Some(at("2025-06-10T09:07:26Z")));
        // 09:07:26.000 - 09:07:00.647 = 25.353 s
        assert_eq!(a.talk_s, Some(25.353));
        // 09:07:26.000 - 09:06:55.710 = 30.290 s
        assert_eq!(a.duration_s, Some(30.29));
        let all = record(vec![draft(&ended), draft(&report()), draft(&status())]);
        assert_eq!(all.ended_at, Some(at("2025-06-10T09:07:25.925Z"))); // the report wins
    }

    #[test]
    fn never_started_outbound_no_answer() {
        let call = json!({
            "id": "c-2", "orgId": "org", "type": "outboundPhoneCall",
            "createdAt": "2025-01-02T10:00:00Z", "endedAt": "2025-01-02T10:00:30Z",
            "status": "ended", "endedReason": "customer-did-not-answer",
            "customer": {"number": "+1 (415) 867-5309", "name": "Ann"},
            "phoneNumber": {"number": "+14155550100"},
            "assistantId": "asst-1", "cost": 0.01,
            "analysis": {"structuredData": {"intent": "billing"}}
        });
        let r = record(vec![draft(&call)]);
        assert_eq!(r.outcome, Outcome::Unanswered);
        assert_eq!(r.direction, Direction::Outbound);
        assert_eq!(r.answered_at, None);
        assert_eq!(r.talk_s, None);
        assert_eq!(r.duration_s, Some(30.0));
        assert_eq!(r.customer_number.as_deref(), Some("+14158675309"));
        assert_eq!(r.customer_name.as_deref(), Some("Ann"));
        assert_eq!(r.business_number.as_deref(), Some("+14155550100"));
        assert_eq!(r.assistant.as_deref(), Some("asst-1"));
        assert_eq!(r.intent.as_deref(), Some("billing"));
        assert_eq!(r.ended_reason.unwrap().category, Cat::NoAnswer);
    }

    #[test]
    fn error_after_connect_is_answered_and_voicemail_has_talk_but_no_answer() {
        let base = json!({
            "id": "c-3", "orgId": "org", "type": "inboundPhoneCall", "status": "ended",
            "createdAt": "2025-01-02T10:00:00Z", "startedAt": "2025-01-02T10:00:02Z",
            "endedAt": "2025-01-02T10:01:02Z",
            "endedReason": "call.in-progress.error-providerfault-newvendor-llm-500"
        });
        let r = record(vec![draft(&base)]);
        assert_eq!(r.outcome, Outcome::Answered);
        assert_eq!(r.ended_reason.as_ref().unwrap().category, Cat::Error);
        assert_eq!(
            (r.wait_s, r.talk_s, r.duration_s),
            (Some(2.0), Some(60.0), Some(62.0))
        );
        let mut vm = base.clone();
        vm["endedReason"] = json!("voicemail");
        let r = record(vec![draft(&vm)]);
        assert_eq!(r.outcome, Outcome::Voicemail);
        assert_eq!(
            (r.answered_at, r.wait_s, r.talk_s),
            (None, None, Some(60.0))
        );
        let mut failed = base.clone();
        failed["endedReason"] = json!("call.start.error-get-assistant");
        failed.as_object_mut().unwrap().remove("startedAt");
        assert_eq!(record(vec![draft(&failed)]).outcome, Outcome::Failed);
    }

    #[test]
    fn forwarded_call_has_one_transfer() {
        let mut v = report();
        v["message"]["endedReason"] = json!("assistant-forwarded-call");
        v["message"]["destination"] = json!({"type": "number", "number": "+14155550199"});
        let ended = ended_status("assistant-forwarded-call", 1_749_546_446_000);
        let r = record(vec![draft(&ended), draft(&v), draft(&status())]);
        assert_eq!(r.transfers.len(), 1);
        assert_eq!(r.transfers[0].to_queue.as_deref(), Some("+14155550199"));
        assert_eq!(r.transfers[0].at, Some(at("2025-06-10T09:07:25.925Z")));
        assert_eq!(r.ended_reason.unwrap().category, Cat::Transferred);
        assert_eq!(r.outcome, Outcome::Answered);
    }

    #[test]
    fn transcript_falls_back_to_text_lines() {
        let mut v = report();
        v["message"]["artifact"]
            .as_object_mut()
            .unwrap()
            .remove("messages");
        v["message"].as_object_mut().unwrap().remove("messages");
        let d = draft(&v);
        let speakers: Vec<_> = d.transcript.iter().map(|t| t.speaker.as_str()).collect();
        assert_eq!(
            speakers,
            [
                "assistant",
                "customer",
                "assistant",
                "customer",
                "assistant"
            ]
        );
        assert_eq!(d.transcript[3].text, "Yes. It has been.");
        assert_eq!(d.transcript[0].start_s, None);
        let turns = turns_from_text("AI: Hello\nthere\nUser: hi\nnoise: x");
        assert_eq!(turns.len(), 2);
        assert_eq!(turns[0].text, "Hello\nthere");
        assert_eq!(turns[1].text, "hi\nnoise: x");
    }

    #[test]
    fn other_messages_are_not_calls() {
        for kind in [
            "transcript",
            "conversation-update",
            "speech-update",
            "tool-calls",
            "hang",
            "model-output",
            "user-interrupted",
            "assistant-request",
            "transfer-update",
        ] {
            let v = json!({"message": {"type": kind, "timestamp": 1, "call": {"id": "c"}}});
            assert!(detect(&v), "{kind}");
            match &items(&v)[0].kind {
                ItemKind::NonCall { what } => assert_eq!(what, &format!("vapi message {kind}")),
                other => panic!("{kind}: {other:?}"),
            }
        }
    }

    #[test]
    fn rejections_name_the_path() {
        let cases = [
            (
                json!({"message": {"type": "status-update", "status": "ended"}}),
                "$.message.call.id",
            ),
            (json!({"message": {"call": {"id": "x"}}}), "$.message.type"),
            (json!({"message": "hello"}), "$.message"),
            (
                json!({"orgId": "o", "createdAt": "2025-01-01T00:00:00Z"}),
                "$.id",
            ),
            (json!({"id": "x", "orgId": "o"}), "$.createdAt"),
            (
                json!({"id": "x", "createdAt": "yesterday-ish"}),
                "$.createdAt",
            ),
            (
                json!({"id": "x", "createdAt": "2025-01-01T00:00:00Z", "cost": "cheap"}),
                "$.cost",
            ),
            (json!("text"), "$"),
        ];
        for (v, path) in cases {
            match &items(&v)[0].kind {
                ItemKind::Rejected(issue) => assert_eq!(issue.path, path, "{v}"),
                other => panic!("{v}: {other:?}"),
            }
        }
        let lenient = parse(
            &json!({"id": "x", "createdAt": "2025-01-01T00:00:00Z", "cost": "cheap"}),
            "$",
            &mut ParseCtx::new(chrono_tz::UTC, false),
        );
        match &lenient[0].kind {
            ItemKind::Call { draft, .. } => assert_eq!(draft.warnings[0].path, "$.cost"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn arrays_parse_element_by_element() {
        let list = json!([
            {"id": "a", "orgId": "o", "createdAt": "2025-01-01T00:00:00Z", "status": "queued"},
            {"id": "b", "orgId": "o", "createdAt": "2025-01-01T00:00:00Z", "status": "ended", "endedReason": "silence-timed-out", "startedAt": "2025-01-01T00:00:01Z", "endedAt": "2025-01-01T00:00:31Z"}
        ]);
        assert!(detect(&list));
        let items = items(&list);
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].path, "$[1]");
        match &items[1].kind {
            ItemKind::Call { draft, event } => {
                assert!(!event);
                assert_eq!(draft.outcome, Some(Outcome::Answered));
                assert_eq!(draft.talk_s, Some(30.0));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn detect_claims_only_vapi_shapes() {
        assert!(detect(&report()));
        assert!(detect(&status()));
        assert!(detect(&json!([report(), status()])));
        for v in [report(), status()] {
            assert_eq!(crate::providers::detect_json(&v), Some(Provider::Vapi));
        }
        assert!(!detect(
            &json!({"id": "m", "orgId": "o", "createdAt": "x", "dateTimeUtc": "x", "callStatus": "Connected"})
        ));
        assert!(!detect(
            &json!({"sid": "CA1", "createdAt": "x", "id": "1", "orgId": "o"})
        ));
        assert!(!detect(&json!({"call_id": "r1", "call_status": "ended"})));
        assert!(!detect(
            &json!({"event": "call:new", "data": {"callId": "1"}})
        ));
        assert!(!detect(
            &json!({"id": 1, "from_number": "+1", "to_number": "+2", "created_at": "x"})
        ));
        assert!(!detect(&json!({"message": "hi"})));
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
