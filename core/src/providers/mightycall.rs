//! MightyCall (API v4): calls, journal requests, voicemails and webhooks (PROVIDERS.md
//! section 3, SPEC 7). The public shapes are the least certain of all providers; this module
//! reads the documented ones and names every guess below.
//!
//! Shapes read:
//! - `/api/calls` (and `/api/calls/active`, `/api/calls/{id}`) call objects: `id`, `from` / `to`
//!   `{phoneNumber, name, extension}`, `direction`, `callStatus`, `dateTimeUtc`, `duration`,
//!   `businessNumber`, `callRecord {uri, fileName}`; alone, or in `{calls: [...]}` or
//!   `{data: {calls: [...]}}`;
//! - journal requests `{requests: [...]}` (the array-wrapped form reaches [`parse`] one element
//!   at a time): `id`, `type`, `state`, `origin`, `created`, `businessNumber.number`,
//!   `client.address`, `duration`, `textModel.text`. Only `type: Call` is a call; every other
//!   type (`Message`, `MessageThread`, `Task`, `CallbackRequest`, `Service`, `Default`,
//!   `Unspecified`) and any item whose `state` is `Message` is a non-call item;
//! - voicemails `{voicemails: [...]}` or `{data: {voicemails: [...]}}`: each is a call whose
//!   outcome is `voicemail`, inbound unless it says otherwise;
//! - webhooks `{EventType, Body, Timestamp}` with `IncomingCall`, `IncomingCallConnected`,
//!   `IncomingCallCompleted` and the `Outgoing*` three, folded per call.
//!
//! Decisions the SPEC leaves open:
//! - **`duration` unit.** A number is **milliseconds** everywhere (calls, journal, voicemails):
//!   the one statement about the documented `/calls` response says so, and the journal and
//!   voicemails come from the same v4 API. A text with colons is a .NET `TimeSpan`
//!   (`[d.]hh:mm:ss[.fffffff]`). There is no magnitude guessing. The one duration is the total
//!   (`duration_s`), never talk time (SPEC 7) — except on a voicemail item, whose `duration`
//!   is the length of the message the caller left: that is talk time (`talk_s`), and the
//!   call's total is unknown unless its call record is ingested too.
//! - **Precedence**: webhooks 1-3 < voicemail items 5 < call objects and journal requests 10,
//!   so a call's own record wins over its voicemail item, which fills in the rest (the
//!   message's `uri` as the recording when the call has none).
//! - **Parties.** Inbound: customer = `from`, agent = `to` (`extension` as id, `name`);
//!   outbound (and `Callback`, which the business places): customer = `to`, agent = `from`.
//!   Business number = `businessNumber` (text or `{number}`), else the business side's
//!   `phoneNumber`. `from` and `to` are kept whole in `extra`.
//! - **Webhook call id** = `Body.CallId`, else `Body.Id`, else `Body.RequestId`. Timing comes
//!   from the envelope `Timestamp`: the ringing event gives `started_at`, the connected event
//!   `answered_at`, the completed event `ended_at`. [`finalize`] decides the outcome of a call
//!   known only from webhooks: completed after a connect is `answered`, completed without one
//!   is a no-answer (missed inbound, unanswered outbound); talk = end - connect. A
//!   `Body.CallStatus` / `Body.Status` word, when present, is read with the same table and
//!   wins. Precedence: ringing 1 < connected 2 < completed 3; an unknown `EventType` with a
//!   call id is an event of precedence 0 that sets no times (its word is counted as unknown).
//! - **Ids.** Calls and webhooks use the call `id`; a voicemail uses `callId` when present
//!   (to fold with its call), else its own `id`; journal requests use their `id`, which is
//!   not known to equal the call id, so a journal and a calls export of the same period
//!   should not be ingested together.
//! - Outcome words (`STATUS_WORDS`, case-insensitive, spaces/`_`/`-` ignored): `Connected`
//!   answered, `Missed` missed, `NoAnswer` no-answer by direction, `VoiceMail` voicemail,
//!   `Dropped` missed (SPEC 7), `Scheduled` active. MightyCall names no hang-up reason, so
//!   `ended_reason` stays empty. No field names the account: `tenant` is empty.

use super::json::{Node, as_text, keep_rest};
use super::{Item, ParseCtx};
use crate::model::{Agent, CallDraft, Direction, Outcome, Provider};
use serde_json::{Map, Value};

const P: Provider = Provider::MightyCall;

/// Precedence of a call object or journal request (over webhooks 1-3 and voicemails).
const RECORD_PRECEDENCE: u64 = 10;

/// Precedence of a voicemail item: its call's own record wins where both say something.
const VOICEMAIL_PRECEDENCE: u64 = 5;

/// How a status word sets the outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// Always this outcome.
    Is(Outcome),
    /// A no-answer word: missed inbound, unanswered otherwise (SPEC 7).
    NoAnswer,
}

/// `callStatus` / journal `state` words, normalized (lower case, no separators).
const STATUS_WORDS: &[(&str, Rule)] = &[
    ("connected", Rule::Is(Outcome::Answered)),
    ("missed", Rule::Is(Outcome::Missed)),
    ("noanswer", Rule::NoAnswer),
    ("voicemail", Rule::Is(Outcome::Voicemail)),
    ("dropped", Rule::Is(Outcome::Missed)),
    ("scheduled", Rule::Is(Outcome::Active)),
];

/// `direction` (calls) and `origin` (journal) words, normalized.
const DIRECTION_WORDS: &[(&str, Direction)] = &[
    ("incoming", Direction::Inbound),
    ("inbound", Direction::Inbound),
    ("outgoing", Direction::Outbound),
    ("outbound", Direction::Outbound),
    ("callback", Direction::Outbound),
    ("internal", Direction::Internal),
    ("unspecified", Direction::Unknown),
];

/// Journal request types, normalized: whether the type is a call.
const JOURNAL_TYPES: &[(&str, bool)] = &[
    ("call", true),
    ("message", false),
    ("messagethread", false),
    ("task", false),
    ("callbackrequest", false),
    ("service", false),
    ("default", false),
    ("unspecified", false),
];

/// Stage of a webhook event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Ringing,
    Connected,
    Completed,
}

