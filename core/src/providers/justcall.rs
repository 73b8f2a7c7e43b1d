//! JustCall: v2.1 REST calls (list page or one call), legacy v1 records and v2 webhooks
//! (PROVIDERS.md section 1, SPEC 7).
//!
//! Shapes read:
//! - the v2.1 list envelope `{status, count, current_page, per_page, data: [call, ...], ...}`,
//!   a `{status, data: {call}}` single response, or a bare call object;
//! - legacy v1 records (`id`, `time`, `direction` `"1"`/`"2"`, `duration`, `type`), alone or in
//!   a `data` array;
//! - webhooks `{request_id, webhook_url, url_id, type, data}`. Every call event (`call.*`,
//!   `jc.call_ai_generated`, and the Sales Dialer `sd.call_*`) is one event item of its call;
//!   `sms.*`, `whatsapp.*`, `appointment.*`, `jc.contact_status_updated` and other non-call
//!   types are non-call items.
//!
//! Decisions the SPEC leaves open:
//! - **Dedup key.** `provider_call_id` is `call_sid` when it is non-empty, else `id`. JustCall
//!   documents `call_sid` as the key "for mapping calls with webhook events where id is sent
//!   empty", and REST records carry both, so a webhook and the REST copy of one call fold
//!   together. A non-empty `id` that is not the key is kept in `extra.id`. Legacy v1 records
//!   have only `id`, so they do not fold with v2.1 copies of the same call.
//! - **Precedence** (higher overlays lower): `call.initiated` 10 < `call.incoming`,
//!   `call.enters_queue`, `call.exits_queue` 20 < `call.answered` 30 < `call.completed`,
//!   `call.missed`, `call.voicemail`, `call.ai_voice_agent`, `sd.call_completed` 40 < a REST
//!   record 45 < `call.updated`, `sd.call_updated` 50 < `jc.call_ai_generated`,
//!   `sd.call_ai_generated` 60. A REST read sees the finished call, but agent edits and AI data
//!   arrive later through `call.updated` and the AI event. An unknown `call.*` type is an event
//!   of precedence 0 and its word is counted as unknown vocabulary.
//! - **Times and durations (SPEC 7).** `started_at` = `call_date` + `call_time` in UTC (hour may
//!   be unpadded); `duration_s` = `queue_wait_time` + `ring_time` + `total_duration` (a missing
//!   part counts 0; no `total_duration`, no duration); `talk_s` = `conversation_time`;
//!   `wait_s` = `queue_wait_time` + `ring_time`, for answered calls only; `wrap_up_s` =
//!   `wrap_up_time`. `call_user_date`/`call_user_time` are in an unnamed user zone and are kept
//!   in `extra` only. v1 `time` has no documented zone and is read in the source zone.
//! - **Outcome** from `call_info.type` (compared case-insensitively, `_`/`-` read as spaces,
//!   the `call_type` filter words such as `INCOMING_MISSED` accepted too; their direction
//!   prefix is used when `call_info.direction` is absent), see `TYPE_WORDS`. `Unanswered` is
//!   a no-answer word (missed inbound, unanswered outbound); `Restricted` and `Blocked` are
//!   `failed` (the platform refused the call, as Twilio reports geo-permission refusals);
//!   `Abandoned` (`INCOMING_ABANDONED`) is `missed`; `Abandoned before ringing` is `canceled`.
//!   v1 `type` codes are undocumented numbers: a word the table knows is used, otherwise the
//!   v1 rule observed by integrators applies (`duration` > 0 answered, 0 no-answer) and the
//!   code is still counted as unknown vocabulary.
//! - **No ended reason.** JustCall names no hang-up reason (`missed_call_reason` is free text
//!   about routing), so `ended_reason` stays empty (SPEC 4.4) and the sentence is in `extra`.
//! - **Queue** = the `queue` object's `name` (or `queue_name`, or the value itself when it is
//!   text) when `fetch_queue_data` supplied one, else `justcall_line_name` (the business line a
//!   call came in on is JustCall's routing group). The `queue` object is kept whole in `extra`.
//! - **Tags** = `call_info.call_traits`, lower-cased (the filter spells them `TRANSFER`, webhooks
//!   `voice_agent`); a `transfer` trait also adds one transfer without a destination.
//! - Agent = `agent_id`, `agent_email` (lower-cased), `agent_name`, kept on missed calls (the
//!   agent who was rung); customer = `contact_number`/`contact_name`; business =
//!   `justcall_number`; recording = `call_info.recording`; disposition/notes from `call_info`;
//!   summary = `justcall_ai.call_summary`; cost = `cost_incurred`. No field names the account,
//!   so `tenant` is empty. Unmapped fields, and the unmapped parts of `call_info`,
//!   `call_duration` and `justcall_ai`, go to `extra`; a webhook's envelope goes to
//!   `extra.webhook`.

use super::json::{At, Field, Node, Scalars, as_text, child_path, keep_rest};
use super::{Item, ParseCtx};
use crate::model::buffers::{Buffers, slot};
use crate::model::{Agent, CallDraft, Direction, Outcome, Provider, Transfer};
use chrono::NaiveDate;
use chrono_tz::Tz;
use serde_json::{Map, Value};
use std::borrow::Cow;

const P: Provider = Provider::JustCall;

/// Precedence of a REST (or v1) record among the events of its call.
const REST_PRECEDENCE: u64 = 45;

/// How a `call_info.type` word sets the outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// Always this outcome.
    Is(Outcome),
    /// A no-answer word: missed inbound, unanswered otherwise (SPEC 7).
    NoAnswer,
}

impl Rule {
    /// The outcome of a call in `direction` whose type word has this rule.
    fn outcome(self, direction: Direction) -> Outcome {
        match self {
            Rule::Is(o) => o,
            Rule::NoAnswer => Outcome::no_answer(direction),
        }
    }
}

/// `call_info.type` words, normalized (lower case, `_` and `-` as spaces).
const TYPE_WORDS: &[(&str, Rule)] = &[
    ("answered", Rule::Is(Outcome::Answered)),
    ("missed", Rule::Is(Outcome::Missed)),
    ("voicemail", Rule::Is(Outcome::Voicemail)),
    ("unanswered", Rule::NoAnswer),
    ("abandoned before ringing", Rule::Is(Outcome::Canceled)),
    ("abandoned", Rule::Is(Outcome::Missed)),
    ("busy", Rule::Is(Outcome::Busy)),
    ("failed", Rule::Is(Outcome::Failed)),
    ("restricted", Rule::Is(Outcome::Failed)),
    ("blocked", Rule::Is(Outcome::Failed)),
    ("cancelled", Rule::Is(Outcome::Canceled)),
    ("canceled", Rule::Is(Outcome::Canceled)),
    ("in progress", Rule::Is(Outcome::Active)),
];

/// Direction words (`call_info.direction`, v1 numeric codes).
const DIRECTION_WORDS: &[(&str, Direction)] = &[
    ("incoming", Direction::Inbound),
    ("outgoing", Direction::Outbound),
    ("inbound", Direction::Inbound),
    ("outbound", Direction::Outbound),
    ("1", Direction::Inbound),
    ("2", Direction::Outbound),
];

/// Webhook call-event types and their precedence.
const CALL_EVENTS: &[(&str, u64)] = &[
    ("call.initiated", 10),
    ("call.incoming", 20),
    ("call.enters_queue", 20),
    ("call.exits_queue", 20),
    ("call.answered", 30),
    ("call.completed", 40),
    ("call.missed", 40),
    ("call.voicemail", 40),
    ("call.ai_voice_agent", 40),
    ("sd.call_completed", 40),
    ("call.updated", 50),
    ("sd.call_updated", 50),
    ("jc.call_ai_generated", 60),
    ("sd.call_ai_generated", 60),
];

/// Webhook types that are not calls (any other non-`call.` type is not a call either).
const NON_CALL_EVENTS: &[&str] = &[
    "sms.sent_received",
    "sms.sent",
    "sms.received",
    "sms.status_updated",
    "whatsapp.message_sent",
    "whatsapp.message_received",
    "whatsapp.message_status_updated",
    "jc.contact_status_updated",
    "appointment.scheduled",
];

const ENVELOPE_KEYS: &[&str] = &["request_id", "webhook_url", "url_id"];

