//! Twilio Programmable Voice: REST Call resources, status callbacks, recordings and Voice
//! Insights summaries (see the contract in [`crate::providers`], PROVIDERS.md section 2).
//!
//! # Reading (SPEC 7 and the decisions SPEC leaves open)
//!
//! - **Parent calls only.** A call with a `parent_call_sid` (REST) or `ParentCallSid`
//!   (callback) is a `<Dial>` leg. It becomes an event draft with the *parent's* id that
//!   contributes only what a parent record never has: an `extra["leg:{leg sid}"]` object (the
//!   leg's status, normalized outcome and direction, `from`/`to`, instants, talk, duration, cost,
//!   and the leg's other fields) and, when the leg connected to a person at a `client:` identity,
//!   the parent's `agent.id` (the identity without `client:`). Legs have the lowest precedence,
//!   so they never overwrite a parent value. When only legs of a call are in the input, the
//!   earliest leg stands in for the parent (its times, status, direction and parties become
//!   the call's; `extra.legStandsIn` names it). When `extra` is not kept (`keep_extra` off, as
//!   in every report), a leg keeps only what the stand-in reads, encoded in one string under
//!   the same key, and finished records have an empty `extra` as always.
//! - **Times and durations.** `started_at` = `start_time` (else `date_created`, for calls never
//!   dialed); `talk_s` = `duration` (connected time); `duration_s` = end - start; `wait_s` =
//!   `duration_s - talk_s`, only for answered calls and only when not negative (a negative
//!   difference is left to the `talkS` invariant check, never clamped). `queue_time` (ms before
//!   dialing) stays in `extra`: it is not ring time.
//! - **Cost.** Twilio writes charges as negative prices (`"-0.200"`); `cost` is the absolute
//!   value, in `price_unit` (kept in `extra`).
//! - **Outcome.** From the status word and the direction (tables below): `completed` is
//!   `answered`, or `voicemail` for an outbound call whose `answered_by` is a machine word
//!   (`machine_*`, the legacy `machine`) or `fax`; `no-answer` is [`Outcome::no_answer`];
//!   `queued`/`initiated`/`ringing`/`in-progress` are `active` with no ended reason, no end and
//!   no talk. The terminal status is the ended reason (`completed` -> other, `busy` -> busy,
//!   `no-answer` -> no-answer, `failed` -> error, `canceled` -> canceled). `answered_at` and
//!   `wait_s` are kept only on answered calls and on active calls that are in progress.
//! - **Numbers.** Inbound: customer = `from`, business = `to`; outbound: the reverse; with no
//!   known direction both stay in `extra` as `from` / `to`. `caller_name` is the customer's name
//!   on inbound calls only (Twilio fills it from CNAM lookups of incoming calls).
//! - **Status callbacks** (form bodies, [`parse_form`]) fold per `CallSid` in any order: the
//!   precedence is the lifecycle stage (queued/initiated < ringing < in-progress < terminal),
//!   then `SequenceNumber`. The `Timestamp` of a queued/initiated/ringing event is a start
//!   candidate (the earliest wins, see [`finalize`]), of the in-progress event `answered_at`, of
//!   a terminal event `ended_at`; `CallDuration` (terminal only) is `talk_s`. Every event's
//!   `Timestamp` is also kept as `extra["Timestamp.{CallStatus}"]`.
//! - **No start event.** When no queued/initiated/ringing event (and no REST record) of the
//!   call is known, the start is estimated as the earlier of `ended_at - CallDuration` (the
//!   moment the call connected, not when it began ringing: the ring time is lost) and the
//!   in-progress event's `answered_at`; `wait_s` then stays unknown (and `answered_at` too
//!   when only the terminal event is known), and `extra.started_at_estimated` names the source.
//!   With neither, the terminal `Timestamp` is the only instant known: it becomes
//!   `started_at`, and `ended_at` and the durations stay unknown rather than inventing a
//!   zero-length call.
//! - **Recordings** (resource JSON and status callbacks) are events of their call: they set
//!   `recording_url` (the canonical media address
//!   `https://api.twilio.com/2010-04-01/Accounts/{AC}/Recordings/{RE}` for the resource, or
//!   `RecordingUrl`) unless the status says there is no media (`absent`, `failed`, `deleted`),
//!   and keep the whole resource or the callback's parameters as `extra["recording:{RE}"]`.
//! - **`<Dial action>`** callbacks are events of the parent (`CallSid`); the `DialCall*`
//!   parameters become `extra["leg:{DialCallSid}"]` and `RecordingUrl` the recording.
//! - **Voice Insights** summaries are full records (`event: false`) of `twilio:{call_sid}` with
//!   a lower precedence than a REST record or a callback of the same lifecycle stage, so the REST
//!   call's status wins while Insights adds quality (first edge with metrics among carrier, sip,
//!   client, sdk: the worst jitter average and packet-loss percentage over both directions, the
//!   lowest MOS, the inbound codec) and `tags`. A later stage still wins, so a completed summary
//!   beats a stale in-progress REST snapshot. `duration` and `end_time` - `start_time` can
//!   disagree in Twilio's own samples; `duration_s` is end - start and `connect_duration` is
//!   talk. An `outbound_dial` summary is a child leg that does not name its parent: it is
//!   reported as a non-call rather than counted twice.
//! - **Event Streams** CloudEvents (`com.twilio.voice.*`): a status-callback event is read as
//!   the callback whose parameters it carries (`data.request.parameters`), an Insights
//!   call-summary event as its summary (`data`); other voice events are not calls.
//! - A resource of another kind (`sid` not `CA…`, e.g. a message in a list) is not a call.

use super::json::{Field, Node, as_text, child_path, keep_rest};
use super::{Item, ParseCtx};
use crate::model::buffers::{Buffers, slot};
use crate::model::{
    Agent, CallDraft, Direction, EndedReason, EndedReasonCategory, Outcome, Provider, Quality,
};
use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde_json::{Map, Value};
use std::borrow::Cow;

const P: Provider = Provider::Twilio;

/// A call's lifecycle state, whatever vocabulary (Call `status`, callback `CallStatus`,
/// `DialCallStatus`, Insights `call_state`) named it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallState {
    /// Queued or initiated, not yet ringing.
    Queued,
    /// Ringing.
    Ringing,
    /// Connected and going on.
    InProgress,
    /// Ended after connecting.
    Completed,
    /// Ended on a busy signal.
    Busy,
    /// Ended unanswered.
    NoAnswer,
    /// Ended in a failure.
    Failed,
    /// Canceled before it was answered (or never dialed).
    Canceled,
}

impl CallState {
    /// Lifecycle stage for folding: 1 queued, 2 ringing, 3 in progress, 4 terminal.
    pub fn stage(self) -> u64 {
        match self {
            CallState::Queued => 1,
            CallState::Ringing => 2,
            CallState::InProgress => 3,
            _ => 4,
        }
    }