/// Webhook `EventType`s, normalized: direction and stage.
const EVENTS: &[(&str, Direction, Stage)] = &[
    ("incomingcall", Direction::Inbound, Stage::Ringing),
    (
        "incomingcallconnected",
        Direction::Inbound,
        Stage::Connected,
    ),
    (
        "incomingcallcompleted",
        Direction::Inbound,
        Stage::Completed,
    ),
    ("outgoingcall", Direction::Outbound, Stage::Ringing),
    (
        "outgoingcallconnected",
        Direction::Outbound,
        Stage::Connected,
    ),
    (
        "outgoingcallcompleted",
        Direction::Outbound,
        Stage::Completed,
    ),
];

/// Whether a JSON document (an object, or an array judged by its first object) has MightyCall's shape.
pub fn detect(value: &Value) -> bool {
    let Some(obj) = value.as_object() else {
        // A whole array document (a v2-style bare list): judged by its first object.
        return value
            .as_array()
            .and_then(|items| items.iter().find(|v| v.is_object()))
            .is_some_and(detect);
    };
    if obj.contains_key("EventType") && obj.get("Body").is_some_and(Value::is_object) {
        return true;
    }
    if let Some(data) = obj.get("data").filter(|d| d.is_object()) {
        return detect(data)
            || wrapped(data, "calls", |_| true)
            || wrapped(data, "voicemails", |_| true);
    }
    wrapped(value, "calls", |o| {
        o.keys()
            .all(|k| ["calls", "total", "totalCount", "count"].contains(&k.as_str()))
    }) || wrapped(value, "requests", |_| true)
        || wrapped(value, "voicemails", |_| true)
        || is_call(obj)
        || is_journal(obj)
}

/// `value[key]` is an array whose first element has MightyCall's item shape, or an empty array
/// in an envelope `empty_ok` accepts.
fn wrapped(value: &Value, key: &str, empty_ok: impl Fn(&Map<String, Value>) -> bool) -> bool {
    let (Some(obj), Some(items)) = (value.as_object(), value.get(key).and_then(Value::as_array))
    else {
        return false;
    };
    match items.first().and_then(Value::as_object) {
        Some(first) => match key {
            "requests" => is_journal(first),
            _ => is_call(first),
        },
        None => items.is_empty() && empty_ok(obj),
    }
}

fn is_call(obj: &Map<String, Value>) -> bool {
    obj.contains_key("callStatus")
        || obj.contains_key("dateTimeUtc")
        || obj.get("from").and_then(|f| f.get("phoneNumber")).is_some()
}

fn is_journal(obj: &Map<String, Value>) -> bool {
    obj.contains_key("created") && (obj.contains_key("state") || obj.contains_key("origin"))
}

/// Parse every item of a JSON document.
pub fn parse(value: &Value, path: &str, ctx: &mut ParseCtx) -> Vec<Item> {
    let Some(obj) = value.as_object() else {
        return match value {
            Value::Array(items) => items
                .iter()
                .enumerate()
                .flat_map(|(i, v)| parse(v, &format!("{path}[{i}]"), ctx))
                .collect(),
            _ => vec![ctx.reject(path, 0, path, "not a JSON object")],
        };
    };
    if obj.contains_key("EventType") {
        return vec![webhook(obj, value, path, ctx)];
    }
    let list = |key: &str, ctx: &mut ParseCtx, each: fn(&Value, &str, &mut ParseCtx) -> Item| {
        obj.get(key).and_then(Value::as_array).map(|items| {
            items
                .iter()
                .enumerate()
                .map(|(i, v)| each(v, &format!("{path}.{key}[{i}]"), ctx))
                .collect::<Vec<_>>()
        })
    };
    if let Some(items) = list("calls", ctx, call) {
        return items;
    }
    if let Some(items) = list("requests", ctx, journal) {
        return items;
    }
    if let Some(items) = list("voicemails", ctx, voicemail) {
        return items;
    }
    if let Some(data) = obj.get("data").filter(|d| d.is_object() || d.is_array()) {
        return parse(data, &format!("{path}.data"), ctx);
    }
    if is_call(obj) {
        return vec![call(value, path, ctx)];
    }
    if is_journal(obj) {
        return vec![journal(value, path, ctx)];
    }
    vec![ctx.reject(
        path,
        0,
        path,
        "not a MightyCall call, journal, voicemail list or webhook",
    )]
}

/// Provider derivations on a folded draft: the outcome and talk time of webhook-only calls.
pub fn finalize(draft: &mut CallDraft) {
    if draft.outcome != Some(Outcome::Active) {
        return;
    }
    let Some(end) = draft.ended_at else {
        return;
    };
    match draft.answered_at {
        Some(answered) => {
            draft.outcome = Some(Outcome::Answered);
            if draft.talk_s.is_none() && end >= answered {
                draft.talk_s = (end - answered)
                    .num_microseconds()
                    .map(|us| us as f64 / 1e6);
            }
        }
        None => {
            draft.outcome = Some(Outcome::no_answer(
                draft.direction.unwrap_or(Direction::Unknown),
            ))
        }
    }
}

/// A `/api/calls` call object.
fn call(value: &Value, path: &str, ctx: &mut ParseCtx) -> Item {
    let Some(obj) = value.as_object() else {
        return ctx.reject(path, 0, path, "not a JSON object");
    };
    let n = Node::new(value, path);
    let Some(id) = n.string("id") else {
        return ctx.reject(path, 0, n.path_of("id"), "no call id");
    };
    let mut d = CallDraft::new(P, id);
    d.precedence = RECORD_PRECEDENCE;
    d.direction = n.string("direction").map(|w| direction_word(&w, ctx));
    if let Some(word) = n.string("callStatus") {
        d.outcome = Some(status_outcome(&word, d.direction, ctx));
        d.raw_status = Some(word);
    }
    d.started_at = ctx.instant(obj.get("dateTimeUtc"), &n.path_of("dateTimeUtc"));
    d.duration_s = duration(obj.get("duration"), &n.path_of("duration"), ctx);
    parties(obj, &mut d);
    d.business_number = business_number(obj.get("businessNumber")).or(d.business_number.take());
    if let Some(rec) = obj.get("callRecord").filter(|v| v.is_object()) {
        d.recording_url = rec.get("uri").and_then(as_text);
        let mut rest = Map::new();
        if let Some(map) = rec.as_object() {
            keep_rest(map, &["uri"], &mut rest);
        }
        if !rest.is_empty() {
            d.extra.insert("callRecord".into(), Value::Object(rest));
        }
    }
    keep_rest(
        obj,
        &[
            "id",
            "direction",
            "callStatus",
            "dateTimeUtc",
            "duration",
            "businessNumber",
            "callRecord",
        ],
        &mut d.extra,
    );
    ctx.finish(d, path, 0, false)
}