/// Whether a JSON document (an object, or an array judged by its first object) has JustCall's shape.
pub fn detect(value: &Value) -> bool {
    let Some(obj) = value.as_object() else {
        // A whole array document (a v2-style bare list): judged by its first object.
        return value
            .as_array()
            .and_then(|items| items.iter().find(|v| v.is_object()))
            .is_some_and(detect);
    };
    if foreign(obj) {
        return false;
    }
    if is_webhook(obj) {
        return true;
    }
    match obj.get("data") {
        Some(Value::Array(items)) => match items.first() {
            Some(first) => looks_like_call(first),
            None => ["per_page", "current_page", "next_page_link"]
                .iter()
                .any(|k| obj.contains_key(*k)),
        },
        Some(data @ Value::Object(_)) => looks_like_call(data),
        _ => looks_like_call(value),
    }
}

/// Parse every item of a JSON document.
pub fn parse(value: &Value, path: &str, ctx: &mut ParseCtx) -> Vec<Item> {
    match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .flat_map(|(i, v)| parse(v, &format!("{path}[{i}]"), ctx))
            .collect(),
        Value::Object(obj) if is_webhook(obj) => vec![webhook(obj, path, ctx)],
        Value::Object(obj) => match obj.get("data") {
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| call(v, &format!("{path}.data[{i}]"), ctx, None))
                .collect(),
            Some(data @ Value::Object(_)) if looks_like_call(data) => {
                vec![call(data, &format!("{path}.data"), ctx, None)]
            }
            _ if looks_like_call(value) => vec![call(value, path, ctx, None)],
            _ => vec![ctx.reject(path, 0, path, "not a JustCall call, list page or webhook")],
        },
        _ => vec![ctx.reject(path, 0, path, "not a JSON object")],
    }
}

fn is_webhook(obj: &Map<String, Value>) -> bool {
    let Some(ty) = obj.get("type").and_then(Value::as_str) else {
        return false;
    };
    obj.contains_key("data")
        && (ENVELOPE_KEYS.iter().any(|k| obj.contains_key(*k))
            || CALL_EVENTS.iter().any(|(t, _)| *t == ty)
            || NON_CALL_EVENTS.contains(&ty))
}

/// Keys of other providers' shapes (Twilio REST, form and Insights/Event Streams, Vapi,
/// Retell) that a JustCall object never has.
const FOREIGN_KEYS: &[&str] = &[
    "sid",
    "CallSid",
    "account_sid",
    "specversion",
    "orgId",
    "call_id",
    // the call-management API's record (`callapi`) also has `call_sid` and `agent_id`
    "from_number",
    "to_number",
    "started_at",
    "startedAt",
    "outcome",
];

fn foreign(obj: &Map<String, Value>) -> bool {
    FOREIGN_KEYS.iter().any(|k| obj.contains_key(*k))
}

/// Detection of a call object: fields only JustCall uses, or `call_sid` with JustCall's
/// party fields (a bare `call_sid` is also Twilio's snake-case name).
fn looks_like_call(value: &Value) -> bool {
    let Some(obj) = value.as_object() else {
        return false;
    };
    if foreign(obj) {
        return false;
    }
    let own = obj.get("call_info").is_some_and(Value::is_object)
        || obj.get("call_duration").is_some_and(Value::is_object)
        || (obj.contains_key("call_date") && obj.contains_key("call_time"))
        || obj.contains_key("justcall_number");
    own || (obj.contains_key("call_sid")
        && (obj.contains_key("contact_number") || obj.contains_key("agent_id")))
        || is_v1(obj)
}

fn is_v21(obj: &Map<String, Value>) -> bool {
    obj.contains_key("call_sid")
        || obj.get("call_info").is_some_and(Value::is_object)
        || obj.get("call_duration").is_some_and(Value::is_object)
        || (obj.contains_key("call_date") && obj.contains_key("call_time"))
        || obj.contains_key("justcall_number")
}

fn is_v1(obj: &Map<String, Value>) -> bool {
    let dir = obj.get("direction").and_then(as_text);
    obj.contains_key("time")
        && matches!(dir.as_deref(), Some("1") | Some("2"))
        && (obj.contains_key("id") || obj.contains_key("contact_number"))
}

fn webhook(obj: &Map<String, Value>, path: &str, ctx: &mut ParseCtx) -> Item {
    let ty = obj.get("type").and_then(Value::as_str).unwrap_or_default();
    let precedence = match CALL_EVENTS.iter().find(|(t, _)| *t == ty) {
        Some((_, p)) => *p,
        None if ty.starts_with("call.") => {
            ctx.unknown_word(P, ty);
            0
        }
        None => return ctx.non_call(path, 0, format!("justcall {ty} event")),
    };
    let mut envelope = Map::new();
    keep_rest(obj, &["data"], &mut envelope);
    let data_path = format!("{path}.data");
    match obj.get("data") {
        Some(data @ Value::Object(_)) => {
            let event = Event {
                precedence,
                envelope,
            };
            let mut item = call(data, &data_path, ctx, Some(event));
            item.path = path.to_string();
            item
        }
        _ => ctx.reject(
            path,
            0,
            data_path,
            format!("{ty} event without a call object"),
        ),
    }
}

/// What a webhook adds to the call object it carries.
struct Event {
    precedence: u64,
    envelope: Map<String, Value>,
}

fn call(value: &Value, path: &str, ctx: &mut ParseCtx, event: Option<Event>) -> Item {
    let Some(obj) = value.as_object() else {
        return ctx.reject(path, 0, path, "not a JSON object");
    };
    if !is_v21(obj) && is_v1(obj) {
        return v1(obj, value, path, ctx);
    }
    let get = |k: &str| Field::get(value, k);
    let nested = |k: &str| value.get(k).filter(|v| !v.is_null());
    let call_info = nested("call_info").map(|ci| InfoFields {
        direction: Field::get(ci, "direction"),
        kind: Field::get(ci, "type"),
        disposition: Field::get(ci, "disposition"),
        notes: Field::get(ci, "notes"),
        recording: Field::get(ci, "recording"),
        call_traits: ci
            .get("call_traits")
            .and_then(Value::as_array)
            .map(|traits| Traits::Values(traits.as_slice())),
    });
    let call_duration = nested("call_duration").map(|cd| DurationFields {
        total_duration: Field::get(cd, "total_duration"),
        conversation_time: Field::get(cd, "conversation_time"),
        ring_time: Field::get(cd, "ring_time"),
        queue_wait_time: Field::get(cd, "queue_wait_time"),
        wrap_up_time: Field::get(cd, "wrap_up_time"),
    });
    let fields = CallFields {
        id: get("id"),
        call_sid: get("call_sid"),
        parties: PartyFields {
            contact_number: get("contact_number"),
            contact_name: get("contact_name"),
            justcall_number: get("justcall_number"),
            agent_id: get("agent_id"),
            agent_name: get("agent_name"),
            agent_email: get("agent_email"),
        },
        call_date: get("call_date"),
        call_time: get("call_time"),
        cost_incurred: get("cost_incurred"),
        justcall_line_name: get("justcall_line_name"),
        queue: get("queue").map(QueueField::Field),
        call_info,
        call_duration,
        call_summary: obj
            .get("justcall_ai")
            .filter(|v| v.is_object())
            .map(|ai| Field::get(ai, "call_summary")),
    };
    let raw = Raw {
        obj,
        call_info: nested("call_info"),
        call_duration: nested("call_duration"),
        justcall_ai: obj.get("justcall_ai").filter(|v| v.is_object()),
    };
    call_fields_item(&fields, Some(&raw), path, ctx, event)
}

/// The fields of a v2.1 call that the mapping reads (`None`: the key is absent), from a
/// `Value` or from the typed fast lane ([`fast`]); [`call_fields_item`] maps them the same way
/// for both.
#[derive(Debug, Default)]
pub(crate) struct CallFields<'a> {
    pub id: Option<Field<'a>>,
    pub call_sid: Option<Field<'a>>,
    pub parties: PartyFields<'a>,
    pub call_date: Option<Field<'a>>,
    pub call_time: Option<Field<'a>>,
    pub cost_incurred: Option<Field<'a>>,
    pub justcall_line_name: Option<Field<'a>>,
    pub queue: Option<QueueField<'a>>,
    /// `call_info` when present and not null.
    pub call_info: Option<InfoFields<'a>>,
    /// `call_duration` when present and not null.
    pub call_duration: Option<DurationFields<'a>>,
    /// `justcall_ai.call_summary` when `justcall_ai` is an object.
    pub call_summary: Option<Option<Field<'a>>>,
}