    /// The ended-reason category of a terminal state; none while the call is going on.
    pub fn ended_category(self) -> Option<EndedReasonCategory> {
        match self {
            CallState::Queued | CallState::Ringing | CallState::InProgress => None,
            CallState::Completed => Some(EndedReasonCategory::Other),
            CallState::Busy => Some(EndedReasonCategory::Busy),
            CallState::NoAnswer => Some(EndedReasonCategory::NoAnswer),
            CallState::Failed => Some(EndedReasonCategory::Error),
            CallState::Canceled => Some(EndedReasonCategory::Canceled),
        }
    }

    /// The outcome (SPEC 2.1, 7) given the call's direction and who answered.
    pub fn outcome(self, direction: Direction, answered_by: Option<AnsweredBy>) -> Outcome {
        match self {
            CallState::Queued | CallState::Ringing | CallState::InProgress => Outcome::Active,
            CallState::Completed => {
                let machine = matches!(answered_by, Some(AnsweredBy::Machine | AnsweredBy::Fax));
                if machine && direction == Direction::Outbound {
                    Outcome::Voicemail
                } else {
                    Outcome::Answered
                }
            }
            CallState::Busy => Outcome::Busy,
            CallState::NoAnswer => Outcome::no_answer(direction),
            CallState::Failed => Outcome::Failed,
            CallState::Canceled => Outcome::Canceled,
        }
    }

    fn connected(self) -> bool {
        matches!(self, CallState::InProgress | CallState::Completed)
    }
}

/// Call resource `status` and status-callback `CallStatus` words.
pub const CALL_STATUS: &[(&str, CallState)] = &[
    ("queued", CallState::Queued),
    ("initiated", CallState::Queued),
    ("ringing", CallState::Ringing),
    ("in-progress", CallState::InProgress),
    ("completed", CallState::Completed),
    ("busy", CallState::Busy),
    ("no-answer", CallState::NoAnswer),
    ("failed", CallState::Failed),
    ("canceled", CallState::Canceled),
];

/// `<Dial action>` `DialCallStatus` words; the dial is over when they are sent, so `answered`
/// (connected) is a completed leg.
pub const DIAL_CALL_STATUS: &[(&str, CallState)] = &[
    ("completed", CallState::Completed),
    ("answered", CallState::Completed),
    ("busy", CallState::Busy),
    ("no-answer", CallState::NoAnswer),
    ("failed", CallState::Failed),
    ("canceled", CallState::Canceled),
];

/// Voice Insights `call_state` words (a different spelling from the Call resource). A summary
/// is written after the call, so `answered` is a completed call; `undialed` (never dialed) is
/// canceled.
pub const INSIGHTS_CALL_STATE: &[(&str, CallState)] = &[
    ("ringing", CallState::Ringing),
    ("completed", CallState::Completed),
    ("busy", CallState::Busy),
    ("fail", CallState::Failed),
    ("noanswer", CallState::NoAnswer),
    ("canceled", CallState::Canceled),
    ("answered", CallState::Completed),
    ("undialed", CallState::Canceled),
];

/// Direction words of the Call resource (hyphens) and of Insights `properties.direction`
/// (underscores). Elastic SIP Trunking: `originating` = from the PSTN into the business's
/// infrastructure (inbound), `terminating` = from it out to the PSTN (outbound).
pub const DIRECTIONS: &[(&str, Direction)] = &[
    ("inbound", Direction::Inbound),
    ("outbound-api", Direction::Outbound),
    ("outbound-dial", Direction::Outbound),
    ("trunking-originating", Direction::Inbound),
    ("trunking-terminating", Direction::Outbound),
    ("outbound_api", Direction::Outbound),
    ("outbound_dial", Direction::Outbound),
    ("trunking_originating", Direction::Inbound),
    ("trunking_terminating", Direction::Outbound),
];

/// Who answered, from answering-machine detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnsweredBy {
    /// A person.
    Human,
    /// An answering machine (any `machine_*` word, or the legacy `machine`).
    Machine,
    /// A fax machine.
    Fax,
    /// Detection could not tell.
    Unknown,
}

/// `answered_by` / `AnsweredBy` words.
pub const ANSWERED_BY: &[(&str, AnsweredBy)] = &[
    ("human", AnsweredBy::Human),
    ("machine", AnsweredBy::Machine),
    ("machine_start", AnsweredBy::Machine),
    ("machine_end_beep", AnsweredBy::Machine),
    ("machine_end_silence", AnsweredBy::Machine),
    ("machine_end_other", AnsweredBy::Machine),
    ("fax", AnsweredBy::Fax),
    ("unknown", AnsweredBy::Unknown),
];

fn lookup<T: Copy>(table: &[(&str, T)], word: &str) -> Option<T> {
    table.iter().find(|(w, _)| *w == word).map(|(_, v)| *v)
}

fn word<T: Copy>(table: &[(&str, T)], word: &str, ctx: &mut ParseCtx) -> Option<T> {
    let found = lookup(table, word);
    if found.is_none() {
        ctx.unknown_word(P, word);
    }
    found
}

/// Any status word of any Twilio vocabulary (they agree where they overlap).
fn any_state(word: &str) -> Option<CallState> {
    lookup(CALL_STATUS, word)
        .or_else(|| lookup(INSIGHTS_CALL_STATE, word))
        .or_else(|| lookup(DIAL_CALL_STATUS, word))
}

// Precedence = tier, then lifecycle stage, then source rank, then sequence number.
const TIER_UNIT: u64 = 1_000_000_000_000_000;
const STAGE_UNIT: u64 = 1_000_000_000_000;
const RANK_UNIT: u64 = 10_000_000_000;
const TIER_LEG: u64 = 0;
const TIER_RECORDING: u64 = 1;
const TIER_CALL: u64 = 2;
const RANK_INSIGHTS: u64 = 1;
const RANK_CALLBACK: u64 = 2;
const RANK_REST: u64 = 3;

fn precedence(tier: u64, stage: u64, rank: u64, seq: u64) -> u64 {
    tier * TIER_UNIT + stage * STAGE_UNIT + rank * RANK_UNIT + seq.min(RANK_UNIT - 1)
}