/// A journal request: a call, or a non-call item.
fn journal(value: &Value, path: &str, ctx: &mut ParseCtx) -> Item {
    let Some(obj) = value.as_object() else {
        return ctx.reject(path, 0, path, "not a JSON object");
    };
    let n = Node::new(value, path);
    let kind = n.string("type");
    let state = n.string("state");
    let is_message_state = state
        .as_deref()
        .is_some_and(|s| normalize_word(s) == "message");
    match kind.as_deref().map(normalize_word) {
        Some(k) => match JOURNAL_TYPES.iter().find(|(w, _)| *w == k) {
            Some((_, true)) if !is_message_state => {}
            Some((_, true)) => return ctx.non_call(path, 0, "mightycall journal message"),
            Some((w, false)) => return ctx.non_call(path, 0, format!("mightycall journal {w}")),
            None => {
                let word = kind.unwrap_or_default();
                ctx.unknown_word(P, &word);
                return ctx.non_call(
                    path,
                    0,
                    format!("mightycall journal item of unknown type {word}"),
                );
            }
        },
        None if is_message_state => return ctx.non_call(path, 0, "mightycall journal message"),
        None => {}
    }
    let Some(id) = n.string("id") else {
        return ctx.reject(path, 0, n.path_of("id"), "no request id");
    };
    let mut d = CallDraft::new(P, id);
    d.precedence = RECORD_PRECEDENCE;
    d.direction = n.string("origin").map(|w| direction_word(&w, ctx));
    if let Some(word) = state {
        d.outcome = Some(status_outcome(&word, d.direction, ctx));
        d.raw_status = Some(word);
    }
    d.started_at = ctx.instant(obj.get("created"), &n.path_of("created"));
    d.duration_s = duration(obj.get("duration"), &n.path_of("duration"), ctx);
    d.business_number = business_number(obj.get("businessNumber"));
    let mut used = vec![
        "id",
        "type",
        "state",
        "origin",
        "created",
        "duration",
        "businessNumber",
    ];
    if let Some(client) = obj.get("client").filter(|c| c.is_object()) {
        d.customer_number = client
            .get("address")
            .and_then(as_text)
            .and_then(|s| crate::phone::normalize(&s));
        d.customer_name = client.get("name").and_then(as_text);
        let mut rest = Map::new();
        if let Some(map) = client.as_object() {
            keep_rest(map, &["address", "name"], &mut rest);
        }
        if !rest.is_empty() {
            d.extra.insert("client".into(), Value::Object(rest));
        }
        used.push("client");
    }
    keep_rest(obj, &used, &mut d.extra);
    ctx.finish(d, path, 0, false)
}

/// A `/api/voicemails` item: a call that went to voicemail.
fn voicemail(value: &Value, path: &str, ctx: &mut ParseCtx) -> Item {
    let Some(obj) = value.as_object() else {
        return ctx.reject(path, 0, path, "not a JSON object");
    };
    let n = Node::new(value, path);
    let Some(id) = n.string("callId").or_else(|| n.string("id")) else {
        return ctx.reject(path, 0, n.path_of("id"), "no voicemail or call id");
    };
    let mut d = CallDraft::new(P, id);
    d.precedence = VOICEMAIL_PRECEDENCE;
    let mut used = vec![
        "callId",
        "direction",
        "duration",
        "businessNumber",
        "uri",
        "url",
    ];
    if n.string("callId").is_none() {
        used.push("id");
    }
    d.direction = Some(match n.string("direction") {
        Some(w) => direction_word(&w, ctx),
        None => Direction::Inbound,
    });
    d.outcome = Some(Outcome::Voicemail);
    let time_key = ["dateTimeUtc", "created", "dateTime"]
        .into_iter()
        .find(|k| obj.contains_key(*k));
    if let Some(key) = time_key {
        d.started_at = ctx.instant(obj.get(key), &n.path_of(key));
        used.push(key);
    }
    d.talk_s = duration(obj.get("duration"), &n.path_of("duration"), ctx);
    parties(obj, &mut d);
    if let Some(client) = obj.get("client").filter(|c| c.is_object()) {
        d.customer_number = d.customer_number.take().or_else(|| {
            client
                .get("address")
                .and_then(as_text)
                .and_then(|s| crate::phone::normalize(&s))
        });
        d.customer_name = d
            .customer_name
            .take()
            .or_else(|| client.get("name").and_then(as_text));
    }
    d.business_number = business_number(obj.get("businessNumber")).or(d.business_number.take());
    d.recording_url = n.string("uri").or_else(|| n.string("url")).or_else(|| {
        obj.get("callRecord")
            .and_then(|r| r.get("uri"))
            .and_then(as_text)
    });
    keep_rest(obj, &used, &mut d.extra);
    ctx.finish(d, path, 0, false)
}