/// Agent, customer and business line, named the same in v2.1 and v1.
#[derive(Debug, Default)]
pub(crate) struct PartyFields<'a> {
    pub contact_number: Option<Field<'a>>,
    pub contact_name: Option<Field<'a>>,
    pub justcall_number: Option<Field<'a>>,
    pub agent_id: Option<Field<'a>>,
    pub agent_name: Option<Field<'a>>,
    pub agent_email: Option<Field<'a>>,
}

/// The read fields of `call_info`.
#[derive(Debug, Default)]
pub(crate) struct InfoFields<'a> {
    pub direction: Option<Field<'a>>,
    pub kind: Option<Field<'a>>,
    pub disposition: Option<Field<'a>>,
    pub notes: Option<Field<'a>>,
    pub recording: Option<Field<'a>>,
    /// `call_traits` when it is an array.
    pub call_traits: Option<Traits<'a>>,
}

/// The elements of `call_info.call_traits`.
#[derive(Debug)]
pub(crate) enum Traits<'a> {
    Values(&'a [Value]),
    Scalars(&'a Scalars<'a>),
}

impl Traits<'_> {
    /// `f` of each trait's text, in order.
    fn each_text(&self, mut f: impl FnMut(&str)) {
        match self {
            Traits::Values(v) => v.iter().filter_map(as_text).for_each(|t| f(&t)),
            Traits::Scalars(v) => v
                .iter()
                .filter_map(|s| s.field().and_then(Field::text_ref))
                .for_each(|t| f(&t)),
        }
    }
}

/// The read fields of `call_duration`.
#[derive(Debug, Default)]
pub(crate) struct DurationFields<'a> {
    pub total_duration: Option<Field<'a>>,
    pub conversation_time: Option<Field<'a>>,
    pub ring_time: Option<Field<'a>>,
    pub queue_wait_time: Option<Field<'a>>,
    pub wrap_up_time: Option<Field<'a>>,
}

/// The source objects, for keeping unmapped fields in `extra` (general path only).
#[derive(Debug)]
struct Raw<'a> {
    obj: &'a Map<String, Value>,
    call_info: Option<&'a Value>,
    call_duration: Option<&'a Value>,
    justcall_ai: Option<&'a Value>,
}

fn text(f: Option<Field<'_>>) -> Option<String> {
    f.and_then(Field::text)
}

/// One v2.1 call from its fields. `raw` (the source objects) is needed only to keep the
/// unmapped fields when `ctx.keep_extra` is set; the fast lane never runs then.
fn call_fields_item(
    f: &CallFields<'_>,
    raw: Option<&Raw<'_>>,
    path: &str,
    ctx: &mut ParseCtx,
    event: Option<Event>,
) -> Item {
    let raw = raw.filter(|_| ctx.keep_extra);
    let sid = f.call_sid.and_then(Field::text_ref);
    let key = match &sid {
        Some(sid) => Some(ctx.buffers.text(slot::CALL_ID, sid)),
        None => ctx.text(slot::CALL_ID, f.id),
    };
    let Some(key) = key else {
        return ctx.reject(
            path,
            0,
            child_path(path, "call_sid"),
            "no call id: call_sid and id are both empty",
        );
    };
    let mut d = CallDraft::new(P, key);
    let is_event = event.is_some();
    d.precedence = event.as_ref().map_or(REST_PRECEDENCE, |e| e.precedence);
    // (not copied for a report, `keep_extra` off: it never shows `extra`)
    if sid.is_some() && ctx.keep_extra {
        if let Some(id) = text(f.id) {
            d.extra.insert("id".into(), Value::String(id));
        }
    }

    // call_info: direction, type, disposition, notes, recording, traits.
    let mut direction = None;
    let mut type_word = None;
    if let Some(ci) = &f.call_info {
        if let Some(word) = ci.direction.and_then(Field::text_ref) {
            direction = Some(direction_word(&word, ctx));
        }
        type_word = ctx.text(slot::RAW_STATUS, ci.kind);
        if !ctx.lean {
            d.disposition = ctx.text(slot::DISPOSITION, ci.disposition);
            d.notes = ctx.text(slot::NOTES, ci.notes);
            d.recording_url = ctx.text(slot::RECORDING_URL, ci.recording);
        }
        if let Some(traits) = ci.call_traits.as_ref().filter(|_| !ctx.lean) {
            let buffers = &mut ctx.buffers;
            let mut tags = buffers.tag_list();
            traits.each_text(|t| {
                let tag = lowercase(buffers.tag(t));
                if tag == "transfer" {
                    d.transfers = vec![Transfer {
                        at: None,
                        to_queue: None,
                        to_agent: None,
                    }];
                }
                if tags.contains(&tag) {
                    buffers.recycle_tag(tag);
                } else {
                    tags.push(tag);
                }
            });
            d.tags = tags;
        }
        if let Some(ci) = raw.and_then(|r| r.call_info) {
            nested_rest(
                ci,
                &[
                    "direction",
                    "type",
                    "disposition",
                    "notes",
                    "recording",
                    "call_traits",
                ],
                "call_info",
                &mut d.extra,
            );
        }
    }
    if let Some(word) = type_word {
        let (outcome, hinted) = type_outcome(&word, direction.unwrap_or(Direction::Unknown));
        if direction.is_none() {
            direction = hinted;
        }
        match outcome {
            Some(o) => d.outcome = Some(o),
            None => {
                ctx.unknown_word(P, &word);
                d.outcome = Some(Outcome::Unknown);
            }
        }
        d.raw_status = Some(word);
    }
    d.direction = direction;

    // When ringing began: call_date + call_time, UTC.
    if let (Some(date), Some(time)) = (
        f.call_date.and_then(Field::text_ref),
        f.call_time.and_then(Field::text_ref),
    ) {
        match crate::time::parse_date_time(&date, &time, Tz::UTC) {
            Some(t) => d.started_at = Some(t),
            None => {
                let at = if NaiveDate::parse_from_str(&date, "%Y-%m-%d").is_ok() {
                    child_path(path, "call_time")
                } else {
                    child_path(path, "call_date")
                };
                ctx.bad(at, format!("not a UTC date and time: {date:?} {time:?}"));
            }
        }
    }

    if let Some(cd) = &f.call_duration {
        let sec = |ctx: &mut ParseCtx, v: Option<Field<'_>>, key: &'static str| {
            ctx.seconds_at(v, || At::grandchild(path, "call_duration", key).render())
        };
        let total = sec(ctx, cd.total_duration, "total_duration");
        let talk = sec(ctx, cd.conversation_time, "conversation_time");
        let ring = sec(ctx, cd.ring_time, "ring_time");
        let queue = sec(ctx, cd.queue_wait_time, "queue_wait_time");
        let wrap = sec(ctx, cd.wrap_up_time, "wrap_up_time");
        let before_answer = match (ring, queue) {
            (None, None) => None,
            (r, q) => Some(r.unwrap_or(0.0) + q.unwrap_or(0.0)),
        };
        d.duration_s = total.map(|t| t + before_answer.unwrap_or(0.0));
        d.talk_s = talk;
        d.wrap_up_s = wrap;
        if d.outcome == Some(Outcome::Answered) {
            d.wait_s = before_answer;
        }
        if let Some(cd) = raw.and_then(|r| r.call_duration) {
            nested_rest(
                cd,
                &[
                    "total_duration",
                    "conversation_time",
                    "ring_time",
                    "queue_wait_time",
                    "wrap_up_time",
                ],
                "call_duration",
                &mut d.extra,
            );
        }
    }

    let mut line_used = false;
    // (a lean report reads none of these, and none of them can give a warning)
    if !ctx.lean {
        party_fields(&f.parties, &mut d, &mut ctx.buffers);
        if let Some(q) = f.queue.and_then(queue_name) {
            d.queue = Some(ctx.buffers.text(slot::QUEUE, &q));
        } else if let Some(line) = ctx.text(slot::QUEUE, f.justcall_line_name) {
            d.queue = Some(line);
            line_used = true;
        }
    }
    d.cost = ctx.number_at(f.cost_incurred, || child_path(path, "cost_incurred"));
    if let Some(summary) = f.call_summary.filter(|_| !ctx.lean) {
        d.summary = ctx.text(slot::SUMMARY, summary);
        if let Some(ai) = raw.and_then(|r| r.justcall_ai) {
            nested_rest(ai, &["call_summary"], "justcall_ai", &mut d.extra);
        }
    }
    if let Some(raw) = raw {
        let mut used: Vec<&str> = vec![
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
            "cost_incurred",
            "call_info",
            "call_duration",
            "justcall_ai",
        ];
        if line_used {
            used.push("justcall_line_name");
        }
        keep_rest(raw.obj, &used, &mut d.extra);
    }
    if let Some(e) = event {
        d.extra.insert("webhook".into(), Value::Object(e.envelope));
    }
    let at = ctx.path(path);
    ctx.finish(d, at, 0, is_event)
}