/// Whether a JSON document is a Twilio Call (or Call list page), Recording (or list), Voice
/// Insights summary (or list) or Voice Event Streams CloudEvent. A whole array document is
/// judged by its first object.
pub fn detect(value: &Value) -> bool {
    let Some(o) = value.as_object() else {
        return value
            .as_array()
            .and_then(|items| items.iter().find(|v| v.is_object()))
            .is_some_and(detect);
    };
    let text = |k: &str| o.get(k).and_then(Value::as_str);
    let sid_prefix = |v: &Value, prefix: &str| {
        v.get("sid")
            .and_then(Value::as_str)
            .is_some_and(|s| s.starts_with(prefix))
    };
    let api_uri = || {
        ["uri", "first_page_uri"]
            .iter()
            .any(|k| text(k).is_some_and(|u| u.contains("/2010-04-01/Accounts/")))
    };
    if let Some(calls) = o.get("calls").and_then(Value::as_array) {
        return calls.first().map_or_else(api_uri, |c| sid_prefix(c, "CA"));
    }
    if let Some(recs) = o.get("recordings").and_then(Value::as_array) {
        return recs.first().map_or_else(api_uri, |r| sid_prefix(r, "RE"));
    }
    if let Some(summaries) = o.get("call_summaries").and_then(Value::as_array) {
        return o.get("meta").is_some_and(Value::is_object)
            || summaries
                .first()
                .is_some_and(|s| s.get("call_sid").is_some());
    }
    if sid_prefix(value, "CA") && text("account_sid").is_some() {
        return true;
    }
    if event_stream_type(value).is_some() {
        return true;
    }
    if text("call_sid").is_some() && o.contains_key("call_state") {
        return true;
    }
    sid_prefix(value, "RE") && o.contains_key("call_sid")
}

/// Parse every item of a Twilio JSON document: the calls of a list page, the summaries of an
/// Insights list, the recordings of a recording list, one call / summary / recording / event,
/// or each element of a whole array document (`$[i]`).
pub fn parse(value: &Value, path: &str, ctx: &mut ParseCtx) -> Vec<Item> {
    if let Value::Array(items) = value {
        return items
            .iter()
            .enumerate()
            .flat_map(|(i, v)| parse(v, &format!("{path}[{i}]"), ctx))
            .collect();
    }
    let list = |key: &str| value.get(key).and_then(Value::as_array);
    let each = |items: &Vec<Value>,
                key: &str,
                ctx: &mut ParseCtx,
                f: fn(&Value, &str, &mut ParseCtx) -> Item| {
        items
            .iter()
            .enumerate()
            .map(|(i, v)| f(v, &format!("{path}.{key}[{i}]"), ctx))
            .collect()
    };
    if let Some(kind) = event_stream_type(value) {
        return vec![event_stream_item(value, kind, path, ctx)];
    }
    if let Some(calls) = list("calls") {
        return each(calls, "calls", ctx, call_item);
    }
    if let Some(summaries) = list("call_summaries") {
        return each(summaries, "call_summaries", ctx, insights_item);
    }
    if let Some(recordings) = list("recordings") {
        return each(recordings, "recordings", ctx, recording_item);
    }
    let sid = value.get("sid").and_then(Value::as_str).unwrap_or("");
    if sid.starts_with("RE") && value.get("call_sid").is_some() {
        return vec![recording_item(value, path, ctx)];
    }
    if value.get("call_state").is_some() && value.get("call_sid").is_some() {
        return vec![insights_item(value, path, ctx)];
    }
    if value.get("sid").is_some() {
        return vec![call_item(value, path, ctx)];
    }
    vec![ctx.reject(
        path,
        0,
        path,
        "not a Twilio call, call list, recording or Voice Insights summary",
    )]
}

/// One Call resource: a call of its own, or a leg folded into its parent.
fn call_item(value: &Value, path: &str, ctx: &mut ParseCtx) -> Item {
    let Some(obj) = value.as_object() else {
        return ctx.reject(path, 0, path, "a Twilio call must be a JSON object");
    };
    call_fields_item(&CallFields::of(value), Some(obj), path, ctx)
}

/// The fields of a Call resource that the mapping reads (`None`: the key is absent), from a
/// `Value` or from the typed fast lane ([`fast`]); [`call_fields_item`] maps them the same way
/// for both.
#[derive(Debug, Default)]
pub(crate) struct CallFields<'a> {
    pub sid: Option<Field<'a>>,
    pub parent_call_sid: Option<Field<'a>>,
    pub account_sid: Option<Field<'a>>,
    pub direction: Option<Field<'a>>,
    pub answered_by: Option<Field<'a>>,
    pub status: Option<Field<'a>>,
    pub start_time: Option<Field<'a>>,
    pub date_created: Option<Field<'a>>,
    pub end_time: Option<Field<'a>>,
    pub duration: Option<Field<'a>>,
    pub price: Option<Field<'a>>,
    pub from: Option<Field<'a>>,
    pub to: Option<Field<'a>>,
    pub caller_name: Option<Field<'a>>,
}

impl<'a> CallFields<'a> {
    fn of(value: &'a Value) -> Self {
        let get = |k: &str| Field::get(value, k);
        CallFields {
            sid: get("sid"),
            parent_call_sid: get("parent_call_sid"),
            account_sid: get("account_sid"),
            direction: get("direction"),
            answered_by: get("answered_by"),
            status: get("status"),
            start_time: get("start_time"),
            date_created: get("date_created"),
            end_time: get("end_time"),
            duration: get("duration"),
            price: get("price"),
            from: get("from"),
            to: get("to"),
            caller_name: get("caller_name"),
        }
    }
}

/// One Call resource from its fields. `obj` (the whole object) is needed only to keep the
/// unmapped fields when `ctx.keep_extra` is set; the fast lane never runs then.
pub(crate) fn call_fields_item(
    f: &CallFields<'_>,
    obj: Option<&Map<String, Value>>,
    path: &str,
    ctx: &mut ParseCtx,
) -> Item {
    let Some(sid) = f.sid.and_then(Field::text_ref) else {
        return ctx.reject(path, 0, child_path(path, "sid"), "no call sid");
    };
    if !sid.starts_with("CA") {
        return ctx.non_call(path, 0, format!("twilio resource {sid}, not a call"));
    }
    let (mut draft, facts) = rest_call(f, obj, path, &sid, ctx);
    let at = ctx.path(path);
    match f.parent_call_sid.and_then(Field::text_ref) {
        Some(parent) if parent != sid => {
            let leg = leg_contribution(&draft, &sid, &parent, &facts, !ctx.keep_extra);
            ctx.buffers.recycle_draft(&mut draft);
            ctx.finish(leg, at, 0, true)
        }
        _ => ctx.finish(draft, at, 0, false),
    }
}

/// What a leg contribution needs besides the leg's own draft.
#[derive(Debug, Default)]
struct LegFacts<'a> {
    from: Option<Cow<'a, str>>,
    to: Option<Cow<'a, str>>,
    state: Option<CallState>,
    answered_by: Option<AnsweredBy>,
    answered_by_word: Option<Cow<'a, str>>,
}