/// A webhook `{EventType, Body, Timestamp}`: one event of its call.
fn webhook(obj: &Map<String, Value>, value: &Value, path: &str, ctx: &mut ParseCtx) -> Item {
    let n = Node::new(value, path);
    let event_type = n.string("EventType").unwrap_or_default();
    let Some((body, body_path)) = n.child("Body").filter(|(b, _)| b.is_object()) else {
        return ctx.reject(
            path,
            0,
            n.path_of("Body"),
            format!("{event_type} event without a Body object"),
        );
    };
    let b = Node::new(body, &body_path);
    let id_key = ["CallId", "Id", "RequestId"]
        .into_iter()
        .find(|k| b.string(k).is_some());
    let event = EVENTS
        .iter()
        .find(|(w, _, _)| *w == normalize_word(&event_type));
    let Some(id_key) = id_key else {
        if event.is_none() {
            ctx.unknown_word(P, &event_type);
            return ctx.non_call(path, 0, format!("mightycall {event_type} event"));
        }
        return ctx.reject(path, 0, b.path_of("CallId"), "no call id in the event body");
    };
    let mut d = CallDraft::new(P, b.string(id_key).unwrap_or_default());
    let at = ctx.instant(obj.get("Timestamp"), &n.path_of("Timestamp"));
    let mut direction = event.map(|(_, dir, _)| *dir);
    if let Some(word) = b.string("Direction") {
        direction = Some(direction_word(&word, ctx));
    }
    d.direction = direction;
    d.raw_status = Some(event_type.clone());
    match event {
        Some((_, _, stage)) => {
            d.precedence = match stage {
                Stage::Ringing => 1,
                Stage::Connected => 2,
                Stage::Completed => 3,
            };
            match stage {
                Stage::Ringing => d.started_at = at,
                Stage::Connected => d.answered_at = at,
                Stage::Completed => d.ended_at = at,
            }
            d.outcome = Some(Outcome::Active);
        }
        None => ctx.unknown_word(P, &event_type),
    }
    if let Some(key) = ["CallStatus", "Status"]
        .into_iter()
        .find(|k| b.string(k).is_some())
    {
        let word = b.string(key).unwrap_or_default();
        d.outcome = Some(status_outcome(&word, direction, ctx));
        d.raw_status = Some(word);
    }
    let (customer, business) = match direction {
        Some(Direction::Outbound) => ("To", "From"),
        Some(Direction::Inbound) => ("From", "To"),
        _ => ("", ""),
    };
    let mut used = vec![id_key, "Direction", "CallStatus", "Status", "Extension"];
    if !customer.is_empty() {
        d.customer_number = b.string(customer).and_then(|s| crate::phone::normalize(&s));
        d.business_number = b.string(business).and_then(|s| crate::phone::normalize(&s));
        used.extend([customer, business]);
    }
    if let Some(ext) = b.string("Extension") {
        d.agent = Some(Agent {
            id: Some(ext),
            email: None,
            name: None,
        });
    }
    if let Some(map) = body.as_object() {
        keep_rest(map, &used, &mut d.extra);
    }
    let mut envelope = Map::new();
    keep_rest(obj, &["Body"], &mut envelope);
    d.extra.insert("webhook".into(), Value::Object(envelope));
    ctx.finish(d, path, 0, true)
}

/// Customer, agent and business line from `from` / `to` by direction; both kept in `extra`.
fn parties(obj: &Map<String, Value>, d: &mut CallDraft) {
    let (customer, business) = match d.direction {
        Some(Direction::Inbound) => ("from", "to"),
        Some(Direction::Outbound) => ("to", "from"),
        Some(Direction::Internal) => ("", "from"),
        _ => ("", ""),
    };
    if let Some(c) = obj.get(customer).filter(|v| v.is_object()) {
        d.customer_number = c
            .get("phoneNumber")
            .and_then(as_text)
            .and_then(|s| crate::phone::normalize(&s));
        d.customer_name = c.get("name").and_then(as_text);
    }
    if let Some(b) = obj.get(business).filter(|v| v.is_object()) {
        let agent = Agent {
            id: b.get("extension").and_then(as_text),
            email: None,
            name: b.get("name").and_then(as_text),
        };
        if !agent.is_empty() {
            d.agent = Some(agent);
        }
        if d.direction != Some(Direction::Internal) {
            d.business_number = b
                .get("phoneNumber")
                .and_then(as_text)
                .and_then(|s| crate::phone::normalize(&s));
        }
    }
}

fn business_number(v: Option<&Value>) -> Option<String> {
    let text = match v? {
        Value::Object(o) => o.get("number").and_then(as_text),
        other => as_text(other),
    }?;
    crate::phone::normalize(&text)
}

/// A `duration`: a number is milliseconds, a text with colons a .NET `TimeSpan`.
fn duration(v: Option<&Value>, path: &str, ctx: &mut ParseCtx) -> Option<f64> {
    if let Some(Value::String(s)) = v {
        if s.contains(':') {
            let parsed = timespan(s.trim());
            if parsed.is_none() {
                ctx.bad(path, format!("not a duration: {s:?}"));
            }
            return parsed;
        }
    }
    ctx.seconds(v, path).map(|ms| ms / 1000.0)
}

/// `[d.]hh:mm:ss[.fffffff]` in seconds.
fn timespan(s: &str) -> Option<f64> {
    let mut parts = s.split(':');
    let (first, minutes, seconds) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let (days, hours) = match first.split_once('.') {
        Some((d, h)) => (d.parse::<u32>().ok()?, h.parse::<u32>().ok()?),
        None => (0, first.parse::<u32>().ok()?),
    };
    let minutes: u32 = minutes.parse().ok()?;
    let seconds: f64 = seconds.parse().ok()?;
    if hours > 23 || minutes > 59 || !(0.0..60.0).contains(&seconds) {
        return None;
    }
    Some(
        f64::from(days) * 86_400.0
            + f64::from(hours) * 3600.0
            + f64::from(minutes) * 60.0
            + seconds,
    )
}

/// Lower case with spaces, `_` and `-` removed (`No Answer`, `NO_ANSWER` -> `noanswer`).
fn normalize_word(word: &str) -> String {
    word.chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect()
}

fn direction_word(word: &str, ctx: &mut ParseCtx) -> Direction {
    let w = normalize_word(word);
    match DIRECTION_WORDS.iter().find(|(k, _)| *k == w) {
        Some((_, d)) => *d,
        None => {
            ctx.unknown_word(P, word);
            Direction::Unknown
        }
    }
}