/// A legacy v1 record: `id`, `time`, numeric-string `direction` and `duration`, `type`.
fn v1(obj: &Map<String, Value>, value: &Value, path: &str, ctx: &mut ParseCtx) -> Item {
    let n = Node::new(value, path);
    let Some(id) = n.string("id") else {
        return ctx.reject(path, 0, n.path_of("id"), "no call id");
    };
    let mut d = CallDraft::new(P, id);
    d.precedence = REST_PRECEDENCE;
    d.started_at = ctx.instant(obj.get("time"), &n.path_of("time"));
    let direction = n.string("direction").map(|w| direction_word(&w, ctx));
    d.direction = direction;
    d.duration_s = ctx.seconds(obj.get("duration"), &n.path_of("duration"));
    if let Some(word) = n.string("type") {
        let (known, _) = type_outcome(&word, direction.unwrap_or(Direction::Unknown));
        if known.is_none() {
            ctx.unknown_word(P, &word);
        }
        d.outcome = known;
        d.raw_status = Some(word);
    }
    if d.outcome.is_none() {
        d.outcome = d.duration_s.map(|s| {
            if s > 0.0 {
                Outcome::Answered
            } else {
                Outcome::no_answer(direction.unwrap_or(Direction::Unknown))
            }
        });
    }
    party_fields(&party_fields_of(value), &mut d, &mut Buffers::default());
    keep_rest(
        obj,
        &[
            "id",
            "time",
            "direction",
            "duration",
            "type",
            "contact_number",
            "contact_name",
            "justcall_number",
            "agent_id",
            "agent_name",
            "agent_email",
        ],
        &mut d.extra,
    );
    ctx.finish(d, path, 0, false)
}

/// Agent, customer and business line from their fields (v2.1 and v1).
fn party_fields(p: &PartyFields<'_>, d: &mut CallDraft, buffers: &mut Buffers) {
    let mut text = |slot, f| super::text_in(buffers, slot, f);
    let agent = Agent {
        id: text(slot::AGENT_ID, p.agent_id),
        email: text(slot::AGENT_EMAIL, p.agent_email).map(lowercase),
        name: text(slot::AGENT_NAME, p.agent_name),
    };
    if !agent.is_empty() {
        d.agent = Some(agent);
    }
    d.customer_name = text(slot::CUSTOMER_NAME, p.contact_name);
    let mut number = |slot, f: Option<Field<'_>>| {
        let n = f.and_then(Field::text_ref)?;
        crate::phone::normalize_into(&n, buffers.take(slot))
    };
    d.customer_number = number(slot::CUSTOMER_NUMBER, p.contact_number);
    d.business_number = number(slot::BUSINESS_NUMBER, p.justcall_number);
}

/// `s` lower-cased (as `str::to_lowercase`), in place when it is ASCII.
fn lowercase(mut s: String) -> String {
    if s.is_ascii() {
        s.make_ascii_lowercase();
        s
    } else {
        s.to_lowercase()
    }
}

/// The parties of a `Value` object.
fn party_fields_of(value: &Value) -> PartyFields<'_> {
    let get = |k: &str| Field::get(value, k);
    PartyFields {
        contact_number: get("contact_number"),
        contact_name: get("contact_name"),
        justcall_number: get("justcall_number"),
        agent_id: get("agent_id"),
        agent_name: get("agent_name"),
        agent_email: get("agent_email"),
    }
}

/// The `queue` value: any value (general path), or the read keys of an object (fast lane).
#[derive(Debug, Clone, Copy)]
pub(crate) enum QueueField<'a> {
    Field(Field<'a>),
    Names {
        name: Option<Field<'a>>,
        queue_name: Option<Field<'a>>,
    },
}