/// The mapping of one Call resource as a call of its own (SPEC 7).
fn rest_call<'f>(
    f: &CallFields<'f>,
    obj: Option<&Map<String, Value>>,
    path: &str,
    sid: &str,
    ctx: &mut ParseCtx,
) -> (CallDraft, LegFacts<'f>) {
    let at = |key| move || child_path(path, key);
    let mut d = CallDraft::new(P, ctx.buffers.text(slot::CALL_ID, sid));
    d.tenant = ctx.text(slot::TENANT, f.account_sid);
    d.direction = f
        .direction
        .and_then(Field::text_ref)
        .map(|w| word(DIRECTIONS, &w, ctx).unwrap_or(Direction::Unknown));
    let answered_by_word = f.answered_by.and_then(Field::text_ref);
    let answered_by = answered_by_word
        .as_deref()
        .and_then(|w| word(ANSWERED_BY, w, ctx));
    d.raw_status = ctx.text(slot::RAW_STATUS, f.status);
    let state = d
        .raw_status
        .as_deref()
        .and_then(|w| word(CALL_STATUS, w, ctx));
    apply_state_in(&mut d, state, answered_by, &mut ctx.buffers);
    d.started_at = ctx
        .instant_at(f.start_time, at("start_time"))
        .or_else(|| ctx.instant_at(f.date_created, at("date_created")));
    d.ended_at = ctx.instant_at(f.end_time, at("end_time"));
    d.talk_s = ctx.seconds_at(f.duration, at("duration"));
    d.cost = ctx.number_at(f.price, at("price")).map(f64::abs);
    let (from, to) = (
        f.from.and_then(Field::text_ref),
        f.to.and_then(Field::text_ref),
    );
    let inbound = d.direction == Some(Direction::Inbound);
    // (a lean report reads none of the parties, and none of them can give a warning)
    if !ctx.lean {
        set_numbers(
            &mut d,
            from.as_deref(),
            to.as_deref(),
            true,
            &mut ctx.buffers,
        );
        if inbound {
            d.customer_name = ctx.text(slot::CUSTOMER_NAME, f.caller_name);
        }
    }
    match obj {
        Some(obj) if ctx.keep_extra => {
            let mut used = vec![
                "sid",
                "account_sid",
                "direction",
                "status",
                "start_time",
                "end_time",
                "duration",
                "price",
                "from",
                "to",
            ];
            if inbound {
                used.push("caller_name");
            }
            keep_rest(obj, &used, &mut d.extra);
        }
        _ => {
            // `finalize` reads it back from `extra`; the other unmapped fields are not needed
            if let Some(w) = f.answered_by.filter(|v| !v.is_null()) {
                d.extra.insert("answered_by".into(), w.to_value());
            }
        }
    }
    d.precedence = precedence(TIER_CALL, state.map_or(0, CallState::stage), RANK_REST, 0);
    (
        d,
        LegFacts {
            from,
            to,
            state,
            answered_by,
            answered_by_word,
        },
    )
}

/// Outcome and ended reason from a state word already read into `raw_status`.
fn apply_state(d: &mut CallDraft, state: Option<CallState>, answered_by: Option<AnsweredBy>) {
    apply_state_in(d, state, answered_by, &mut Buffers::default());
}

/// [`apply_state`], the ended reason's word written into `buffers`.
fn apply_state_in(
    d: &mut CallDraft,
    state: Option<CallState>,
    answered_by: Option<AnsweredBy>,
    buffers: &mut Buffers,
) {
    match state {
        Some(st) => {
            d.outcome = Some(st.outcome(d.direction.unwrap_or(Direction::Unknown), answered_by));
            // the word of an ended reason already there is rewritten in its own string
            let old = d.ended_reason.take().map(|e| e.raw);
            d.ended_reason = st.ended_category().map(|category| {
                let mut raw = old.unwrap_or_else(|| buffers.take(slot::ENDED_RAW));
                raw.clear();
                raw.push_str(d.raw_status.as_deref().unwrap_or_default());
                EndedReason { category, raw }
            });
        }
        None if d.raw_status.is_some() => d.outcome = Some(Outcome::Unknown),
        None => {}
    }
}

/// Customer and business numbers from `from`/`to` by direction; with no direction they are
/// kept in `extra` (unless `keep_unplaced` is false because the source object is kept there).
fn set_numbers(
    d: &mut CallDraft,
    from: Option<&str>,
    to: Option<&str>,
    keep_unplaced: bool,
    buffers: &mut Buffers,
) {
    let mut norm =
        |n: Option<&str>, slot| n.and_then(|n| crate::phone::normalize_into(n, buffers.take(slot)));
    match d.direction {
        Some(Direction::Inbound) => {
            d.customer_number = norm(from, slot::CUSTOMER_NUMBER);
            d.business_number = norm(to, slot::BUSINESS_NUMBER);
        }
        Some(Direction::Outbound) => {
            d.customer_number = norm(to, slot::CUSTOMER_NUMBER);
            d.business_number = norm(from, slot::BUSINESS_NUMBER);
        }
        _ if keep_unplaced => {
            for (key, n) in [("from", from), ("to", to)] {
                if let Some(n) = n {
                    d.extra.insert(key.into(), Value::String(n.to_string()));
                }
            }
        }
        _ => {}
    }
}