fn status_outcome(word: &str, direction: Option<Direction>, ctx: &mut ParseCtx) -> Outcome {
    let w = normalize_word(word);
    match STATUS_WORDS.iter().find(|(k, _)| *k == w) {
        Some((_, Rule::Is(o))) => *o,
        Some((_, Rule::NoAnswer)) => Outcome::no_answer(direction.unwrap_or(Direction::Unknown)),
        None => {
            ctx.unknown_word(P, word);
            Outcome::Unknown
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::CallRecord;
    use crate::providers::ItemKind;
    use chrono::{DateTime, Utc};
    use chrono_tz::Tz;

    const CALLS: &str = include_str!("../../../tests/data/mightycall/calls_page.json");
    const JOURNAL: &str = include_str!("../../../tests/data/mightycall/journal.json");
    const VOICEMAILS: &str = include_str!("../../../tests/data/mightycall/voicemails.json");
    const HOOKS: &str = include_str!("../../../tests/data/mightycall/webhooks.json");

    fn json(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn lenient() -> ParseCtx {
        ParseCtx::new(Tz::UTC, false)
    }

    fn strict() -> ParseCtx {
        ParseCtx::new(Tz::UTC, true)
    }

    fn drafts(items: Vec<Item>) -> Vec<CallDraft> {
        items
            .into_iter()
            .map(|i| match i.kind {
                ItemKind::Call { draft, .. } => draft,
                other => panic!("not a call: {other:?} at {}", i.path),
            })
            .collect()
    }

    fn record(mut d: CallDraft) -> CallRecord {
        crate::providers::finalize(&mut d);
        let (r, warnings) = d.into_record(true).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        r
    }

    fn rejection(item: &Item) -> (String, String) {
        match &item.kind {
            ItemKind::Rejected(issue) => (issue.path.clone(), issue.reason.clone()),
            other => panic!("not rejected: {other:?}"),
        }
    }

    /// Every element of a JSON array, parsed separately as ingest does.
    fn each(text: &str, ctx: &mut ParseCtx) -> Vec<Item> {
        let doc = json(text);
        let mut out = Vec::new();
        for (i, v) in doc.as_array().unwrap().iter().enumerate() {
            assert!(detect(v), "element {i} not detected");
            out.extend(parse(v, &format!("$[{i}]"), ctx));
        }
        out
    }

    #[test]
    fn detects_own_shapes_only() {
        assert!(detect(&json(CALLS)));
        assert!(detect(&json(VOICEMAILS)));
        assert!(detect(&json(JOURNAL)[0]));
        assert!(detect(&json(JOURNAL)));
        assert!(detect(&json(CALLS)["data"]["calls"][0]));
        assert!(detect(&json(r#"{"calls":[]}"#)));
        assert!(detect(&json(r#"{"requests":[]}"#)));
        // Twilio's call page also has `calls`, Twilio/JustCall/Vapi/Retell objects are not ours.
        assert!(!detect(&json(
            r#"{"calls":[],"page":0,"page_size":50,"uri":"/2010-04-01/Accounts/AC1/Calls.json"}"#
        )));
        assert!(!detect(&json(
            r#"{"calls":[{"sid":"CA1","status":"completed","start_time":"x"}],"page":0}"#
        )));
        assert!(!detect(&json(
            r#"{"CallSid":"CA1","CallStatus":"ringing","From":"+1"}"#
        )));
        assert!(!detect(&json(
            r#"{"status":"success","data":[{"call_sid":"CA1","call_date":"2024-01-01","call_time":"1:00:00"}]}"#
        )));
        assert!(!detect(&json(
            r#"{"message":{"type":"status-update","call":{"id":"x","orgId":"o"}}}"#
        )));
        assert!(!detect(&json(
            r#"{"event":"call_ended","call":{"call_id":"c1","agent_id":"a"}}"#
        )));
        assert!(!detect(&json(r#"{"EventType":"IncomingCall"}"#)));
    }

    #[test]
    fn registry_detection_names_mightycall() {
        let docs = [
            json(CALLS),
            json(JOURNAL)[0].clone(),
            json(VOICEMAILS),
            json(HOOKS)[0].clone(),
        ];
        for doc in docs {
            assert_eq!(crate::providers::detect_json(&doc), Some(P), "{doc}");
        }
    }

    #[test]
    fn call_objects() {
        let mut ctx = lenient();
        let items = parse(&json(CALLS), "$", &mut ctx);
        assert_eq!(items[2].path, "$.data.calls[2]");
        let mut calls = drafts(items);
        assert_eq!(calls.len(), 3);

        let r = record(calls.remove(0));
        assert_eq!(r.id, "mightycall:c1a7f3e2-0001");
        assert_eq!(
            (r.direction, r.outcome),
            (Direction::Inbound, Outcome::Answered)
        );
        assert_eq!(r.raw_status.as_deref(), Some("Connected"));
        assert_eq!(r.started_at, at("2024-06-03T14:20:05Z"));
        // 125500 ms = 125.5 s; one total duration: no talk, no wait.
        assert_eq!(r.duration_s, Some(125.5));
        assert_eq!(r.talk_s, None);
        assert_eq!(r.wait_s, None);
        assert_eq!(r.ended_at, Some(at("2024-06-03T14:22:10.500Z")));
        assert_eq!(r.customer_number.as_deref(), Some("+14158675309"));
        assert_eq!(r.customer_name.as_deref(), Some("Dana Reyes"));
        let agent = r.agent.unwrap();
        assert_eq!(
            (agent.id.as_deref(), agent.name.as_deref()),
            (Some("101"), Some("Sam Lee"))
        );
        assert_eq!(r.business_number.as_deref(), Some("+16502530000"));
        assert_eq!(
            r.recording_url.as_deref(),
            Some("https://recordings.mightycall.com/c1.mp3")
        );
        assert_eq!(r.extra["callRecord"]["fileName"], "c1.mp3");
        assert_eq!(r.extra["from"]["name"], "Dana Reyes");
        assert_eq!(r.extra["to"]["extension"], "101");
        assert_eq!(r.ended_reason, None);

        let r = record(calls.remove(0));
        // NoAnswer on an outbound call is unanswered.
        assert_eq!(
            (r.direction, r.outcome),
            (Direction::Outbound, Outcome::Unanswered)
        );
        assert_eq!(r.customer_number.as_deref(), Some("+442071838750"));
        assert_eq!(r.customer_name, None);
        assert_eq!(r.agent.unwrap().id.as_deref(), Some("102"));
        assert_eq!(r.business_number.as_deref(), Some("+16502530000"));
        assert_eq!(r.duration_s, Some(30.0));

        let r = record(calls.remove(0));
        assert_eq!(r.outcome, Outcome::Voicemail);
        // TimeSpan "00:00:42.5000000" = 42.5 s.
        assert_eq!(r.duration_s, Some(42.5));
        assert_eq!(r.started_at, at("2024-06-03T16:45:30.250Z"));
        assert_eq!(r.customer_number.as_deref(), Some("+14158675309"));
        assert!(ctx.unknown_words.is_empty());
    }

    #[test]
    fn journal_requests() {
        let mut ctx = lenient();
        let items = each(JOURNAL, &mut ctx);
        assert_eq!(items.len(), 5);
        assert_eq!(items[0].path, "$[0].requests[0]");
        let kinds: Vec<String> = items
            .iter()
            .map(|i| match &i.kind {
                ItemKind::Call { event, .. } => format!("call {event}"),
                ItemKind::NonCall { what } => what.clone(),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(
            kinds,
            vec![
                "call false",
                "call false",
                "mightycall journal message",
                "call false",
                "mightycall journal callbackrequest",
            ]
        );
        let mut calls = drafts(
            items
                .into_iter()
                .filter(|i| matches!(i.kind, ItemKind::Call { .. }))
                .collect(),
        );
        let r = record(calls.remove(0));
        assert_eq!(r.id, "mightycall:r-1001");
        assert_eq!(
            (r.direction, r.outcome),
            (Direction::Inbound, Outcome::Answered)
        );
        assert_eq!(r.started_at, at("2024-06-04T09:15:00Z"));
        assert_eq!(r.duration_s, Some(61.0));
        assert_eq!(r.customer_number.as_deref(), Some("+14158675309"));
        assert_eq!(r.customer_name.as_deref(), Some("Dana Reyes"));
        assert_eq!(r.business_number.as_deref(), Some("+16502530000"));
        assert_eq!(r.extra["client"]["id"], "cl-9");
        assert_eq!(r.extra["isRead"], true);
        // Dropped is missed (SPEC 7).
        let r = record(calls.remove(0));
        assert_eq!(r.outcome, Outcome::Missed);
        assert_eq!(r.raw_status.as_deref(), Some("Dropped"));
        assert_eq!(r.duration_s, Some(4.0));
        // A callback is placed by the business: outbound, so NoAnswer is unanswered.
        let r = record(calls.remove(0));
        assert_eq!(
            (r.direction, r.outcome),
            (Direction::Outbound, Outcome::Unanswered)
        );
    }

    #[test]
    fn voicemails_fold_with_their_call() {
        let mut ctx = lenient();
        let items = parse(&json(VOICEMAILS), "$", &mut ctx);
        assert_eq!(items[1].path, "$.voicemails[1]");
        let mut vms = drafts(items);
        let vm1 = vms.remove(0);
        assert_eq!(vm1.id().as_deref(), Some("mightycall:c1a7f3e2-0003"));
        assert_eq!(vm1.outcome, Some(Outcome::Voicemail));
        // 18000 ms message = 18 s of talk.
        assert_eq!(vm1.talk_s, Some(18.0));
        assert_eq!(vm1.extra["id"], "vm-1");
        assert_eq!(
            vm1.extra["transcription"],
            "Hi, this is Dana, please call me back."
        );

        let call = drafts(parse(&json(CALLS), "$", &mut ctx)).remove(2);
        let folded = CallDraft::fold(vec![vm1.clone(), call.clone()]);
        assert_eq!(folded, CallDraft::fold(vec![call, vm1]));
        let r = record(folded);
        // The call's own 42.5 s total, the voicemail's 18 s message and recording.
        assert_eq!(r.duration_s, Some(42.5));
        assert_eq!(r.talk_s, Some(18.0));
        assert_eq!(
            r.recording_url.as_deref(),
            Some("https://voicemails.mightycall.com/vm1.mp3")
        );
        assert_eq!(r.outcome, Outcome::Voicemail);

        let r = record(vms.remove(0));
        assert_eq!(r.id, "mightycall:vm-2");
        assert_eq!(
            (r.direction, r.outcome),
            (Direction::Inbound, Outcome::Voicemail)
        );
        assert_eq!(r.started_at, at("2024-06-06T08:00:00Z"));
        assert_eq!(r.talk_s, Some(7.0));
        assert_eq!(r.duration_s, None);
        assert_eq!(r.customer_number.as_deref(), Some("+442071838750"));
        assert_eq!(r.customer_name.as_deref(), Some("Lee"));
        assert_eq!(r.business_number.as_deref(), Some("+16502530000"));
        assert_eq!(
            r.recording_url.as_deref(),
            Some("https://voicemails.mightycall.com/vm2.mp3")
        );
    }

    #[test]
    fn webhooks_fold_in_every_order() {
        let mut ctx = lenient();
        let items = each(HOOKS, &mut ctx);
        assert!(
            items
                .iter()
                .all(|i| matches!(i.kind, ItemKind::Call { event: true, .. }))
        );
        let all = drafts(items);
        let inbound: Vec<CallDraft> = all
            .iter()
            .filter(|d| d.provider_call_id.as_deref() == Some("e1"))
            .cloned()
            .collect();
        assert_eq!(
            inbound.iter().map(|d| d.precedence).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        let orders = [
            [0, 1, 2],
            [0, 2, 1],
            [1, 0, 2],
            [1, 2, 0],
            [2, 0, 1],
            [2, 1, 0],
        ];
        let folded = CallDraft::fold(inbound.clone());
        for order in orders {
            let shuffled: Vec<CallDraft> = order.iter().map(|&i| inbound[i].clone()).collect();
            assert_eq!(CallDraft::fold(shuffled), folded, "{order:?}");
        }
        // A duplicate delivery changes nothing.
        let mut twice = inbound.clone();
        twice.push(inbound[1].clone());
        assert_eq!(CallDraft::fold(twice), folded);
        let r = record(folded);
        assert_eq!(
            (r.direction, r.outcome),
            (Direction::Inbound, Outcome::Answered)
        );
        assert_eq!(r.started_at, at("2024-06-05T10:00:00Z"));
        assert_eq!(r.answered_at, Some(at("2024-06-05T10:00:07Z")));
        assert_eq!(r.ended_at, Some(at("2024-06-05T10:03:07Z")));
        // 10:00:00 -> 10:03:07 = 187 s; talk = 10:00:07 -> 10:03:07 = 180 s; wait = 7 s.
        assert_eq!(r.duration_s, Some(187.0));
        assert_eq!(r.talk_s, Some(180.0));
        assert_eq!(r.wait_s, Some(7.0));
        assert_eq!(r.raw_status.as_deref(), Some("IncomingCallCompleted"));
        assert_eq!(r.customer_number.as_deref(), Some("+14158675309"));
        assert_eq!(r.business_number.as_deref(), Some("+16502530000"));
        assert_eq!(r.agent.unwrap().id.as_deref(), Some("101"));
        assert_eq!(r.extra["CallerName"], "Dana Reyes");
        assert_eq!(r.extra["webhook"]["EventType"], "IncomingCallCompleted");

        // Ringing then completed, never connected: an outbound no-answer.
        let outbound: Vec<CallDraft> = all
            .into_iter()
            .filter(|d| d.provider_call_id.as_deref() == Some("e2"))
            .collect();
        let mut rev = outbound.clone();
        rev.reverse();
        assert_eq!(CallDraft::fold(rev), CallDraft::fold(outbound.clone()));
        let r = record(CallDraft::fold(outbound));
        assert_eq!(
            (r.direction, r.outcome),
            (Direction::Outbound, Outcome::Unanswered)
        );
        assert_eq!(r.duration_s, Some(40.0));
        assert_eq!(r.talk_s, None);
        assert_eq!(r.answered_at, None);
        assert_eq!(r.customer_number.as_deref(), Some("+442071838750"));
    }

    #[test]
    fn webhook_status_word_and_unknown_events() {
        let mut ctx = lenient();
        let doc = json(
            r#"{"EventType":"IncomingCallCompleted","Timestamp":"2024-06-05T10:00:30Z",
            "Body":{"CallId":"e3","From":"+14158675309","To":"+16502530000","CallStatus":"VoiceMail"}}"#,
        );
        let d = drafts(parse(&doc, "$", &mut ctx)).remove(0);
        assert_eq!(d.outcome, Some(Outcome::Voicemail));
        assert_eq!(d.raw_status.as_deref(), Some("VoiceMail"));
        let doc = json(
            r#"{"EventType":"StopRinging","Timestamp":"2024-06-05T10:00:05Z","Body":{"CallId":"e1"}}"#,
        );
        let d = drafts(parse(&doc, "$", &mut ctx)).remove(0);
        assert_eq!((d.precedence, d.started_at, d.outcome), (0, None, None));
        let doc = json(
            r#"{"EventType":"SmsReceived","Timestamp":"2024-06-05T10:00:05Z","Body":{"Text":"hi"}}"#,
        );
        assert!(matches!(
            parse(&doc, "$", &mut ctx)[0].kind,
            ItemKind::NonCall { .. }
        ));
        assert_eq!(
            ctx.unknown_words,
            vec![
                (P, "StopRinging".to_string()),
                (P, "SmsReceived".to_string())
            ]
        );
        let doc = json(
            r#"{"EventType":"IncomingCall","Timestamp":"2024-06-05T10:00:05Z","Body":{"From":"+1"}}"#,
        );
        assert_eq!(
            rejection(&parse(&doc, "$[3]", &mut ctx)[0]).0,
            "$[3].Body.CallId"
        );
        let doc = json(r#"{"EventType":"IncomingCall","Body":"x"}"#);
        assert_eq!(rejection(&parse(&doc, "$", &mut ctx)[0]).0, "$.Body");
    }

    #[test]
    fn bad_values_reject_in_strict_mode_and_warn_in_lenient() {
        let mut doc = json(CALLS);
        doc["data"]["calls"][1]["dateTimeUtc"] = json(r#""yesterday""#);
        let items = parse(&doc, "$", &mut strict());
        let (path, reason) = rejection(&items[1]);
        assert_eq!(path, "$.data.calls[1].dateTimeUtc");
        assert!(reason.contains("yesterday"), "{reason}");
        assert!(matches!(items[0].kind, ItemKind::Call { .. }));
        let d = drafts(parse(&doc, "$", &mut lenient())).remove(1);
        assert_eq!(d.warnings[0].path, "$.data.calls[1].dateTimeUtc");
        assert_eq!(d.into_record(false).unwrap_err().path, "startedAt");

        let mut doc = json(CALLS);
        doc["data"]["calls"][2]["duration"] = json(r#""00:75:00""#);
        assert_eq!(
            rejection(&parse(&doc, "$", &mut strict())[2]).0,
            "$.data.calls[2].duration"
        );
        let d = drafts(parse(&doc, "$", &mut lenient())).remove(2);
        let (r, warnings) = d.into_record(false).unwrap();
        assert_eq!(r.duration_s, None);
        assert_eq!(warnings[0].path, "$.data.calls[2].duration");

        let hook =
            json(r#"{"EventType":"IncomingCall","Timestamp":"not a time","Body":{"CallId":"e9"}}"#);
        assert_eq!(
            rejection(&parse(&hook, "$", &mut strict())[0]).0,
            "$.Timestamp"
        );

        let no_id =
            json(r#"{"calls":[{"callStatus":"Connected","dateTimeUtc":"2024-01-01T00:00:00Z"}]}"#);
        assert_eq!(
            rejection(&parse(&no_id, "$", &mut lenient())[0]).0,
            "$.calls[0].id"
        );
        assert_eq!(
            rejection(&parse(&json("{\"x\":1}"), "$", &mut lenient())[0]).0,
            "$"
        );
        assert_eq!(rejection(&parse(&json("3"), "$", &mut lenient())[0]).0, "$");
    }

    #[test]
    fn timespans() {
        assert_eq!(timespan("00:00:42.5000000"), Some(42.5));
        // 1 day + 2 h + 3 min + 4 s = 86400 + 7200 + 180 + 4.
        assert_eq!(timespan("1.02:03:04"), Some(93_784.0));
        assert_eq!(timespan("00:60:00"), None);
        assert_eq!(timespan("1:2"), None);
        assert_eq!(timespan("a:b:c"), None);
    }

    #[test]
    fn every_status_word() {
        let expected: &[(&str, Option<Direction>, Outcome)] = &[
            ("Connected", Some(Direction::Inbound), Outcome::Answered),
            ("Missed", Some(Direction::Inbound), Outcome::Missed),
            ("NoAnswer", Some(Direction::Inbound), Outcome::Missed),
            ("NoAnswer", Some(Direction::Outbound), Outcome::Unanswered),
            ("NoAnswer", None, Outcome::Unanswered),
            ("VoiceMail", Some(Direction::Inbound), Outcome::Voicemail),
            ("Dropped", Some(Direction::Inbound), Outcome::Missed),
            ("Scheduled", Some(Direction::Outbound), Outcome::Active),
            // Case and separators do not matter.
            ("no_answer", Some(Direction::Inbound), Outcome::Missed),
            ("Voice Mail", None, Outcome::Voicemail),
            ("CONNECTED", None, Outcome::Answered),
        ];
        let mut ctx = lenient();
        for (word, dir, outcome) in expected {
            assert_eq!(
                status_outcome(word, *dir, &mut ctx),
                *outcome,
                "{word} {dir:?}"
            );
        }
        for (word, _) in STATUS_WORDS {
            assert!(
                expected.iter().any(|(w, _, _)| normalize_word(w) == *word),
                "no test for {word}"
            );
        }
        assert!(ctx.unknown_words.is_empty());
        assert_eq!(
            status_outcome("Transferred", None, &mut ctx),
            Outcome::Unknown
        );
        assert_eq!(ctx.unknown_words, vec![(P, "Transferred".to_string())]);
    }

    #[test]
    fn every_direction_word() {
        let expected = [
            ("Incoming", Direction::Inbound),
            ("Inbound", Direction::Inbound),
            ("Outgoing", Direction::Outbound),
            ("Outbound", Direction::Outbound),
            ("Callback", Direction::Outbound),
            ("Internal", Direction::Internal),
            ("Unspecified", Direction::Unknown),
        ];
        let mut ctx = lenient();
        for (word, dir) in expected {
            assert_eq!(direction_word(word, &mut ctx), dir, "{word}");
        }
        assert_eq!(DIRECTION_WORDS.len(), expected.len());
        assert!(ctx.unknown_words.is_empty());
        assert_eq!(direction_word("Sideways", &mut ctx), Direction::Unknown);
        assert_eq!(ctx.unknown_words.len(), 1);
    }

    #[test]
    fn every_journal_type() {
        let expected = [
            ("Call", true),
            ("Message", false),
            ("MessageThread", false),
            ("Task", false),
            ("CallbackRequest", false),
            ("Service", false),
            ("Default", false),
            ("Unspecified", false),
        ];
        assert_eq!(JOURNAL_TYPES.len(), expected.len());
        for (word, is_call) in expected {
            let doc = json(&format!(
                r#"{{"id":"r1","type":"{word}","state":"Connected","origin":"Inbound","created":"2024-01-01T00:00:00Z"}}"#
            ));
            let item = &parse(&doc, "$", &mut lenient())[0];
            assert_eq!(
                matches!(item.kind, ItemKind::Call { .. }),
                is_call,
                "{word}"
            );
            if !is_call {
                assert!(matches!(item.kind, ItemKind::NonCall { .. }), "{word}");
            }
        }
        // A Call item whose state is Message is not a call; an unknown type is counted.
        let doc =
            json(r#"{"id":"r2","type":"Call","state":"Message","created":"2024-01-01T00:00:00Z"}"#);
        assert!(matches!(
            parse(&doc, "$", &mut lenient())[0].kind,
            ItemKind::NonCall { .. }
        ));
        let mut ctx = lenient();
        let doc = json(
            r#"{"id":"r3","type":"Fax","state":"Connected","created":"2024-01-01T00:00:00Z"}"#,
        );
        assert!(matches!(
            parse(&doc, "$", &mut ctx)[0].kind,
            ItemKind::NonCall { .. }
        ));
        assert_eq!(ctx.unknown_words, vec![(P, "Fax".to_string())]);
    }

    #[test]
    fn every_event_type() {
        let expected = [
            ("IncomingCall", Direction::Inbound, 1),
            ("IncomingCallConnected", Direction::Inbound, 2),
            ("IncomingCallCompleted", Direction::Inbound, 3),
            ("OutgoingCall", Direction::Outbound, 1),
            ("OutgoingCallConnected", Direction::Outbound, 2),
            ("OutgoingCallCompleted", Direction::Outbound, 3),
        ];
        assert_eq!(EVENTS.len(), expected.len());
        for (word, dir, precedence) in expected {
            let doc = json(&format!(
                r#"{{"EventType":"{word}","Timestamp":"2024-01-01T00:00:00Z","Body":{{"CallId":"x"}}}}"#
            ));
            let d = drafts(parse(&doc, "$", &mut lenient())).remove(0);
            assert_eq!(
                (d.direction, d.precedence),
                (Some(dir), precedence),
                "{word}"
            );
            let t = Some(at("2024-01-01T00:00:00Z"));
            let times = (d.started_at, d.answered_at, d.ended_at);
            let want = match precedence {
                1 => (t, None, None),
                2 => (None, t, None),
                _ => (None, None, t),
            };
            assert_eq!(times, want, "{word}");
        }
    }

    /// Every field of `doc`'s object at `pointer` replaced in turn by values of every JSON
    /// type: parsing, folding and finishing never panic, in both modes.
    fn survives_odd_values(doc: &Value, pointer: &str) {
        let keys: Vec<String> = doc
            .pointer(pointer)
            .and_then(Value::as_object)
            .unwrap()
            .keys()
            .cloned()
            .collect();
        let odd = [
            json("null"),
            json("-1"),
            json("1e300"),
            json(r#""x""#),
            json("[]"),
            json("{}"),
            json("true"),
        ];
        for key in keys {
            for v in &odd {
                let mut bent = doc.clone();
                bent.pointer_mut(pointer).unwrap()[key.as_str()] = v.clone();
                for strict in [false, true] {
                    let mut ctx = ParseCtx::new(Tz::UTC, strict);
                    for item in parse(&bent, "$", &mut ctx) {
                        if let ItemKind::Call { mut draft, .. } = item.kind {
                            crate::providers::finalize(&mut draft);
                            let _ = draft.into_record(strict);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn odd_values_never_panic() {
        survives_odd_values(&json(CALLS), "/data/calls/0");
        survives_odd_values(&json(CALLS), "/data/calls/0/from");
        survives_odd_values(&json(JOURNAL)[0], "/requests/0");
        survives_odd_values(&json(VOICEMAILS), "/voicemails/0");
        survives_odd_values(&json(VOICEMAILS), "/voicemails/1");
        survives_odd_values(&json(HOOKS)[0], "");
        survives_odd_values(&json(HOOKS)[0], "/Body");
    }
}