/// The queue's name: an object's `name` or `queue_name`, or the value itself when it is text.
fn queue_name(queue: QueueField<'_>) -> Option<Cow<'_, str>> {
    match queue {
        QueueField::Field(Field::Other(q @ Value::Object(_))) => queue_name(QueueField::Names {
            name: Field::get(q, "name"),
            queue_name: Field::get(q, "queue_name"),
        }),
        QueueField::Names { name, queue_name } => [name, queue_name]
            .into_iter()
            .find_map(|f| f.and_then(Field::text_ref)),
        QueueField::Field(s @ Field::Str(_)) => s.text_ref(),
        QueueField::Field(_) => None,
    }
}

/// Put the fields of `obj` not in `used` into `extra[key]`, when there are any.
fn nested_rest(obj: &Value, used: &[&str], key: &str, extra: &mut Map<String, Value>) {
    if let Some(map) = obj.as_object() {
        let mut rest = Map::new();
        keep_rest(map, used, &mut rest);
        if !rest.is_empty() {
            extra.insert(key.to_string(), Value::Object(rest));
        }
    }
}

/// Lower case, `_` and `-` read as spaces, runs of spaces collapsed.
#[cfg(test)]
fn normalize_word(word: &str) -> String {
    with_normalized(word, str::to_owned)
}

/// The usual words (`Incoming`, `Abandoned before ringing`) are ASCII with single inner
/// spaces and nothing to replace: then lower-casing them is the whole job.
fn is_simple(word: &str) -> bool {
    let b = word.as_bytes();
    // (byte windows, not `str::contains`, whose searcher costs more to set up than these
    // short words take to scan)
    b.first() != Some(&b' ')
        && b.last() != Some(&b' ')
        && b.windows(2).all(|pair| pair != b"  ")
        && b.iter().all(|&c| {
            c.is_ascii() && c != b'_' && c != b'-' && (c == b' ' || !(c as char).is_whitespace())
        })
}

/// `f` of `normalize_word(word)`, lower-cased on the stack for the usual short words.
fn with_normalized<R>(word: &str, f: impl FnOnce(&str) -> R) -> R {
    let mut buf = [0u8; 64];
    if let Some(b) = buf.get_mut(..word.len()).filter(|_| is_simple(word)) {
        b.copy_from_slice(word.as_bytes());
        b.make_ascii_lowercase();
        if let Ok(w) = std::str::from_utf8(b) {
            return f(w);
        }
    }
    f(&normalize_word_general(word))
}

fn normalize_word_general(word: &str) -> String {
    word.to_lowercase()
        .replace(['_', '-'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The entry of `table` (whose words are normalized: lower-case ASCII, single spaces) that
/// `word` spells up to ASCII case, if any. When there is one it is the entry of
/// `normalize_word(word)`: a word equal to a normalized one but for ASCII case has no other
/// difference for the normalization to remove. The API's own spellings (`Incoming`,
/// `Answered`) are found here without building the normalized word.
fn spelled<'t, T>(table: &'t [(&'static str, T)], word: &str) -> Option<&'t (&'static str, T)> {
    table
        .iter()
        .find(|(k, _)| k.len() == word.len() && k.eq_ignore_ascii_case(word))
}

fn direction_word(word: &str, ctx: &mut ParseCtx) -> Direction {
    let found = spelled(DIRECTION_WORDS, word)
        .or_else(|| with_normalized(word, |w| DIRECTION_WORDS.iter().find(|(k, _)| *k == w)));
    match found {
        Some((_, d)) => *d,
        None => {
            ctx.unknown_word(P, word);
            Direction::Unknown
        }
    }
}

/// The outcome of a type word for a call in `direction`, and the direction the word itself
/// names (`INCOMING_MISSED`). `None` when the word is unknown.
fn type_outcome(word: &str, direction: Direction) -> (Option<Outcome>, Option<Direction>) {
    // A word of the table itself (no `incoming ` / `outgoing ` prefix: no table word starts
    // with one) names no direction.
    match spelled(TYPE_WORDS, word) {
        Some((_, rule)) => (Some(rule.outcome(direction)), None),
        None => with_normalized(word, |w| type_outcome_normalized(w, direction)),
    }
}

/// [`type_outcome`] of a normalized word.
fn type_outcome_normalized(w: &str, direction: Direction) -> (Option<Outcome>, Option<Direction>) {
    let (rest, hinted) = if let Some(r) = w.strip_prefix("incoming ") {
        (r, Some(Direction::Inbound))
    } else if let Some(r) = w.strip_prefix("outgoing ") {
        (r, Some(Direction::Outbound))
    } else {
        (w, None)
    };
    let dir = if direction == Direction::Unknown {
        hinted.unwrap_or(direction)
    } else {
        direction
    };
    let outcome = TYPE_WORDS
        .iter()
        .find(|(k, _)| *k == rest)
        .map(|(_, rule)| rule.outcome(dir));
    (outcome, hinted)
}

pub(crate) mod fast;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::CallRecord;
    use crate::providers::ItemKind;
    use chrono::{DateTime, Utc};

    const LIST: &str = include_str!("../../../tests/data/justcall/list_v21.json");
    const ONE: &str = include_str!("../../../tests/data/justcall/call_v21.json");
    const HOOKS: &str = include_str!("../../../tests/data/justcall/webhooks_call.json");
    const NON_CALL: &str = include_str!("../../../tests/data/justcall/webhooks_noncall.json");
    const V1: &str = include_str!("../../../tests/data/justcall/v1_records.json");

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

    /// The drafts of call items, with their event flags; panics on any other kind.
    fn calls(items: Vec<Item>) -> Vec<(CallDraft, bool)> {
        items
            .into_iter()
            .map(|i| match i.kind {
                ItemKind::Call { draft, event } => (draft, event),
                other => panic!("not a call: {other:?} at {}", i.path),
            })
            .collect()
    }

    fn record(d: CallDraft) -> CallRecord {
        let (r, warnings) = d.into_record(true).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        r
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
        assert!(detect(&json(LIST)));
        assert!(detect(&json(ONE)));
        assert!(detect(&json(V1)));
        assert!(detect(&json(
            r#"{"status":"success","data":{"call_sid":"CA1","call_date":"2024-01-01","call_time":"1:00:00"}}"#
        )));
        assert!(detect(&json(
            r#"{"status":"success","count":0,"current_page":0,"per_page":20,"data":[]}"#
        )));
        // Twilio, Vapi, Retell and MightyCall shapes are not JustCall's.
        assert!(!detect(&json(
            r#"{"sid":"CA1","direction":"inbound","start_time":"x"}"#
        )));
        assert!(!detect(&json(
            r#"{"CallSid":"CA1","CallStatus":"completed"}"#
        )));
        assert!(!detect(&json(
            r#"{"message":{"type":"end-of-call-report","call":{"id":"x","orgId":"o"}}}"#
        )));
        assert!(!detect(&json(
            r#"{"event":"call_ended","call":{"call_id":"c1","agent_id":"a"}}"#
        )));
        assert!(!detect(&json(
            r#"{"call_id":"c1","call_status":"ended","agent_id":"a"}"#
        )));
        assert!(!detect(&json(
            r#"{"calls":[{"id":"1","callStatus":"Connected","dateTimeUtc":"2024-01-01T00:00:00Z"}]}"#
        )));
        assert!(!detect(&json(
            r#"{"EventType":"IncomingCall","Body":{"CallId":"1"}}"#
        )));
        assert!(!detect(&json(r#"[1,2]"#)));
        assert!(detect(&json(HOOKS)));
        // Twilio Voice Insights summary (fields of fixtures/twilio/insights_call_summary_fetch.json).
        assert!(!detect(&json(
            r#"{"account_sid":"ACaaaa","call_sid":"CAaaaa","call_type":"carrier","call_state":"completed",
                "start_time":"2021-08-25T03:40:25Z","duration":7,"connect_duration":6}"#
        )));
        // Twilio Event Streams (CloudEvents) carrying a call_sid in data.
        assert!(!detect(&json(
            r#"{"specversion":"1.0","type":"com.twilio.voice.status-callback.call.completed","data":{"call_sid":"CA1","agent_id":"x"}}"#
        )));
        assert!(!detect(&json(
            r#"{"data":{"call_sid":"CA1","account_sid":"AC1","contact_number":"1"}}"#
        )));
        assert!(!detect(&json(r#"{"call_sid":"CA1"}"#)));
    }

    #[test]
    fn registry_detection_names_justcall() {
        let docs = [
            json(LIST),
            json(ONE),
            json(V1),
            json(HOOKS)[0].clone(),
            json(HOOKS)[5].clone(),
            json(NON_CALL)[0].clone(),
        ];
        for doc in docs {
            assert_eq!(crate::providers::detect_json(&doc), Some(P), "{doc}");
        }
    }

    #[test]
    fn list_page_answered_call() {
        let mut ctx = lenient();
        let items = parse(&json(LIST), "$", &mut ctx);
        assert_eq!(items[0].path, "$.data[0]");
        let mut calls = calls(items);
        assert_eq!(calls.len(), 3);
        assert!(calls.iter().all(|(_, event)| !event));
        let r = record(calls.remove(0).0);
        assert_eq!(r.id, "justcall:CAa1b2c3d4e5f60718293a4b5c6d7e8f90");
        assert_eq!(r.direction, Direction::Inbound);
        assert_eq!(r.outcome, Outcome::Answered);
        assert_eq!(r.raw_status.as_deref(), Some("Answered"));
        // call_date + call_time, unpadded hour, UTC.
        assert_eq!(r.started_at, at("2024-03-21T08:25:43Z"));
        // duration = queue 12 + ring 8 + total 250 = 270; wait = 12 + 8 = 20.
        assert_eq!(r.duration_s, Some(270.0));
        assert_eq!(r.talk_s, Some(220.0));
        assert_eq!(r.wait_s, Some(20.0));
        assert_eq!(r.wrap_up_s, Some(45.0));
        // 08:25:43 + 20 s, + 270 s.
        assert_eq!(r.answered_at, Some(at("2024-03-21T08:26:03Z")));
        assert_eq!(r.ended_at, Some(at("2024-03-21T08:30:13Z")));
        let agent = r.agent.clone().unwrap();
        assert_eq!(agent.id.as_deref(), Some("20011"));
        assert_eq!(agent.email.as_deref(), Some("sam.lee@example.com"));
        assert_eq!(agent.name.as_deref(), Some("Sam Lee"));
        assert_eq!(r.queue.as_deref(), Some("Billing"));
        assert_eq!(r.customer_number.as_deref(), Some("+14158675309"));
        assert_eq!(r.customer_name.as_deref(), Some("Dana Reyes"));
        assert_eq!(r.business_number.as_deref(), Some("+16502530000"));
        assert_eq!(
            r.recording_url.as_deref(),
            Some("https://recordings.justcall.io/abc123.mp3")
        );
        assert_eq!(r.disposition.as_deref(), Some("Resolved"));
        assert_eq!(
            r.notes.as_deref(),
            Some("Customer asked about invoice 1042")
        );
        assert_eq!(r.tags, vec!["queue".to_string(), "transfer".to_string()]);
        assert_eq!(r.transfers.len(), 1);
        assert_eq!(
            r.summary.as_deref(),
            Some("Customer asked about invoice 1042; the agent explained the late fee.")
        );
        assert_eq!(r.cost, Some(0.042));
        assert_eq!(r.ended_reason, None);
        assert_eq!(r.tenant, None);
        // Unmapped fields are kept.
        assert_eq!(r.extra["id"], "123456789");
        assert_eq!(r.extra["contact_email"], "dana@example.com");
        assert_eq!(r.extra["justcall_line_name"], "Support Line");
        assert_eq!(r.extra["call_user_time"], "04:25:43");
        assert_eq!(r.extra["queue"]["id"], 77);
        assert_eq!(r.extra["ivr_info"]["digit_pressed"], "2");
        assert_eq!(r.extra["call_info"]["status"], "Unarchived");
        assert_eq!(r.extra["call_info"]["rating"], "5");
        assert_eq!(r.extra["call_duration"]["hold_time"], 30);
        assert_eq!(r.extra["call_duration"]["handle_time"], 295);
        assert_eq!(r.extra["justcall_ai"]["call_score"], 8);
        assert!(r.extra.get("call_sid").is_none());
        assert!(ctx.unknown_words.is_empty());
    }

    #[test]
    fn list_page_missed_keeps_agent_and_canceled_outbound() {
        let mut ctx = lenient();
        let mut calls = calls(parse(&json(LIST), "$", &mut ctx));
        let missed = record(calls.remove(1).0);
        assert_eq!(missed.outcome, Outcome::Missed);
        assert_eq!(
            missed.agent.unwrap().email.as_deref(),
            Some("ana@example.com")
        );
        // No queue object: the line name is the queue.
        assert_eq!(missed.queue.as_deref(), Some("Support Line"));
        assert!(missed.extra.get("justcall_line_name").is_none());
        // duration = 0 + 25 + 0; not answered, so no wait and no answer instant.
        assert_eq!(missed.duration_s, Some(25.0));
        assert_eq!(missed.talk_s, Some(0.0));
        assert_eq!(missed.wait_s, None);
        assert_eq!(missed.answered_at, None);
        assert_eq!(missed.ended_at, Some(at("2024-03-21T14:02:35Z")));
        assert_eq!(
            missed.extra["call_info"]["missed_call_reason"],
            "Call was not picked by any agent"
        );
        assert_eq!(missed.ended_reason, None);
        assert!(missed.tags.is_empty());
        let canceled = record(calls.remove(1).0);
        assert_eq!(canceled.direction, Direction::Outbound);
        assert_eq!(canceled.outcome, Outcome::Canceled);
        assert_eq!(canceled.customer_number.as_deref(), Some("+442071838750"));
        assert_eq!(canceled.duration_s, Some(0.0));
    }

    #[test]
    fn single_call_object() {
        let mut ctx = lenient();
        let mut calls = calls(parse(&json(ONE), "$", &mut ctx));
        assert_eq!(calls.len(), 1);
        let r = record(calls.remove(0).0);
        assert_eq!(r.provider_call_id, "CAe1b2c3d4e5f60718293a4b5c6d7e8f93");
        assert_eq!(r.outcome, Outcome::Unanswered);
        assert_eq!(r.started_at, at("2024-05-06T07:05:09Z"));
        // ring 30 + total 0.
        assert_eq!(r.duration_s, Some(30.0));
        assert_eq!(r.wait_s, None);
        assert_eq!(r.customer_name, None);
        assert_eq!(r.customer_number.as_deref(), Some("+14158675309"));
        assert_eq!(r.business_number.as_deref(), Some("+16502530000"));
        assert_eq!(r.queue.as_deref(), Some("Sales Line"));
        assert_eq!(r.agent.unwrap().email.as_deref(), Some("lee@example.com"));
        // Archive state is not an outcome; it is kept.
        assert_eq!(r.extra["call_info"]["status"], "Archived");
    }

    #[test]
    fn id_is_the_key_without_call_sid() {
        let doc = json(
            r#"{"id": 42, "call_date": "2024-01-02", "call_time": "3:04:05",
            "call_info": {"direction": "Incoming", "type": "Voicemail"}}"#,
        );
        let mut ctx = lenient();
        let mut calls = calls(parse(&doc, "$", &mut ctx));
        let r = record(calls.remove(0).0);
        assert_eq!(r.id, "justcall:42");
        assert_eq!(r.outcome, Outcome::Voicemail);
        assert!(r.extra.get("id").is_none());
    }

    #[test]
    fn webhooks_and_rest_copy_fold_into_one_call() {
        let mut ctx = lenient();
        let items = each(HOOKS, &mut ctx);
        assert_eq!(items[0].path, "$[0]");
        let calls = calls(items);
        let flags: Vec<bool> = calls.iter().map(|(_, e)| *e).collect();
        assert_eq!(flags, vec![true, true, true, true, true, false]);
        let drafts: Vec<CallDraft> = calls.into_iter().map(|(d, _)| d).collect();
        let keys: Vec<_> = drafts.iter().map(|d| d.id()).collect();
        assert!(
            keys.iter()
                .all(|k| k.as_deref() == Some("justcall:CAd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"))
        );
        let precedences: Vec<u64> = drafts.iter().map(|d| d.precedence).collect();
        assert_eq!(precedences, vec![10, 30, 40, 50, 60, 45]);

        let folded = CallDraft::fold(drafts.clone());
        for perm in permutations(drafts.len()) {
            let shuffled: Vec<CallDraft> = perm.iter().map(|&i| drafts[i].clone()).collect();
            assert_eq!(CallDraft::fold(shuffled), folded, "order {perm:?}");
        }
        // Duplicated deliveries change nothing.
        let mut twice = drafts.clone();
        twice.extend(drafts.iter().cloned());
        assert_eq!(CallDraft::fold(twice), folded);
        let r = record(folded);
        assert_eq!(r.outcome, Outcome::Answered);
        assert_eq!(r.raw_status.as_deref(), Some("Answered"));
        assert_eq!(r.started_at, at("2024-04-02T16:45:00Z"));
        // duration = 0 + 6 + 185 = 191; wait = 6; talk = 170; wrap-up from call.updated.
        assert_eq!(r.duration_s, Some(191.0));
        assert_eq!(r.wait_s, Some(6.0));
        assert_eq!(r.talk_s, Some(170.0));
        assert_eq!(r.wrap_up_s, Some(40.0));
        assert_eq!(r.answered_at, Some(at("2024-04-02T16:45:06Z")));
        assert_eq!(r.ended_at, Some(at("2024-04-02T16:48:11Z")));
        assert_eq!(r.notes.as_deref(), Some("Refund approved"));
        assert_eq!(r.disposition.as_deref(), Some("Refund"));
        assert_eq!(
            r.summary.as_deref(),
            Some("Customer requested a refund for a double charge; approved.")
        );
        assert_eq!(r.extra["id"], "987654321");
        assert_eq!(r.extra["webhook"]["type"], "jc.call_ai_generated");
        assert_eq!(r.extra["justcall_ai"]["customer_sentiment"], "Positive");
        assert_eq!(r.cost, Some(0.03));
    }

    /// All orderings of `0..n` (Heap's algorithm).
    fn permutations(n: usize) -> Vec<Vec<usize>> {
        fn heap(k: usize, a: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
            if k <= 1 {
                out.push(a.clone());
                return;
            }
            for i in 0..k - 1 {
                heap(k - 1, a, out);
                if k % 2 == 0 {
                    a.swap(i, k - 1);
                } else {
                    a.swap(0, k - 1);
                }
            }
            heap(k - 1, a, out);
        }
        let mut out = Vec::new();
        heap(n, &mut (0..n).collect(), &mut out);
        out
    }

    #[test]
    fn permutations_are_all_distinct() {
        let mut p = permutations(4);
        assert_eq!(p.len(), 24);
        p.sort();
        p.dedup();
        assert_eq!(p.len(), 24);
    }

    #[test]
    fn arrays_hold_webhooks_and_calls() {
        let items = parse(&json(HOOKS), "$", &mut lenient());
        let flags: Vec<bool> = calls(items).into_iter().map(|(_, e)| e).collect();
        assert_eq!(flags, vec![true, true, true, true, true, false]);
        let mixed = parse(&json(r#"[7, {"x": 1}]"#), "$", &mut lenient());
        assert_eq!(rejection(&mixed[0]).0, "$[0]");
        assert_eq!(rejection(&mixed[1]).0, "$[1]");
    }

    #[test]
    fn non_call_webhooks() {
        let mut ctx = lenient();
        let items = each(NON_CALL, &mut ctx);
        let whats: Vec<String> = items
            .into_iter()
            .map(|i| match i.kind {
                ItemKind::NonCall { what } => what,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            whats,
            vec![
                "justcall sms.received event",
                "justcall whatsapp.message_received event",
                "justcall appointment.scheduled event",
                "justcall jc.contact_status_updated event",
            ]
        );
    }

    #[test]
    fn unknown_call_event_is_a_low_precedence_event() {
        let doc = json(
            r#"{"request_id":"r","type":"call.recorded","data":{"call_sid":"CA9","call_date":"2024-01-01","call_time":"0:00:01"}}"#,
        );
        let mut ctx = lenient();
        let mut calls = calls(parse(&doc, "$", &mut ctx));
        let (d, event) = calls.remove(0);
        assert!(event);
        assert_eq!(d.precedence, 0);
        assert_eq!(ctx.unknown_words, vec![(P, "call.recorded".to_string())]);
        let missing = json(r#"{"request_id":"r","type":"call.completed","data":null}"#);
        let items = parse(&missing, "$[2]", &mut ctx);
        match &items[0].kind {
            ItemKind::Rejected(issue) => assert_eq!(issue.path, "$[2].data"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn legacy_v1_records() {
        let mut ctx = lenient();
        let mut calls = calls(parse(&json(V1), "$", &mut ctx));
        let first = record(calls.remove(0).0);
        assert_eq!(first.id, "justcall:5551");
        assert_eq!(first.direction, Direction::Inbound);
        assert_eq!(first.started_at, at("2019-06-11T22:05:25Z"));
        // Numeric type code: duration 95 > 0 gives answered; one total duration, no talk.
        assert_eq!(first.outcome, Outcome::Answered);
        assert_eq!(first.raw_status.as_deref(), Some("5"));
        assert_eq!(first.duration_s, Some(95.0));
        assert_eq!(first.talk_s, None);
        assert_eq!(
            first.agent.unwrap().email.as_deref(),
            Some("sam.lee@example.com")
        );
        assert_eq!(
            first.extra["recording_url"],
            "https://recordings.justcall.io/v1/5551.mp3"
        );
        assert_eq!(ctx.unknown_words, vec![(P, "5".to_string())]);
        let second = record(calls.remove(0).0);
        assert_eq!(second.direction, Direction::Outbound);
        assert_eq!(second.outcome, Outcome::Unanswered);
        assert_eq!(second.duration_s, Some(0.0));
    }

    #[test]
    fn v1_time_is_read_in_the_source_zone() {
        let tz: Tz = "America/New_York".parse().unwrap();
        let mut ctx = ParseCtx::new(tz, false);
        let mut calls = calls(parse(&json(V1), "$", &mut ctx));
        // 22:05:25 EDT (UTC-4) = 02:05:25 UTC the next day.
        assert_eq!(
            calls.remove(0).0.started_at,
            Some(at("2019-06-12T02:05:25Z"))
        );
        // A v1 duration of 0 on an inbound call is missed.
        let doc = json(
            r#"{"id":"7","time":"2019-06-11 10:00:00","direction":"1","duration":"0","type":"9"}"#,
        );
        let r = record(calls_of(&doc).remove(0));
        assert_eq!(r.outcome, Outcome::Missed);
    }

    fn calls_of(doc: &Value) -> Vec<CallDraft> {
        let mut ctx = lenient();
        calls(parse(doc, "$", &mut ctx))
            .into_iter()
            .map(|(d, _)| d)
            .collect()
    }

    fn rejection(item: &Item) -> (String, String) {
        match &item.kind {
            ItemKind::Rejected(issue) => (issue.path.clone(), issue.reason.clone()),
            other => panic!("not rejected: {other:?}"),
        }
    }

    #[test]
    fn bad_time_rejects_in_strict_mode_and_warns_in_lenient() {
        let mut doc = json(LIST);
        doc["data"][1]["call_time"] = json(r#""25:99:00""#);
        let items = parse(&doc, "$", &mut strict());
        let (path, reason) = rejection(&items[1]);
        assert_eq!(path, "$.data[1].call_time");
        assert!(reason.contains("25:99:00"), "{reason}");
        // The other items of the page are unaffected.
        assert!(matches!(items[0].kind, ItemKind::Call { .. }));
        assert!(matches!(items[2].kind, ItemKind::Call { .. }));

        let mut ctx = lenient();
        let mut calls = calls(parse(&doc, "$", &mut ctx));
        let d = calls.remove(1).0;
        assert_eq!(d.warnings[0].path, "$.data[1].call_time");
        assert_eq!(d.started_at, None);
        // Without a start the record cannot be built.
        assert_eq!(d.into_record(false).unwrap_err().path, "startedAt");

        doc["data"][1]["call_date"] = json(r#""2024-13-45""#);
        let items = parse(&doc, "$", &mut strict());
        assert_eq!(rejection(&items[1]).0, "$.data[1].call_date");
    }

    #[test]
    fn bad_duration_is_cleared_in_lenient_mode() {
        let mut doc = json(ONE);
        doc["call_duration"]["ring_time"] = json(r#""soon""#);
        let items = parse(&doc, "$", &mut strict());
        assert_eq!(rejection(&items[0]).0, "$.call_duration.ring_time");
        let mut ctx = lenient();
        let mut calls = calls(parse(&doc, "$", &mut ctx));
        let (r, warnings) = calls.remove(0).0.into_record(false).unwrap();
        // ring cleared: duration = total 0 + queue 0.
        assert_eq!(r.duration_s, Some(0.0));
        assert_eq!(warnings[0].path, "$.call_duration.ring_time");
        doc["call_duration"]["ring_time"] = json("-3");
        let items = parse(&doc, "$", &mut strict());
        assert!(rejection(&items[0]).1.contains("negative"));
    }

    #[test]
    fn missing_ids_and_non_objects_are_rejected() {
        let doc = json(r#"{"id":"","call_sid":"","call_date":"2024-01-01","call_time":"1:00:00"}"#);
        assert_eq!(
            rejection(&parse(&doc, "$[4]", &mut lenient())[0]).0,
            "$[4].call_sid"
        );
        let page = json(r#"{"status":"success","per_page":20,"data":[7]}"#);
        assert_eq!(
            rejection(&parse(&page, "$", &mut lenient())[0]).0,
            "$.data[0]"
        );
        assert_eq!(
            rejection(&parse(&json("\"x\""), "$", &mut lenient())[0]).0,
            "$"
        );
        let v1 = json(r#"{"time":"2019-06-11 10:00:00","direction":"1","contact_number":"1"}"#);
        assert_eq!(rejection(&parse(&v1, "$", &mut lenient())[0]).0, "$.id");
    }

    /// Expected outcome of each `call_info.type` word, written out by hand (SPEC 2.1 / 7).
    const EXPECTED_TYPES: &[(&str, Direction, Outcome)] = &[
        ("Answered", Direction::Inbound, Outcome::Answered),
        ("Missed", Direction::Inbound, Outcome::Missed),
        ("Voicemail", Direction::Inbound, Outcome::Voicemail),
        ("Unanswered", Direction::Outbound, Outcome::Unanswered),
        ("Unanswered", Direction::Inbound, Outcome::Missed),
        (
            "Abandoned before ringing",
            Direction::Inbound,
            Outcome::Canceled,
        ),
        (
            "Abandoned before ringing",
            Direction::Outbound,
            Outcome::Canceled,
        ),
        ("Abandoned", Direction::Inbound, Outcome::Missed),
        ("Busy", Direction::Outbound, Outcome::Busy),
        ("Failed", Direction::Outbound, Outcome::Failed),
        ("Restricted", Direction::Outbound, Outcome::Failed),
        ("Blocked", Direction::Outbound, Outcome::Failed),
        ("Cancelled", Direction::Outbound, Outcome::Canceled),
        ("Canceled", Direction::Outbound, Outcome::Canceled),
        ("In Progress", Direction::Inbound, Outcome::Active),
        // Case and separators do not matter.
        ("answered", Direction::Inbound, Outcome::Answered),
        (
            "ABANDONED_BEFORE_RINGING",
            Direction::Inbound,
            Outcome::Canceled,
        ),
        ("in-progress", Direction::Outbound, Outcome::Active),
    ];

    /// A table word (of `TYPE_WORDS` or `DIRECTION_WORDS`), a prefix and a few other
    /// spellings, each letter's case flipped or not by `flips`, with `_` for some spaces.
    fn respelled(i: usize, flips: u64, prefix: usize) -> String {
        let words: Vec<&str> = TYPE_WORDS
            .iter()
            .map(|(w, _)| *w)
            .chain(DIRECTION_WORDS.iter().map(|(w, _)| *w))
            .chain([
                "transferred",
                "\u{212a}",
                "in  progress",
                " busy",
                "answered ",
            ])
            .collect();
        let prefix = ["", "incoming ", "outgoing ", "INCOMING_"][prefix % 4];
        let word = format!("{prefix}{}", words[i % words.len()]);
        word.chars()
            .enumerate()
            .map(|(k, c)| match (flips >> (k % 64)) & 1 {
                1 if c == ' ' => '_',
                1 => c.to_ascii_uppercase(),
                _ => c,
            })
            .collect()
    }

    proptest::proptest! {
        /// Looking a word up by its spelling up to ASCII case gives what looking its
        /// normalized form up gives, for table words in any case, with or without a prefix,
        /// and for other text.
        #[test]
        fn a_word_spelled_up_to_case_is_the_word_normalized(
            i in 0usize..64,
            flips in proptest::prelude::any::<u64>(),
            prefix in 0usize..4,
            other in "[ a-zA-Z_\\-\u{212a}\u{130}]{0,12}",
            dir in proptest::sample::select(vec![Direction::Inbound, Direction::Outbound, Direction::Unknown]),
        ) {
            for word in [respelled(i, flips, prefix), other] {
                proptest::prop_assert_eq!(
                    type_outcome(&word, dir),
                    with_normalized(&word, |w| type_outcome_normalized(w, dir)),
                    "{:?}", word
                );
                let mut fast = ParseCtx::new(Tz::UTC, false);
                let mut general = ParseCtx::new(Tz::UTC, false);
                let found = with_normalized(&word, |w| DIRECTION_WORDS.iter().find(|(k, _)| *k == w));
                let expected = match found {
                    Some((_, d)) => *d,
                    None => {
                        general.unknown_word(P, &word);
                        Direction::Unknown
                    }
                };
                proptest::prop_assert_eq!(direction_word(&word, &mut fast), expected, "{:?}", word);
                proptest::prop_assert_eq!(fast.unknown_words, general.unknown_words);
            }
        }

        /// The shortcut for plain ASCII words gives what the general normalization gives.
        #[test]
        fn normalize_word_shortcut_is_exact(word in "[ a-zA-Z_\\-\t\u{0b}\u{a0}\u{e9}\u{130}]{0,12}") {
            proptest::prop_assert_eq!(normalize_word(&word), normalize_word_general(&word));
        }
    }

    #[test]
    fn every_type_word() {
        for (word, dir, expected) in EXPECTED_TYPES {
            assert_eq!(type_outcome(word, *dir).0, Some(*expected), "{word} {dir}");
        }
        for (word, _) in TYPE_WORDS {
            assert!(
                EXPECTED_TYPES
                    .iter()
                    .any(|(w, _, _)| normalize_word(w) == *word),
                "no test for {word}"
            );
        }
        assert_eq!(
            type_outcome("Transferred", Direction::Inbound),
            (None, None)
        );
    }

    #[test]
    fn every_call_type_filter_word() {
        let expected: &[(&str, Outcome, Direction)] = &[
            ("OUTGOING_ANSWERED", Outcome::Answered, Direction::Outbound),
            (
                "OUTGOING_UNANSWERED",
                Outcome::Unanswered,
                Direction::Outbound,
            ),
            ("OUTGOING_BUSY", Outcome::Busy, Direction::Outbound),
            ("OUTGOING_FAILED", Outcome::Failed, Direction::Outbound),
            ("OUTGOING_RESTRICTED", Outcome::Failed, Direction::Outbound),
            ("OUTGOING_BLOCKED", Outcome::Failed, Direction::Outbound),
            ("OUTGOING_CANCELLED", Outcome::Canceled, Direction::Outbound),
            ("INCOMING_ANSWERED", Outcome::Answered, Direction::Inbound),
            ("INCOMING_BUSY", Outcome::Busy, Direction::Inbound),
            ("INCOMING_FAILED", Outcome::Failed, Direction::Inbound),
            ("INCOMING_MISSED", Outcome::Missed, Direction::Inbound),
            ("INCOMING_ABANDONED", Outcome::Missed, Direction::Inbound),
            ("INCOMING_VOICEMAIL", Outcome::Voicemail, Direction::Inbound),
        ];
        for (word, outcome, dir) in expected {
            assert_eq!(
                type_outcome(word, Direction::Unknown),
                (Some(*outcome), Some(*dir)),
                "{word}"
            );
        }
        // The word's direction fills a record that has none.
        let doc = json(
            r#"{"call_sid":"CA5","call_date":"2024-01-01","call_time":"1:00:00","call_info":{"type":"INCOMING_MISSED"}}"#,
        );
        let r = record(calls_of(&doc).remove(0));
        assert_eq!(
            (r.direction, r.outcome),
            (Direction::Inbound, Outcome::Missed)
        );
    }

    #[test]
    fn every_direction_word_and_unknown_words() {
        let mut ctx = lenient();
        let expected = [
            ("Incoming", Direction::Inbound),
            ("Outgoing", Direction::Outbound),
            ("inbound", Direction::Inbound),
            ("OUTBOUND", Direction::Outbound),
            ("1", Direction::Inbound),
            ("2", Direction::Outbound),
        ];
        for (word, dir) in expected {
            assert_eq!(direction_word(word, &mut ctx), dir, "{word}");
        }
        assert_eq!(DIRECTION_WORDS.len(), expected.len());
        assert!(ctx.unknown_words.is_empty());
        assert_eq!(direction_word("Sideways", &mut ctx), Direction::Unknown);
        let doc = json(
            r#"{"call_sid":"CA6","call_date":"2024-01-01","call_time":"1:00:00","call_info":{"direction":"Incoming","type":"Escalated"}}"#,
        );
        let items = parse(&doc, "$", &mut ctx);
        let r = record(calls(items).remove(0).0);
        assert_eq!(r.outcome, Outcome::Unknown);
        assert_eq!(r.raw_status.as_deref(), Some("Escalated"));
        assert_eq!(
            ctx.unknown_words,
            vec![(P, "Sideways".to_string()), (P, "Escalated".to_string())]
        );
    }

    #[test]
    fn every_event_type_has_its_precedence() {
        let order = [
            "call.initiated",
            "call.incoming",
            "call.answered",
            "call.completed",
            "call.updated",
            "jc.call_ai_generated",
        ];
        let prec = |t: &str| CALL_EVENTS.iter().find(|(k, _)| *k == t).unwrap().1;
        for pair in order.windows(2) {
            assert!(prec(pair[0]) < prec(pair[1]), "{pair:?}");
        }
        for t in ["call.enters_queue", "call.exits_queue"] {
            assert_eq!(prec(t), prec("call.incoming"));
        }
        for t in [
            "call.missed",
            "call.voicemail",
            "call.ai_voice_agent",
            "sd.call_completed",
        ] {
            assert_eq!(prec(t), prec("call.completed"));
        }
        assert_eq!(prec("sd.call_updated"), prec("call.updated"));
        assert_eq!(prec("sd.call_ai_generated"), prec("jc.call_ai_generated"));
        assert!(prec("call.completed") < REST_PRECEDENCE && REST_PRECEDENCE < prec("call.updated"));
        for (t, _) in CALL_EVENTS {
            let doc = json(&format!(
                r#"{{"url_id":"u","type":"{t}","data":{{"call_sid":"CA1"}}}}"#
            ));
            let (d, event) = calls(parse(&doc, "$", &mut lenient())).remove(0);
            assert!(event && d.precedence == prec(t), "{t}");
        }
        for t in NON_CALL_EVENTS {
            let doc = json(&format!(r#"{{"type":"{t}","data":{{}}}}"#));
            assert!(detect(&doc), "{t}");
            assert!(
                matches!(
                    parse(&doc, "$", &mut lenient())[0].kind,
                    ItemKind::NonCall { .. }
                ),
                "{t}"
            );
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
        survives_odd_values(&json(LIST), "/data/0");
        survives_odd_values(&json(LIST), "/data/0/call_info");
        survives_odd_values(&json(LIST), "/data/0/call_duration");
        survives_odd_values(&json(HOOKS)[2], "");
        survives_odd_values(&json(HOOKS)[2], "/data");
        survives_odd_values(&json(V1), "/data/0");
    }
}