fn rfc3339(t: DateTime<Utc>) -> Value {
    Value::String(t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

fn seconds_between(a: DateTime<Utc>, b: DateTime<Utc>) -> Option<f64> {
    (b - a).num_microseconds().map(|us| us as f64 / 1e6)
}

fn number_value(x: f64) -> Value {
    serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
}

/// The JSON summary of a `<Dial>` leg, as its parent's `extra["leg:{sid}"]` shows it: the
/// leg's own unmapped fields, then its sid, status, outcome, direction, parties, times, talk
/// time, duration and cost.
fn leg_summary(leg: &CallDraft, leg_sid: &str, facts: &LegFacts) -> Map<String, Value> {
    // room for the leg's fields below without growing the map
    let mut summary = Map::with_capacity(leg.extra.len() + 16);
    summary.extend(leg.extra.iter().map(|(k, v)| (k.clone(), v.clone())));
    let mut put = |k: &str, v: Option<Value>| {
        if let Some(v) = v {
            summary.insert(k.to_string(), v);
        }
    };
    put("sid", Some(Value::String(leg_sid.to_string())));
    put("status", leg.raw_status.clone().map(Value::String));
    put(
        "outcome",
        leg.outcome.map(|o| Value::String(o.as_str().into())),
    );
    put(
        "direction",
        leg.direction.map(|o| Value::String(o.as_str().into())),
    );
    put(
        "answered_by",
        facts
            .answered_by_word
            .as_deref()
            .map(|w| Value::String(w.to_owned())),
    );
    put(
        "from",
        facts
            .from
            .as_deref()
            .and_then(crate::phone::normalize)
            .map(Value::String),
    );
    put(
        "to",
        facts
            .to
            .as_deref()
            .and_then(crate::phone::normalize)
            .map(Value::String),
    );
    put("caller_name", leg.customer_name.clone().map(Value::String));
    put("started_at", leg.started_at.map(rfc3339));
    put("answered_at", leg.answered_at.map(rfc3339));
    put("ended_at", leg.ended_at.map(rfc3339));
    put("talk_s", leg.talk_s.map(number_value));
    let duration = match (leg.started_at, leg.ended_at) {
        (Some(s), Some(e)) => seconds_between(s, e),
        _ => None,
    };
    put("duration_s", duration.map(number_value));
    put("cost", leg.cost.map(number_value));
    summary
}

/// A `<Dial>` leg as an event of its parent: `extra["leg:{sid}"]` and, for a connected
/// `client:` identity, the parent's agent. Lowest precedence: it never overwrites the parent.
///
/// With `lean` (`keep_extra` off: no record will show `extra`), the leg is kept as the
/// [`LegView`] that [`stand_in_for_parent`] reads, encoded in one string, instead of the JSON
/// summary object: the same stand-in, without building, packing and unpacking a map of a
/// dozen values for every leg.
fn leg_contribution(
    leg: &CallDraft,
    leg_sid: &str,
    parent_sid: &str,
    facts: &LegFacts,
    lean: bool,
) -> CallDraft {
    let mut d = CallDraft::new(P, parent_sid);
    d.tenant = leg.tenant.clone();
    d.precedence = TIER_LEG * TIER_UNIT + leg.precedence % TIER_UNIT;
    let summary = if lean {
        Value::String(LegView::of(leg, leg_sid, facts).encode())
    } else {
        Value::Object(leg_summary(leg, leg_sid, facts))
    };
    d.extra.insert(format!("leg:{leg_sid}"), summary);
    let by_person = !matches!(
        facts.answered_by,
        Some(AnsweredBy::Machine | AnsweredBy::Fax)
    );
    if facts.state.is_some_and(CallState::connected) && by_person {
        if let Some(identity) = facts.to.as_deref().and_then(|t| t.strip_prefix("client:")) {
            d.agent = Some(Agent {
                id: Some(identity.to_string()),
                ..Agent::default()
            });
        }
    }
    d
}

/// One Voice Insights call summary.
fn insights_item(value: &Value, path: &str, ctx: &mut ParseCtx) -> Item {
    let node = Node::new(value, path);
    let Some(obj) = node.obj() else {
        return ctx.reject(
            path,
            0,
            path,
            "a Voice Insights summary must be a JSON object",
        );
    };
    let Some(sid) = node.string("call_sid") else {
        return ctx.reject(path, 0, node.path_of("call_sid"), "no call_sid");
    };
    let properties = value.get("properties");
    let direction_word = properties
        .and_then(|p| p.get("direction"))
        .and_then(as_text);
    if direction_word.as_deref() == Some("outbound_dial") {
        return ctx.non_call(
            path,
            0,
            "twilio insights summary of a <Dial> child leg (it does not name its parent call)",
        );
    }
    let mut d = CallDraft::new(P, &sid);
    d.tenant = node.string("account_sid");
    d.direction = direction_word.map(|w| word(DIRECTIONS, &w, ctx).unwrap_or(Direction::Unknown));
    let answered_by = node
        .string("answered_by")
        .and_then(|w| word(ANSWERED_BY, &w, ctx));
    d.raw_status = node.string("call_state");
    let state = d
        .raw_status
        .clone()
        .and_then(|w| word(INSIGHTS_CALL_STATE, &w, ctx));
    apply_state(&mut d, state, answered_by);
    d.started_at = ctx
        .instant(node.raw("start_time"), &node.path_of("start_time"))
        .or_else(|| ctx.instant(node.raw("created_time"), &node.path_of("created_time")));
    let mut used = vec![
        "call_sid",
        "account_sid",
        "call_state",
        "start_time",
        "tags",
    ];
    if d.outcome != Some(Outcome::Active) {
        d.ended_at = ctx.instant(node.raw("end_time"), &node.path_of("end_time"));
        d.talk_s = ctx.seconds(
            node.raw("connect_duration"),
            &node.path_of("connect_duration"),
        );
        used.extend(["end_time", "connect_duration"]);
    }
    let party = |side: &str, key: &str| value.get(side).and_then(|o| o.get(key)).and_then(as_text);
    let (from, to) = (party("from", "caller"), party("to", "callee"));
    set_numbers(
        &mut d,
        from.as_deref(),
        to.as_deref(),
        false,
        &mut ctx.buffers,
    );
    if let Some(tags) = value.get("tags").and_then(Value::as_array) {
        d.tags = tags.iter().filter_map(as_text).collect();
    }
    d.quality = edge_quality(value);
    keep_rest(obj, &used, &mut d.extra);
    d.precedence = precedence(
        TIER_CALL,
        state.map_or(0, CallState::stage),
        RANK_INSIGHTS,
        0,
    );
    ctx.finish(d, path, 0, false)
}

/// Quality from the first Insights edge that has metrics.
fn edge_quality(summary: &Value) -> Option<Quality> {
    let num = |v: Option<&Value>| v.and_then(Value::as_f64).filter(|x| x.is_finite());
    // A metric is either a number or an object with an `avg`.
    let avg = |m: &Value, key: &str| {
        num(m.get(key)).or_else(|| num(m.get(key).and_then(|o| o.get("avg"))))
    };
    for edge in ["carrier_edge", "sip_edge", "client_edge", "sdk_edge"] {
        let Some(metrics) = summary
            .get(edge)
            .and_then(|e| e.get("metrics"))
            .filter(|m| m.is_object())
        else {
            continue;
        };
        let mut q = Quality::default();
        for side in ["inbound", "outbound"] {
            let Some(m) = metrics.get(side) else { continue };
            let worse = |acc: Option<f64>, x: Option<f64>, pick: fn(f64, f64) -> f64| match (acc, x)
            {
                (Some(a), Some(b)) => Some(pick(a, b)),
                (a, b) => a.or(b),
            };
            q.jitter_ms = worse(q.jitter_ms, avg(m, "jitter"), f64::max);
            q.packet_loss = worse(
                q.packet_loss,
                num(m.get("packets_loss_percentage")),
                f64::max,
            );
            q.mos = worse(q.mos, avg(m, "mos"), f64::min);
            q.rtt_ms = worse(
                q.rtt_ms,
                avg(m, "rtt").or_else(|| avg(m, "latency")),
                f64::max,
            );
            if q.codec.is_none() {
                q.codec = m.get("codec_name").and_then(as_text);
            }
        }
        if !q.is_empty() {
            return Some(q);
        }
    }
    None
}

/// Recording statuses with no media to point at.
fn recording_has_media(status: Option<&str>) -> bool {
    !matches!(status, Some("absent" | "failed" | "deleted"))
}

/// One Recording resource: an event of its call.
fn recording_item(value: &Value, path: &str, ctx: &mut ParseCtx) -> Item {
    let node = Node::new(value, path);
    if node.obj().is_none() {
        return ctx.reject(path, 0, path, "a Twilio recording must be a JSON object");
    }
    let Some(call_sid) = node.string("call_sid") else {
        if node.string("conference_sid").is_some() {
            return ctx.non_call(path, 0, "twilio conference recording (no call_sid)");
        }
        return ctx.reject(
            path,
            0,
            node.path_of("call_sid"),
            "recording names no call_sid",
        );
    };
    let rec_sid = node.string("sid").unwrap_or_else(|| "unknown".to_string());
    let mut d = CallDraft::new(P, &call_sid);
    d.tenant = node.string("account_sid");
    let status = node.string("status");
    d.precedence = precedence(TIER_RECORDING, recording_stage(status.as_deref()), 0, 0);
    if recording_has_media(status.as_deref()) {
        d.recording_url = node.string("media_url").or_else(|| match &d.tenant {
            Some(ac) if rec_sid.starts_with("RE") => Some(format!(
                "https://api.twilio.com/2010-04-01/Accounts/{ac}/Recordings/{rec_sid}"
            )),
            _ => node.string("uri").map(|u| {
                format!(
                    "https://api.twilio.com{}",
                    u.strip_suffix(".json").unwrap_or(&u)
                )
            }),
        });
    }
    d.extra
        .insert(format!("recording:{rec_sid}"), value.clone());
    ctx.finish(d, path, 0, true)
}

/// Recording progress for folding two reports of one recording: going on < finished.
fn recording_stage(status: Option<&str>) -> u64 {
    match status {
        Some("completed" | "absent" | "failed" | "deleted") => 2,
        Some(_) => 1,
        None => 0,
    }
}

/// Parse one status-callback / voice-webhook form body (already decoded into pairs).
///
/// Paths in warnings and rejections are the parameter names (`CallStatus`). A repeated
/// parameter keeps its first value.
pub fn parse_form(pairs: &[(String, String)], ctx: &mut ParseCtx) -> Item {
    let mut params = Map::new();
    for (k, v) in pairs {
        params
            .entry(k.clone())
            .or_insert_with(|| Value::String(v.clone()));
    }
    form_item(&params, "$", ctx)
}

/// One set of webhook parameters (a form body, or an Event Streams `request.parameters`).
fn form_item(params: &Map<String, Value>, path: &str, ctx: &mut ParseCtx) -> Item {
    let get = |k: &str| params.get(k).and_then(as_text);
    let Some(call_sid) = get("CallSid") else {
        if get("MessageSid").is_some() || get("SmsSid").is_some() {
            return ctx.non_call(path, 0, "twilio messaging webhook");
        }
        return ctx.reject(path, 0, "CallSid", "no CallSid: not a Twilio voice webhook");
    };
    if get("RecordingSid").is_some() && get("CallStatus").is_none() {
        return recording_callback(params, &call_sid, path, ctx);
    }
    let (draft, facts) = callback_call(params, &call_sid, ctx);
    match get("ParentCallSid") {
        Some(parent) if parent != call_sid => {
            let leg = leg_contribution(&draft, &call_sid, &parent, &facts, !ctx.keep_extra);
            ctx.finish(leg, path, 0, true)
        }
        _ => ctx.finish(draft, path, 0, true),
    }
}

/// The `type` of a Twilio Voice Event Streams CloudEvent.
fn event_stream_type(value: &Value) -> Option<&str> {
    value.get("specversion")?;
    value
        .get("type")?
        .as_str()
        .filter(|t| t.starts_with("com.twilio.voice."))
}

/// An Event Streams CloudEvent: a status callback's parameters (`data.request.parameters`),
/// or a Voice Insights call summary (`data`); other voice events (metrics, gateway events,
/// notices without parameters) are not calls.
fn event_stream_item(value: &Value, kind: &str, path: &str, ctx: &mut ParseCtx) -> Item {
    let data_path = format!("{path}.data");
    let Some(data) = value.get("data").filter(|d| d.is_object()) else {
        return ctx.reject(path, 0, data_path, "event has no data object");
    };
    if kind.starts_with("com.twilio.voice.insights.call-summary") {
        return insights_item(data, &data_path, ctx);
    }
    let params = data
        .get("request")
        .and_then(|r| r.get("parameters"))
        .and_then(Value::as_object);
    match params {
        Some(params) => {
            let params: Map<String, Value> = params
                .iter()
                .filter_map(|(k, v)| as_text(v).map(|t| (k.clone(), Value::String(t))))
                .collect();
            form_item(&params, path, ctx)
        }
        None => ctx.non_call(path, 0, format!("twilio event {kind}")),
    }
}

/// A status callback (or voice webhook, or `<Dial action>` request) as an event of `CallSid`.
fn callback_call(
    params: &Map<String, Value>,
    call_sid: &str,
    ctx: &mut ParseCtx,
) -> (CallDraft, LegFacts<'static>) {
    let get = |k: &str| params.get(k).and_then(as_text);
    let mut d = CallDraft::new(P, call_sid);
    d.tenant = get("AccountSid");
    d.direction = get("Direction").map(|w| word(DIRECTIONS, &w, ctx).unwrap_or(Direction::Unknown));
    let answered_by_word = get("AnsweredBy");
    let answered_by = answered_by_word
        .as_deref()
        .and_then(|w| word(ANSWERED_BY, w, ctx));
    d.raw_status = get("CallStatus");
    let state = d
        .raw_status
        .clone()
        .and_then(|w| word(CALL_STATUS, &w, ctx));
    apply_state(&mut d, state, answered_by);
    let seq = ctx
        .number(params.get("SequenceNumber"), "SequenceNumber")
        .filter(|x| *x >= 0.0)
        .map_or(0, |x| x.min(1e15) as u64);
    let mut used = vec![
        "CallSid",
        "AccountSid",
        "Direction",
        "CallStatus",
        "From",
        "To",
    ];
    let stage = state.map_or(0, CallState::stage);
    if let (Some(st), Some(raw_ts)) = (state, get("Timestamp")) {
        let t = ctx.instant(params.get("Timestamp"), "Timestamp");
        match st.stage() {
            1 | 2 => d.started_at = t,
            3 => d.answered_at = t,
            _ => d.ended_at = t,
        }
        let status_word = d.raw_status.clone().unwrap_or_default();
        d.extra
            .insert(format!("Timestamp.{status_word}"), Value::String(raw_ts));
        used.push("Timestamp");
    }
    if state.is_some_and(|s| s.stage() == 4) {
        d.talk_s = ctx.seconds(params.get("CallDuration"), "CallDuration");
        used.push("CallDuration");
    }
    let (from, to) = (get("From"), get("To"));
    set_numbers(
        &mut d,
        from.as_deref(),
        to.as_deref(),
        true,
        &mut ctx.buffers,
    );
    if d.direction == Some(Direction::Inbound) {
        d.customer_name = get("CallerName");
        used.push("CallerName");
    }
    if let Some(url) = get("RecordingUrl") {
        d.recording_url = Some(url);
        used.push("RecordingUrl");
    }
    if let Some(dial_status) = get("DialCallStatus") {
        let leg_sid = get("DialCallSid").unwrap_or_else(|| "dial".to_string());
        let dial_state = word(DIAL_CALL_STATUS, &dial_status, ctx);
        let mut leg = Map::new();
        leg.insert("sid".into(), Value::String(leg_sid.clone()));
        leg.insert("status".into(), Value::String(dial_status));
        if let Some(st) = dial_state {
            // The dialed leg is an outbound call from Twilio.
            leg.insert(
                "outcome".into(),
                Value::String(st.outcome(Direction::Outbound, None).as_str().into()),
            );
        }
        if let Some(talk) = ctx.seconds(params.get("DialCallDuration"), "DialCallDuration") {
            leg.insert("talk_s".into(), number_value(talk));
        }
        if let Some(bridged) = get("DialBridged") {
            leg.insert("bridged".into(), Value::String(bridged));
        }
        d.extra.insert(format!("leg:{leg_sid}"), Value::Object(leg));
        used.extend([
            "DialCallStatus",
            "DialCallSid",
            "DialCallDuration",
            "DialBridged",
        ]);
    }
    keep_rest(params, &used, &mut d.extra);
    d.precedence = precedence(TIER_CALL, stage, RANK_CALLBACK, seq);
    (
        d,
        LegFacts {
            from: from.map(Cow::Owned),
            to: to.map(Cow::Owned),
            state,
            answered_by,
            answered_by_word: answered_by_word.map(Cow::Owned),
        },
    )
}

/// A recording status callback: an event of `CallSid` (always the parent leg).
fn recording_callback(
    params: &Map<String, Value>,
    call_sid: &str,
    path: &str,
    ctx: &mut ParseCtx,
) -> Item {
    let get = |k: &str| params.get(k).and_then(as_text);
    let mut d = CallDraft::new(P, call_sid);
    d.tenant = get("AccountSid");
    let status = get("RecordingStatus");
    d.precedence = precedence(TIER_RECORDING, recording_stage(status.as_deref()), 0, 0);
    // Checked so that a bad value is reported; the text itself is kept as sent.
    let _ = ctx.seconds(params.get("RecordingDuration"), "RecordingDuration");
    if recording_has_media(status.as_deref()) {
        d.recording_url = get("RecordingUrl");
    }
    let rec_sid = get("RecordingSid").unwrap_or_else(|| "unknown".to_string());
    let mut rest = Map::new();
    keep_rest(params, &["CallSid", "AccountSid"], &mut rest);
    d.extra
        .insert(format!("recording:{rec_sid}"), Value::Object(rest));
    ctx.finish(d, path, 0, true)
}

/// Derivations on a folded Twilio draft (see the module doc), before it becomes a record:
/// the earliest start event, the outcome from the folded status, direction and `answered_by`,
/// the terminal-callback-only start estimate, and `wait_s` = `duration_s - talk_s`.
pub fn finalize(draft: &mut CallDraft) {
    if draft.provider != Some(P) {
        return;
    }
    for key in [
        "Timestamp.queued",
        "Timestamp.initiated",
        "Timestamp.ringing",
    ] {
        let t = draft
            .extra
            .get(key)
            .and_then(Value::as_str)
            .and_then(|s| crate::time::parse_instant(s, Tz::UTC));
        if let Some(t) = t {
            draft.started_at = Some(draft.started_at.map_or(t, |s| s.min(t)));
        }
    }
    if let Some(state) = draft.raw_status.as_deref().and_then(any_state) {
        let answered_by = ["answered_by", "AnsweredBy"]
            .iter()
            .find_map(|k| draft.extra.get(*k).and_then(Value::as_str))
            .and_then(|w| lookup(ANSWERED_BY, w));
        apply_state(draft, Some(state), answered_by);
    }
    if draft.outcome == Some(Outcome::Active) {
        draft.ended_at = None;
        draft.talk_s = None;
        draft.duration_s = None;
        draft.wait_s = None;
    }
    let estimated = draft.started_at.is_none();
    if estimated {
        estimate_start(draft);
    }
    if draft.started_at.is_none() {
        stand_in_for_parent(draft);
    }
    match draft.outcome {
        Some(Outcome::Answered) => {
            if !estimated && draft.wait_s.is_none() && draft.answered_at.is_none() {
                if let (Some(s), Some(e), Some(talk)) =
                    (draft.started_at, draft.ended_at, draft.talk_s)
                {
                    draft.wait_s = seconds_between(s, e)
                        .map(|total| total - talk)
                        .filter(|w| *w >= 0.0);
                }
            }
        }
        Some(Outcome::Active) => {}
        _ => {
            draft.answered_at = None;
            draft.wait_s = None;
        }
    }
}

/// Only child legs of this call are in the input (the parent was not exported or not sent):
/// the earliest leg stands in for the call, so that the call is counted rather than rejected.
/// Its times, status, direction and parties become the call's; `extra.legStandsIn` names it.
fn stand_in_for_parent(draft: &mut CallDraft) {
    let leg = draft
        .extra
        .iter()
        .filter(|(k, _)| k.starts_with("leg:"))
        .filter_map(|(_, v)| LegView::of_value(v))
        .filter_map(|leg| Some((leg.started_at?, leg)))
        .min_by(|a, b| (a.0, a.1.sid.as_deref()).cmp(&(b.0, b.1.sid.as_deref())));
    let Some((start, leg)) = leg else {
        return;
    };
    draft.started_at = Some(start);
    draft.answered_at = draft.answered_at.or(leg.answered_at);
    draft.ended_at = draft.ended_at.or(leg.ended_at);
    draft.talk_s = draft.talk_s.or(leg.talk_s);
    draft.cost = draft.cost.or(leg.cost);
    if draft.raw_status.is_none() {
        draft.raw_status = leg.status;
        draft.outcome = leg.outcome;
    }
    if draft.direction.is_none() {
        draft.direction = leg.direction;
    }
    let (customer, business) = match draft.direction {
        Some(Direction::Inbound) => (leg.from, leg.to),
        _ => (leg.to, leg.from),
    };
    draft.customer_number = draft.customer_number.take().or(customer);
    draft.business_number = draft.business_number.take().or(business);
    if let Some(sid) = leg.sid {
        draft.extra.insert("legStandsIn".into(), Value::String(sid));
    }
    if let Some(state) = draft.raw_status.as_deref().and_then(any_state) {
        if draft.ended_reason.is_none() {
            draft.ended_reason = state.ended_category().map(|category| EndedReason {
                category,
                raw: draft.raw_status.clone().unwrap_or_default(),
            });
        }
    }
}

/// What [`stand_in_for_parent`] reads of a leg: from its JSON summary ([`leg_summary`]:
/// texts, RFC 3339 instants, JSON numbers) or, for a report, straight from the leg
/// ([`LegView::of`], kept as [`LegView::encode`] gives it). Both give the same view of a leg.
#[derive(Clone, Debug, Default, PartialEq)]
struct LegView {
    sid: Option<String>,
    status: Option<String>,
    outcome: Option<Outcome>,
    direction: Option<Direction>,
    from: Option<String>,
    to: Option<String>,
    started_at: Option<DateTime<Utc>>,
    answered_at: Option<DateTime<Utc>>,
    ended_at: Option<DateTime<Utc>>,
    talk_s: Option<f64>,
    cost: Option<f64>,
}

/// [`LegView`] as encoded: instants as (seconds, nanoseconds) and numbers as their bits, so
/// that decoding gives back the same values.
type Encoded = (
    [Option<String>; 6],
    [Option<(i64, u32)>; 3],
    [Option<u64>; 2],
);

impl LegView {
    /// The view of a leg's JSON summary (an object) or of its encoded view (a string).
    fn of_value(v: &Value) -> Option<LegView> {
        match v {
            Value::Object(summary) => Some(LegView::read(summary)),
            Value::String(text) => LegView::decode(text),
            _ => None,
        }
    }

    /// What a leg's JSON summary says.
    fn read(summary: &Map<String, Value>) -> LegView {
        let text = |k: &str| summary.get(k).and_then(Value::as_str).map(str::to_string);
        let instant = |k: &str| {
            summary
                .get(k)
                .and_then(Value::as_str)
                .and_then(|s| crate::time::parse_instant(s, Tz::UTC))
        };
        let number = |k: &str| summary.get(k).and_then(Value::as_f64);
        LegView {
            sid: text("sid"),
            status: text("status"),
            outcome: text("outcome").and_then(|o| o.parse().ok()),
            direction: text("direction").and_then(|d| d.parse().ok()),
            from: text("from"),
            to: text("to"),
            started_at: instant("started_at"),
            answered_at: instant("answered_at"),
            ended_at: instant("ended_at"),
            talk_s: number("talk_s"),
            cost: number("cost"),
        }
    }

    /// What [`LegView::read`] reads of [`leg_summary`]'s summary of the leg, without building
    /// it: each of the summary's own values where the leg has one, else the leg's `extra`
    /// value of that key.
    fn of(leg: &CallDraft, leg_sid: &str, facts: &LegFacts) -> LegView {
        let extra = |k: &str| leg.extra.get(k);
        let text = |own: Option<String>, k: &str| {
            own.or_else(|| extra(k).and_then(Value::as_str).map(str::to_string))
        };
        fn word<T: std::str::FromStr>(own: Option<&str>, other: Option<&Value>) -> Option<T> {
            own.or_else(|| other.and_then(Value::as_str))
                .and_then(|w| w.parse().ok())
        }
        let phone = |own: Option<&str>, k: &str| text(own.and_then(crate::phone::normalize), k);
        let instant = |own: Option<DateTime<Utc>>, k: &str| match own {
            Some(t) => as_reread(t),
            None => extra(k)
                .and_then(Value::as_str)
                .and_then(|s| crate::time::parse_instant(s, Tz::UTC)),
        };
        // `number_value` writes a non-finite number as null, which reads as none
        let number = |own: Option<f64>, k: &str| match own {
            Some(x) => x.is_finite().then_some(x),
            None => extra(k).and_then(Value::as_f64),
        };
        LegView {
            sid: Some(leg_sid.to_string()),
            status: text(leg.raw_status.clone(), "status"),
            outcome: word(leg.outcome.map(Outcome::as_str), extra("outcome")),
            direction: word(leg.direction.map(Direction::as_str), extra("direction")),
            from: phone(facts.from.as_deref(), "from"),
            to: phone(facts.to.as_deref(), "to"),
            started_at: instant(leg.started_at, "started_at"),
            answered_at: instant(leg.answered_at, "answered_at"),
            ended_at: instant(leg.ended_at, "ended_at"),
            talk_s: number(leg.talk_s, "talk_s"),
            cost: number(leg.cost, "cost"),
        }
    }

    /// The view in one string (JSON of [`Encoded`]).
    fn encode(&self) -> String {
        let when =
            |t: Option<DateTime<Utc>>| t.map(|t| (t.timestamp(), t.timestamp_subsec_nanos()));
        let encoded: Encoded = (
            [
                self.sid.clone(),
                self.status.clone(),
                self.outcome.map(|o| o.as_str().to_string()),
                self.direction.map(|d| d.as_str().to_string()),
                self.from.clone(),
                self.to.clone(),
            ],
            [
                when(self.started_at),
                when(self.answered_at),
                when(self.ended_at),
            ],
            [self.talk_s.map(f64::to_bits), self.cost.map(f64::to_bits)],
        );
        serde_json::to_string(&encoded).unwrap_or_default()
    }

    /// The view [`LegView::encode`] gave `text` (`None` for any other string).
    fn decode(text: &str) -> Option<LegView> {
        let ([sid, status, outcome, direction, from, to], times, [talk, cost]): Encoded =
            serde_json::from_str(text).ok()?;
        let [started_at, answered_at, ended_at] =
            times.map(|t| t.and_then(|(s, n)| DateTime::from_timestamp(s, n)));
        Some(LegView {
            sid,
            status,
            outcome: outcome.and_then(|o| o.parse().ok()),
            direction: direction.and_then(|d| d.parse().ok()),
            from,
            to,
            started_at,
            answered_at,
            ended_at,
            talk_s: talk.map(f64::from_bits),
            cost: cost.map(f64::from_bits),
        })
    }
}

/// `t` as read back from its RFC 3339 text in a leg's JSON summary: itself for years 1 to
/// 9999 outside a leap second (the text round-trips; a property test checks it), else
/// written and read back.
fn as_reread(t: DateTime<Utc>) -> Option<DateTime<Utc>> {
    use chrono::Datelike;
    if (1..=9999).contains(&t.year()) && t.timestamp_subsec_nanos() < 1_000_000_000 {
        return Some(t);
    }
    rfc3339(t)
        .as_str()
        .and_then(|s| crate::time::parse_instant(s, Tz::UTC))
}

/// No start event is known: the earliest of `ended_at - CallDuration` (when the call
/// connected) and `answered_at`; failing both, the terminal `Timestamp` alone becomes the start
/// and the end is left unknown. `extra.started_at_estimated` names the source.
fn estimate_start(draft: &mut CallDraft) {
    let talk = draft
        .talk_s
        .filter(|t| t.is_finite() && *t >= 0.0 && *t < 1e9);
    let connected = match (draft.ended_at, talk) {
        (Some(end), Some(talk)) => {
            end.checked_sub_signed(chrono::Duration::microseconds((talk * 1e6).round() as i64))
        }
        _ => None,
    };
    let (start, source) = match (connected, draft.answered_at) {
        (Some(c), Some(a)) if a < c => (Some(a), "answered_at"),
        (Some(c), _) => (Some(c), "ended_at - CallDuration"),
        (None, Some(a)) => (Some(a), "answered_at"),
        (None, None) => match draft.ended_at.take() {
            Some(end) => (
                Some(end),
                "the terminal Timestamp (no earlier event, no CallDuration)",
            ),
            None => (None, ""),
        },
    };
    if let Some(start) = start {
        draft.started_at = Some(start);
        draft
            .extra
            .insert("started_at_estimated".into(), Value::String(source.into()));
    }
}

pub(crate) mod fast;

#[cfg(test)]
mod tests;
