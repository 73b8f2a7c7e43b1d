//! Retell AI: call objects (`GET /v2/get-call`), v2 and v3 lists and webhooks (PROVIDERS.md
//! section 5, SPEC 7).
//!
//! Shapes read: a call object (`call_id`, `agent_id`, `call_status`, ...); the v3 list page
//! `{items: [...], has_more, pagination_key}` (the v2 list is a bare array, whose elements
//! reach [`parse`] one at a time); webhooks `{event, call: {...}, event_timestamp?}` for
//! `call_started`, `call_ended`, `call_analyzed`, `transcript_updated` and the `transfer_*`
//! events. Chat events (`chat_*`) are non-call items.
//!
//! Decisions the SPEC leaves open:
//! - **Times.** `started_at` = `start_timestamp`, `ended_at` = `end_timestamp` (epoch ms);
//!   `duration_s` = end - start (derived); `talk_s` = `duration_ms` / 1000. Retell gives no
//!   answer instant, so `answered_at` and `wait_s` stay empty.
//! - **Precedence** = 10 x status stage (`registered` 1, `ongoing` 2, `ended`/`not_connected`/
//!   `error` 3) + event stage (`call_started` 1, `transcript_updated` 2, `transfer_started` 3,
//!   `transfer_bridged`/`transfer_cancelled` 4, `transfer_ended` 5, `call_ended` 6, a REST
//!   record 7, `call_analyzed` 8). A later stage overlays an earlier one whatever the
//!   arrival order; a REST read of an ongoing call never hides a `call_ended` webhook.
//! - **Outcome** from `call_status`, the ended-reason category and `call_analysis.in_voicemail`:
//!   `registered`/`ongoing` active; `error` failed; voicemail when `in_voicemail` is true or the
//!   reason is `voicemail_reached`; then by category: busy -> busy, no-answer ->
//!   [`Outcome::no_answer`] by direction; a `not_connected` call is canceled for a canceled
//!   reason, failed for an error reason and a no-answer otherwise; an `ended` call (it
//!   connected) is answered, except failed/canceled when an error/canceled reason ends it with
//!   no talk time (`duration_ms` 0). No `call_status`: read as `ended` when there is an end
//!   instant, else the outcome is left unknown.
//! - **Ended reason** from `disconnection_reason` by `REASONS` (every value PROVIDERS.md 5.1
//!   lists). Judgment calls: `ivr_reached`, `scam_detected`, `transfer_cancelled` -> other;
//!   `registered_call_timeout` -> canceled (the system dropped a call that never started);
//!   `marked_as_spam`, `concurrency_limit_reached`, `no_concurrency_fallback`,
//!   `no_valid_payment`, dial and telephony failures -> error. A word the table lacks is
//!   `error` when it starts with `error_`, else `other`, and is counted as unknown vocabulary.
//! - **Transfers.** `call_transfer`, `transfer_bridged` and `call_take_over` reasons, and the
//!   `transfer_bridged`/`transfer_ended` events, mark one transfer to `transfer_destination`;
//!   [`finalize`] keeps one transfer per call (a Retell call hands off once).
//! - Direction: `inbound`/`outbound`; a `web_call` (and a phone call without a direction) is
//!   `unknown`, with no numbers mapped. Inbound: customer = `from_number`, business =
//!   `to_number`; outbound the reverse; unmapped numbers stay in `extra`.
//! - assistant = `agent_name`, else `agent_id`; summary = `call_analysis.call_summary`; intent
//!   = `call_analysis.custom_analysis_data.intent` when it is text; transcript from
//!   `transcript_object` (role `agent` -> `assistant`, `user` -> `customer`, other roles kept),
//!   else from the `transcript` text (`Agent:`/`User:` lines); cost =
//!   `call_cost.combined_cost` / 100 (Retell reports cents; the record holds USD). Sentiment,
//!   success and the rest of `call_analysis`, `call_cost`, latency, metadata, dynamic
//!   variables and every other field go to `extra`; a webhook's envelope to `extra.webhook`.
//!   No field names the workspace: `tenant` is empty.

use super::json::{Node, as_text, keep_rest};
use super::{Item, ParseCtx};
use crate::model::{
    CallDraft, Direction, EndedReason, EndedReasonCategory as Cat, Outcome, Provider,
    TranscriptTurn, Transfer,
};
use serde_json::{Map, Value};

const P: Provider = Provider::Retell;

/// Event stage of a REST record.
const REST_STAGE: u64 = 7;

/// `disconnection_reason` -> ended-reason category.
const REASONS: &[(&str, Cat)] = &[
    ("user_hangup", Cat::CustomerEnded),
    ("agent_hangup", Cat::AgentEnded),
    ("call_transfer", Cat::Transferred),
    ("voicemail_reached", Cat::Voicemail),
    ("ivr_reached", Cat::Other),
    ("inactivity", Cat::SilenceTimeout),
    ("max_duration_reached", Cat::MaxDuration),
    ("concurrency_limit_reached", Cat::Error),
    ("no_concurrency_fallback", Cat::Error),
    ("no_valid_payment", Cat::Error),
    ("scam_detected", Cat::Other),
    ("dial_busy", Cat::Busy),
    ("dial_failed", Cat::Error),
    ("dial_no_answer", Cat::NoAnswer),
    ("invalid_destination", Cat::Error),
    ("telephony_provider_permission_denied", Cat::Error),
    ("telephony_provider_unavailable", Cat::Error),
    ("sip_routing_error", Cat::Error),
    ("marked_as_spam", Cat::Error),
    ("user_declined", Cat::NoAnswer),
    ("error_llm_websocket_open", Cat::Error),
    ("error_llm_websocket_lost_connection", Cat::Error),
    ("error_llm_websocket_runtime", Cat::Error),
    ("error_llm_websocket_corrupt_payload", Cat::Error),
    ("error_no_audio_received", Cat::Error),
    ("error_asr", Cat::Error),
    ("error_retell", Cat::Error),
    ("error_unknown", Cat::Error),
    ("error_user_not_joined", Cat::Error),
    ("registered_call_timeout", Cat::Canceled),
    ("transfer_bridged", Cat::Transferred),
    ("transfer_cancelled", Cat::Other),
    ("manual_stopped", Cat::Canceled),
    ("call_take_over", Cat::Transferred),
];

/// `call_status` words and their stage.
const STATUSES: &[(&str, u64)] = &[
    ("registered", 1),
    ("ongoing", 2),
    ("ended", 3),
    ("not_connected", 3),
    ("error", 3),
];

/// Webhook events and their stage.
const EVENTS: &[(&str, u64)] = &[
    ("call_started", 1),
    ("transcript_updated", 2),
    ("transfer_started", 3),
    ("transfer_bridged", 4),
    ("transfer_cancelled", 4),
    ("transfer_ended", 5),
    ("call_ended", 6),
    ("call_analyzed", 8),
];

/// Whether a JSON document (an object, or an array judged by its first object) has Retell's shape.
pub fn detect(value: &Value) -> bool {
    let Some(obj) = value.as_object() else {
        // A whole array document (a v2-style bare list): judged by its first object.
        return value
            .as_array()
            .and_then(|items| items.iter().find(|v| v.is_object()))
            .is_some_and(detect);
    };
    if let Some(event) = obj.get("event").and_then(Value::as_str) {
        return obj
            .get("call")
            .and_then(Value::as_object)
            .is_some_and(is_call)
            || (event.starts_with("chat_")
                && obj.get("chat").is_some_and(|c| c.get("chat_id").is_some()));
    }
    if let Some(items) = obj.get("items").and_then(Value::as_array) {
        return match items.first() {
            Some(first) => first.as_object().is_some_and(is_call),
            None => obj.contains_key("has_more") || obj.contains_key("pagination_key"),
        };
    }
    is_call(obj)
}

fn is_call(obj: &Map<String, Value>) -> bool {
    obj.get("call_id").is_some_and(Value::is_string)
        && ["agent_id", "call_status", "call_type", "start_timestamp"]
            .iter()
            .any(|k| obj.contains_key(*k))
}

/// Parse every item of a JSON document.
pub fn parse(value: &Value, path: &str, ctx: &mut ParseCtx) -> Vec<Item> {
    match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .flat_map(|(i, v)| parse(v, &format!("{path}[{i}]"), ctx))
            .collect(),
        Value::Object(obj) => {
            if let Some(event) = obj.get("event").and_then(Value::as_str) {
                return vec![webhook(obj, event, path, ctx)];
            }
            if let Some(items) = obj.get("items").and_then(Value::as_array) {
                return items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| call(v, &format!("{path}.items[{i}]"), ctx, None))
                    .collect();
            }
            vec![call(value, path, ctx, None)]
        }
        _ => vec![ctx.reject(path, 0, path, "not a JSON object")],
    }
}

/// Keep one transfer per call, the one that names a destination if any.
pub fn finalize(draft: &mut CallDraft) {
    if draft.transfers.len() > 1 {
        let keep = draft
            .transfers
            .iter()
            .position(|t| t.to_queue.is_some())
            .unwrap_or(0);
        let one = draft.transfers.swap_remove(keep);
        draft.transfers = vec![one];
    }
}

fn webhook(obj: &Map<String, Value>, event: &str, path: &str, ctx: &mut ParseCtx) -> Item {
    if event.starts_with("chat_") {
        return ctx.non_call(path, 0, format!("retell {event} event"));
    }
    let stage = match EVENTS.iter().find(|(e, _)| *e == event) {
        Some((_, s)) => *s,
        None => {
            ctx.unknown_word(P, event);
            0
        }
    };
    let call_path = format!("{path}.call");
    let Some(call_value) = obj.get("call").filter(|c| c.is_object()) else {
        return ctx.reject(
            path,
            0,
            call_path,
            format!("{event} event without a call object"),
        );
    };
    let mut envelope = Map::new();
    keep_rest(obj, &["call"], &mut envelope);
    let mut item = call(call_value, &call_path, ctx, Some((event, stage, envelope)));
    item.path = path.to_string();
    item
}

fn call(
    value: &Value,
    path: &str,
    ctx: &mut ParseCtx,
    event: Option<(&str, u64, Map<String, Value>)>,
) -> Item {
    let Some(obj) = value.as_object() else {
        return ctx.reject(path, 0, path, "not a JSON object");
    };
    let n = Node::new(value, path);
    let Some(id) = n.string("call_id") else {
        return ctx.reject(path, 0, n.path_of("call_id"), "no call_id");
    };
    let mut d = CallDraft::new(P, id);
    let mut used: Vec<&str> = vec![
        "call_id",
        "call_status",
        "direction",
        "start_timestamp",
        "end_timestamp",
        "duration_ms",
        "disconnection_reason",
        "agent_name",
        "call_analysis",
        "call_cost",
        "transcript",
        "transcript_object",
        "recording_url",
    ];

    let status = n.string("call_status");
    let status_stage = match status.as_deref() {
        Some(s) => match STATUSES.iter().find(|(w, _)| *w == s) {
            Some((_, stage)) => *stage,
            None => {
                ctx.unknown_word(P, s);
                0
            }
        },
        None => 0,
    };
    let event_stage = event.as_ref().map_or(REST_STAGE, |(_, s, _)| *s);
    d.precedence = status_stage * 10 + event_stage;
    d.raw_status = status.clone();

    let is_web = n.string("call_type").as_deref() == Some("web_call");
    d.direction = Some(match n.string("direction").as_deref() {
        _ if is_web => Direction::Unknown,
        Some("inbound") => Direction::Inbound,
        Some("outbound") => Direction::Outbound,
        Some(other) => {
            ctx.unknown_word(P, other);
            Direction::Unknown
        }
        None => Direction::Unknown,
    });
    let (customer, business) = match d.direction {
        Some(Direction::Inbound) => ("from_number", "to_number"),
        Some(Direction::Outbound) => ("to_number", "from_number"),
        _ => ("", ""),
    };
    if !customer.is_empty() {
        d.customer_number = n.string(customer).and_then(|s| crate::phone::normalize(&s));
        d.business_number = n.string(business).and_then(|s| crate::phone::normalize(&s));
        used.extend([customer, business]);
    }

    d.started_at = ctx.instant(obj.get("start_timestamp"), &n.path_of("start_timestamp"));
    d.ended_at = ctx.instant(obj.get("end_timestamp"), &n.path_of("end_timestamp"));
    let duration_ms = ctx.seconds(obj.get("duration_ms"), &n.path_of("duration_ms"));
    d.talk_s = duration_ms.map(|ms| ms / 1000.0);

    let reason = n.string("disconnection_reason");
    let category = reason.as_deref().map(|r| reason_category(r, ctx));
    if let (Some(raw), Some(category)) = (reason.clone(), category) {
        d.ended_reason = Some(EndedReason { category, raw });
    }
    let analysis = obj.get("call_analysis").filter(|a| a.is_object());
    let in_voicemail = analysis
        .and_then(|a| a.get("in_voicemail"))
        .and_then(Value::as_bool)
        == Some(true);
    let effective_status = status
        .clone()
        .or_else(|| d.ended_at.map(|_| "ended".to_string()));
    d.outcome = effective_status.as_deref().map(|s| {
        outcome(
            s,
            reason.as_deref(),
            category,
            in_voicemail,
            duration_ms,
            d.direction.unwrap_or(Direction::Unknown),
        )
    });

    let transferred = matches!(
        reason.as_deref(),
        Some("call_transfer" | "transfer_bridged" | "call_take_over")
    ) || matches!(
        event.as_ref().map(|(e, _, _)| *e),
        Some("transfer_bridged" | "transfer_ended")
    );
    if transferred {
        d.transfers = vec![Transfer {
            at: None,
            to_queue: n.string("transfer_destination"),
            to_agent: None,
        }];
    }

    // agent_id stays in extra either way: it is the assistant's stable id.
    d.assistant = n.string("agent_name").or_else(|| n.string("agent_id"));
    d.recording_url = n.string("recording_url");

    if let Some(a) = analysis {
        d.summary = a.get("call_summary").and_then(as_text);
        d.intent = a
            .get("custom_analysis_data")
            .and_then(|c| c.get("intent"))
            .and_then(as_text);
        nested_rest(a, &["call_summary"], "call_analysis", &mut d.extra);
    }
    if let Some(cost) = obj.get("call_cost").filter(|c| c.is_object()) {
        let cost_path = n.path_of("call_cost");
        d.cost = ctx
            .number(
                cost.get("combined_cost"),
                &format!("{cost_path}.combined_cost"),
            )
            .map(|cents| cents / 100.0);
        nested_rest(cost, &["combined_cost"], "call_cost", &mut d.extra);
    }
    d.transcript = transcript(obj);
    if d.transcript.is_empty() {
        if let Some(text) = obj.get("transcript") {
            d.extra.insert("transcript".into(), text.clone());
        }
    }

    keep_rest(obj, &used, &mut d.extra);
    let is_event = event.is_some();
    if let Some((_, _, envelope)) = event {
        d.extra.insert("webhook".into(), Value::Object(envelope));
    }
    ctx.finish(d, path, 0, is_event)
}

fn reason_category(raw: &str, ctx: &mut ParseCtx) -> Cat {
    match REASONS.iter().find(|(w, _)| *w == raw) {
        Some((_, c)) => *c,
        None => {
            ctx.unknown_word(P, raw);
            if raw.starts_with("error_") {
                Cat::Error
            } else {
                Cat::Other
            }
        }
    }
}

/// The outcome of a call from its status, reason, voicemail flag and talk time.
fn outcome(
    status: &str,
    reason: Option<&str>,
    category: Option<Cat>,
    in_voicemail: bool,
    duration_ms: Option<f64>,
    direction: Direction,
) -> Outcome {
    match status {
        "registered" | "ongoing" => return Outcome::Active,
        "error" => return Outcome::Failed,
        "ended" | "not_connected" => {}
        _ => return Outcome::Unknown,
    }
    if in_voicemail || reason == Some("voicemail_reached") {
        return Outcome::Voicemail;
    }
    match category {
        Some(Cat::Busy) => return Outcome::Busy,
        Some(Cat::NoAnswer) => return Outcome::no_answer(direction),
        _ => {}
    }
    let talked = duration_ms.is_some_and(|ms| ms > 0.0);
    if status == "not_connected" {
        return match category {
            Some(Cat::Canceled) => Outcome::Canceled,
            Some(Cat::Error) => Outcome::Failed,
            _ => Outcome::no_answer(direction),
        };
    }
    match category {
        Some(Cat::Error) if !talked => Outcome::Failed,
        Some(Cat::Canceled) if !talked => Outcome::Canceled,
        _ => Outcome::Answered,
    }
}

/// Turns from `transcript_object`, else from the `transcript` text.
fn transcript(obj: &Map<String, Value>) -> Vec<TranscriptTurn> {
    if let Some(turns) = obj.get("transcript_object").and_then(Value::as_array) {
        return turns
            .iter()
            .filter_map(|t| {
                let text = t.get("content").and_then(as_text)?;
                let role = t.get("role").and_then(as_text).unwrap_or_default();
                let words = t.get("words").and_then(Value::as_array);
                let first = words
                    .and_then(|w| w.first())
                    .and_then(|w| w.get("start"))
                    .and_then(Value::as_f64);
                let last = words
                    .and_then(|w| w.last())
                    .and_then(|w| w.get("end"))
                    .and_then(Value::as_f64);
                Some(TranscriptTurn {
                    speaker: speaker(&role),
                    start_s: first,
                    end_s: last,
                    text,
                    confidence: None,
                    language: None,
                })
            })
            .collect();
    }
    let Some(text) = obj.get("transcript").and_then(Value::as_str) else {
        return Vec::new();
    };
    let mut turns: Vec<TranscriptTurn> = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (role, said) = match line.split_once(':') {
            Some((r, s)) if matches!(r.trim(), "Agent" | "User") => {
                (Some(r.trim().to_lowercase()), s.trim())
            }
            _ => (None, line),
        };
        match (role, turns.last_mut()) {
            (Some(r), _) => turns.push(TranscriptTurn {
                speaker: speaker(&r),
                start_s: None,
                end_s: None,
                text: said.to_string(),
                confidence: None,
                language: None,
            }),
            (None, Some(prev)) => {
                prev.text.push('\n');
                prev.text.push_str(said);
            }
            (None, None) => {}
        }
    }
    turns
}

fn speaker(role: &str) -> String {
    match role {
        "agent" => "assistant".to_string(),
        "user" => "customer".to_string(),
        other => other.to_string(),
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::CallRecord;
    use crate::providers::ItemKind;
    use chrono::{DateTime, Utc};
    use chrono_tz::Tz;

    const ONE: &str = include_str!("../../../tests/data/retell/call_inbound.json");
    const LIST: &str = include_str!("../../../tests/data/retell/list_v3.json");
    const HOOKS: &str = include_str!("../../../tests/data/retell/webhooks.json");

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

    #[test]
    fn detects_own_shapes_only() {
        assert!(detect(&json(ONE)));
        assert!(detect(&json(LIST)));
        assert!(detect(&json(HOOKS)[0]));
        assert!(detect(&json(HOOKS)));
        assert!(!detect(&json("[1, 2]")));
        assert!(detect(&json(r#"{"items":[],"has_more":false}"#)));
        assert!(detect(&json(
            r#"{"event":"chat_ended","chat":{"chat_id":"c1"}}"#
        )));
        assert!(!detect(&json(
            r#"{"message":{"type":"end-of-call-report","call":{"id":"x","orgId":"o"}}}"#
        )));
        assert!(!detect(&json(
            r#"{"id":"x","orgId":"o","type":"webCall","status":"ended"}"#
        )));
        assert!(!detect(&json(r#"{"sid":"CA1","status":"completed"}"#)));
        assert!(!detect(&json(
            r#"{"CallSid":"CA1","CallStatus":"completed"}"#
        )));
        assert!(!detect(&json(
            r#"{"request_id":"r","type":"call.completed","data":{"call_sid":"CA1"}}"#
        )));
        assert!(!detect(&json(
            r#"{"EventType":"IncomingCall","Body":{"CallId":"1"}}"#
        )));
        assert!(!detect(&json(
            r#"{"event":"call:new","data":{"callId":"1"}}"#
        )));
        assert!(!detect(&json(r#"{"items":[{"id":1}]}"#)));
        assert!(!detect(&json(r#"{"call_id":"only an id"}"#)));
    }

    #[test]
    fn registry_detection_names_retell() {
        let docs = [
            json(ONE),
            json(LIST),
            json(LIST)["items"][0].clone(),
            json(HOOKS)[3].clone(),
        ];
        for doc in docs {
            assert_eq!(crate::providers::detect_json(&doc), Some(P), "{doc}");
        }
    }

    #[test]
    fn inbound_call_object() {
        let mut ctx = lenient();
        let items = parse(&json(ONE), "$", &mut ctx);
        assert!(matches!(items[0].kind, ItemKind::Call { event: false, .. }));
        let d = drafts(items).remove(0);
        // status ended (3) x 10 + REST stage 7.
        assert_eq!(d.precedence, 37);
        let r = record(d);
        assert_eq!(r.id, "retell:Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6");
        assert_eq!(
            (r.direction, r.outcome),
            (Direction::Inbound, Outcome::Answered)
        );
        assert_eq!(r.raw_status.as_deref(), Some("ended"));
        assert_eq!(r.started_at, at("2024-06-03T16:00:00Z"));
        assert_eq!(r.ended_at, Some(at("2024-06-03T16:01:35.500Z")));
        // 1717430495500 - 1717430400000 = 95500 ms; duration_ms 95500 -> 95.5 s talk.
        assert_eq!(r.duration_s, Some(95.5));
        assert_eq!(r.talk_s, Some(95.5));
        assert_eq!((r.answered_at, r.wait_s), (None, None));
        assert_eq!(r.customer_number.as_deref(), Some("+14158675309"));
        assert_eq!(r.business_number.as_deref(), Some("+16502530000"));
        let reason = r.ended_reason.clone().unwrap();
        assert_eq!(
            (reason.category, reason.raw.as_str()),
            (Cat::CustomerEnded, "user_hangup")
        );
        assert_eq!(r.assistant.as_deref(), Some("Billing Assistant"));
        assert_eq!(r.agent, None);
        assert_eq!(
            r.summary.as_deref(),
            Some("The caller was charged twice; the agent refunded the duplicate charge.")
        );
        assert_eq!(r.intent.as_deref(), Some("billing"));
        // 12.5 cents = 0.125 USD.
        assert_eq!(r.cost, Some(0.125));
        assert_eq!(
            r.recording_url.as_deref(),
            Some("https://dxc03zgurdly9.cloudfront.net/Jabr9TXY/recording.wav")
        );
        let speakers: Vec<&str> = r.transcript.iter().map(|t| t.speaker.as_str()).collect();
        assert_eq!(speakers, vec!["assistant", "customer", "assistant"]);
        assert_eq!(r.transcript[1].text, "I was charged twice.");
        assert_eq!(
            (r.transcript[0].start_s, r.transcript[0].end_s),
            (Some(0.4), Some(2.3))
        );
        assert_eq!(
            (r.transcript[2].start_s, r.transcript[2].end_s),
            (None, None)
        );
        assert!(r.transfers.is_empty());
        assert_eq!(r.tenant, None);
        assert_eq!(r.extra["agent_id"], "oBeDLoLOeuAbiuaMFXRtDOLriTJ5tSxD");
        assert_eq!(r.extra["call_analysis"]["user_sentiment"], "Positive");
        assert_eq!(r.extra["call_analysis"]["call_successful"], true);
        assert_eq!(
            r.extra["call_analysis"]["custom_analysis_data"]["order_id"],
            "A-1042"
        );
        assert_eq!(r.extra["call_cost"]["total_duration_seconds"], 96);
        assert_eq!(r.extra["latency"]["e2e"]["p50"], 800);
        assert_eq!(
            r.extra["telephony_identifier"]["twilio_call_sid"],
            "CA0123456789abcdef0123456789abcdef"
        );
        assert_eq!(r.extra["transcript_with_tool_calls"][0]["name"], "refund");
        assert!(r.extra.get("from_number").is_none());
        assert!(ctx.unknown_words.is_empty());
    }

    #[test]
    fn v3_list_page() {
        let mut ctx = lenient();
        let items = parse(&json(LIST), "$", &mut ctx);
        assert_eq!(items[4].path, "$.items[4]");
        let mut calls = drafts(items);
        assert_eq!(calls.len(), 5);

        let r = record(calls.remove(0));
        assert_eq!(
            (r.direction, r.outcome),
            (Direction::Outbound, Outcome::Unanswered)
        );
        assert_eq!(r.ended_reason.clone().unwrap().category, Cat::NoAnswer);
        assert_eq!(r.customer_number.as_deref(), Some("+442071838750"));
        assert_eq!(r.business_number.as_deref(), Some("+16502530000"));
        assert_eq!(r.assistant.as_deref(), Some("agent_outbound_1"));
        // 17:00:00 -> 17:00:30; duration_ms 0.
        assert_eq!((r.duration_s, r.talk_s), (Some(30.0), Some(0.0)));

        let r = record(calls.remove(0));
        assert_eq!(r.outcome, Outcome::Busy);
        assert_eq!(r.ended_reason.unwrap().category, Cat::Busy);

        let r = record(calls.remove(0));
        assert_eq!(
            (r.direction, r.outcome),
            (Direction::Unknown, Outcome::Answered)
        );
        assert_eq!(r.ended_reason.unwrap().category, Cat::AgentEnded);
        assert_eq!(
            (r.customer_number.clone(), r.business_number.clone()),
            (None, None)
        );
        assert_eq!(r.assistant.as_deref(), Some("Website Helper"));
        // 4 cents.
        assert_eq!(r.cost, Some(0.04));
        // 19:00:00 -> 19:01:02.25 = 62.25 s.
        assert_eq!((r.duration_s, r.talk_s), (Some(62.25), Some(62.25)));
        assert_eq!(r.extra["access_token"], "eyJhbGciOi");

        let r = record(calls.remove(0));
        assert_eq!(
            (r.direction, r.outcome),
            (Direction::Outbound, Outcome::Voicemail)
        );
        assert_eq!(r.ended_reason.unwrap().category, Cat::Voicemail);
        assert_eq!(r.duration_s, Some(45.0));

        let r = record(calls.remove(0));
        assert_eq!(r.outcome, Outcome::Failed);
        let reason = r.ended_reason.unwrap();
        assert_eq!(
            (reason.category, reason.raw.as_str()),
            (Cat::Error, "error_llm_websocket_open")
        );
        assert!(ctx.unknown_words.is_empty());
    }

    #[test]
    fn v2_list_elements_parse_alone() {
        // The v2 list is a bare array: ingest hands over each element; an array also works.
        let doc = json(LIST);
        let array = Value::Array(doc["items"].as_array().unwrap().clone());
        let items = parse(&array, "$", &mut lenient());
        assert_eq!(items.len(), 5);
        assert_eq!(items[1].path, "$[1]");
        assert!(detect(&doc["items"][0]));
        // Webhooks in an array are webhooks too.
        let hooks = parse(&json(HOOKS), "$", &mut lenient());
        assert_eq!(hooks.len(), 5);
        assert!(
            hooks
                .iter()
                .all(|i| matches!(i.kind, ItemKind::Call { event: true, .. }))
        );
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
    fn webhooks_fold_in_every_order() {
        let mut ctx = lenient();
        let doc = json(HOOKS);
        let mut items = Vec::new();
        for (i, v) in doc.as_array().unwrap().iter().enumerate() {
            assert!(detect(v));
            items.extend(parse(v, &format!("$[{i}]"), &mut ctx));
        }
        assert_eq!(items[3].path, "$[3]");
        assert!(
            items
                .iter()
                .all(|i| matches!(i.kind, ItemKind::Call { event: true, .. }))
        );
        let events = drafts(items);
        // ongoing 2 x 10 + event stage; ended 3 x 10 + stage.
        assert_eq!(
            events.iter().map(|d| d.precedence).collect::<Vec<_>>(),
            vec![21, 23, 24, 36, 38]
        );
        let mut first = CallDraft::fold(events.clone());
        finalize(&mut first);
        let perms = permutations(events.len());
        assert_eq!(perms.len(), 120);
        for perm in perms {
            let mut folded = CallDraft::fold(perm.iter().map(|&i| events[i].clone()).collect());
            finalize(&mut folded);
            assert_eq!(folded, first, "{perm:?}");
        }
        let r = record(first);
        assert_eq!(
            (r.direction, r.outcome),
            (Direction::Inbound, Outcome::Answered)
        );
        assert_eq!(r.raw_status.as_deref(), Some("ended"));
        assert_eq!(r.started_at, at("2024-06-03T16:00:00Z"));
        assert_eq!(r.duration_s, Some(95.5));
        let reason = r.ended_reason.clone().unwrap();
        assert_eq!(
            (reason.category, reason.raw.as_str()),
            (Cat::Transferred, "call_transfer")
        );
        assert_eq!(
            r.transfers,
            vec![Transfer {
                at: None,
                to_queue: Some("+16505550100".into()),
                to_agent: None
            }]
        );
        assert_eq!(
            r.summary.as_deref(),
            Some("Caller asked for a person and was transferred to sales.")
        );
        assert_eq!(r.cost, Some(0.2));
        let speakers: Vec<&str> = r.transcript.iter().map(|t| t.speaker.as_str()).collect();
        assert_eq!(speakers, vec!["customer", "assistant", "transfer_target"]);
        assert_eq!(r.extra["webhook"]["event"], "call_analyzed");
        assert_eq!(r.extra["call_analysis"]["user_sentiment"], "Neutral");
        assert_eq!(r.extra["transfer_end_timestamp"], 1717430600000_u64);

        // Started only: still active.
        let r = record(events[0].clone());
        assert_eq!(r.outcome, Outcome::Active);
        assert_eq!(r.ended_at, None);
    }

    #[test]
    fn finalize_keeps_one_transfer() {
        let mut d = CallDraft::new(P, "c");
        d.transfers = vec![
            Transfer {
                at: None,
                to_queue: None,
                to_agent: None,
            },
            Transfer {
                at: None,
                to_queue: Some("+1".into()),
                to_agent: None,
            },
        ];
        finalize(&mut d);
        assert_eq!(
            d.transfers,
            vec![Transfer {
                at: None,
                to_queue: Some("+1".into()),
                to_agent: None
            }]
        );
    }

    #[test]
    fn voicemail_flag_from_analysis_wins() {
        let mut doc = json(ONE);
        doc["call_analysis"]["in_voicemail"] = Value::Bool(true);
        let r = record(drafts(parse(&doc, "$", &mut lenient())).remove(0));
        assert_eq!(r.outcome, Outcome::Voicemail);
        // The ended reason stays the one Retell named.
        assert_eq!(r.ended_reason.unwrap().category, Cat::CustomerEnded);
    }

    #[test]
    fn non_call_and_unknown_events() {
        let mut ctx = lenient();
        let chat = json(r#"{"event":"chat_ended","chat":{"chat_id":"c1"}}"#);
        match &parse(&chat, "$", &mut ctx)[0].kind {
            ItemKind::NonCall { what } => assert_eq!(what, "retell chat_ended event"),
            other => panic!("{other:?}"),
        }
        let odd = json(
            r#"{"event":"call_paused","call":{"call_id":"c2","call_status":"ongoing","start_timestamp":1717430400000}}"#,
        );
        let d = drafts(parse(&odd, "$", &mut ctx)).remove(0);
        assert_eq!(d.precedence, 20);
        assert_eq!(ctx.unknown_words, vec![(P, "call_paused".to_string())]);
        let empty = json(r#"{"event":"call_ended"}"#);
        assert_eq!(
            rejection(&parse(&empty, "$[1]", &mut ctx)[0]).0,
            "$[1].call"
        );
    }

    #[test]
    fn bad_values_reject_in_strict_mode_and_warn_in_lenient() {
        let mut doc = json(LIST);
        doc["items"][2]["start_timestamp"] = json(r#""half past noon""#);
        let items = parse(&doc, "$", &mut strict());
        let (path, reason) = rejection(&items[2]);
        assert_eq!(path, "$.items[2].start_timestamp");
        assert!(reason.contains("half past noon"), "{reason}");
        assert!(matches!(items[1].kind, ItemKind::Call { .. }));
        let d = drafts(parse(&doc, "$", &mut lenient())).remove(2);
        assert_eq!(d.warnings[0].path, "$.items[2].start_timestamp");
        assert_eq!(d.into_record(false).unwrap_err().path, "startedAt");

        let mut doc = json(ONE);
        doc["duration_ms"] = json("-5");
        assert_eq!(
            rejection(&parse(&doc, "$", &mut strict())[0]).0,
            "$.duration_ms"
        );
        doc["duration_ms"] = json("95500");
        doc["call_cost"]["combined_cost"] = json(r#""lots""#);
        assert_eq!(
            rejection(&parse(&doc, "$", &mut strict())[0]).0,
            "$.call_cost.combined_cost"
        );
        let (r, warnings) = drafts(parse(&doc, "$", &mut lenient()))
            .remove(0)
            .into_record(false)
            .unwrap();
        assert_eq!(r.cost, None);
        assert_eq!(warnings[0].path, "$.call_cost.combined_cost");

        // talk longer than start-to-end breaks an invariant: strict rejects, lenient clears talk.
        let mut doc = json(ONE);
        doc["duration_ms"] = json("99000");
        let d = drafts(parse(&doc, "$", &mut strict())).remove(0);
        assert_eq!(d.clone().into_record(true).unwrap_err().path, "talkS");
        let (r, _) = d.into_record(false).unwrap();
        assert_eq!(r.talk_s, None);

        let no_id = json(r#"{"call_id":"","agent_id":"a"}"#);
        assert_eq!(
            rejection(&parse(&no_id, "$", &mut lenient())[0]).0,
            "$.call_id"
        );
        assert_eq!(rejection(&parse(&json("7"), "$", &mut lenient())[0]).0, "$");
    }

    #[test]
    fn transcript_text_fallback() {
        let doc = json(
            r#"{"call_id":"c3","start_timestamp":1717430400000,
            "transcript":"Agent: Hello.\nUser: Hi, I need help\nwith my order.\nAgent: Sure."}"#,
        );
        let r = record(drafts(parse(&doc, "$", &mut lenient())).remove(0));
        let turns: Vec<(&str, &str)> = r
            .transcript
            .iter()
            .map(|t| (t.speaker.as_str(), t.text.as_str()))
            .collect();
        assert_eq!(
            turns,
            vec![
                ("assistant", "Hello."),
                ("customer", "Hi, I need help\nwith my order."),
                ("assistant", "Sure.")
            ]
        );
        // No status, no end: nothing says what happened.
        assert_eq!(r.outcome, Outcome::Unknown);
    }

    /// Every `disconnection_reason` of PROVIDERS.md 5.1 with its category, written by hand.
    const EXPECTED_REASONS: &[(&str, Cat)] = &[
        ("user_hangup", Cat::CustomerEnded),
        ("agent_hangup", Cat::AgentEnded),
        ("call_transfer", Cat::Transferred),
        ("voicemail_reached", Cat::Voicemail),
        ("ivr_reached", Cat::Other),
        ("inactivity", Cat::SilenceTimeout),
        ("max_duration_reached", Cat::MaxDuration),
        ("concurrency_limit_reached", Cat::Error),
        ("no_concurrency_fallback", Cat::Error),
        ("no_valid_payment", Cat::Error),
        ("scam_detected", Cat::Other),
        ("dial_busy", Cat::Busy),
        ("dial_failed", Cat::Error),
        ("dial_no_answer", Cat::NoAnswer),
        ("invalid_destination", Cat::Error),
        ("telephony_provider_permission_denied", Cat::Error),
        ("telephony_provider_unavailable", Cat::Error),
        ("sip_routing_error", Cat::Error),
        ("marked_as_spam", Cat::Error),
        ("user_declined", Cat::NoAnswer),
        ("error_llm_websocket_open", Cat::Error),
        ("error_llm_websocket_lost_connection", Cat::Error),
        ("error_llm_websocket_runtime", Cat::Error),
        ("error_llm_websocket_corrupt_payload", Cat::Error),
        ("error_no_audio_received", Cat::Error),
        ("error_asr", Cat::Error),
        ("error_retell", Cat::Error),
        ("error_unknown", Cat::Error),
        ("error_user_not_joined", Cat::Error),
        ("registered_call_timeout", Cat::Canceled),
        ("transfer_bridged", Cat::Transferred),
        ("transfer_cancelled", Cat::Other),
        ("manual_stopped", Cat::Canceled),
        ("call_take_over", Cat::Transferred),
    ];

    #[test]
    fn every_disconnection_reason() {
        assert_eq!(REASONS.len(), 34);
        assert_eq!(EXPECTED_REASONS.len(), 34);
        let mut ctx = lenient();
        for (word, cat) in EXPECTED_REASONS {
            assert_eq!(reason_category(word, &mut ctx), *cat, "{word}");
        }
        assert!(ctx.unknown_words.is_empty());
        assert_eq!(reason_category("error_new_thing", &mut ctx), Cat::Error);
        assert_eq!(reason_category("moon_landing", &mut ctx), Cat::Other);
        assert_eq!(ctx.unknown_words.len(), 2);
    }

    /// The outcome each reason gives on a connected (`ended`) call with talk time and on a
    /// `not_connected` dial, inbound then outbound.
    #[test]
    fn every_reason_outcome() {
        use Outcome::*;
        let expected: &[(&str, Outcome, Outcome, Outcome)] = &[
            // reason, ended + talk, not_connected inbound, not_connected outbound
            ("user_hangup", Answered, Missed, Unanswered),
            ("agent_hangup", Answered, Missed, Unanswered),
            ("call_transfer", Answered, Missed, Unanswered),
            ("voicemail_reached", Voicemail, Voicemail, Voicemail),
            ("ivr_reached", Answered, Missed, Unanswered),
            ("inactivity", Answered, Missed, Unanswered),
            ("max_duration_reached", Answered, Missed, Unanswered),
            ("concurrency_limit_reached", Answered, Failed, Failed),
            ("no_concurrency_fallback", Answered, Failed, Failed),
            ("no_valid_payment", Answered, Failed, Failed),
            ("scam_detected", Answered, Missed, Unanswered),
            ("dial_busy", Busy, Busy, Busy),
            ("dial_failed", Answered, Failed, Failed),
            ("dial_no_answer", Missed, Missed, Unanswered),
            ("invalid_destination", Answered, Failed, Failed),
            (
                "telephony_provider_permission_denied",
                Answered,
                Failed,
                Failed,
            ),
            ("telephony_provider_unavailable", Answered, Failed, Failed),
            ("sip_routing_error", Answered, Failed, Failed),
            ("marked_as_spam", Answered, Failed, Failed),
            ("user_declined", Missed, Missed, Unanswered),
            ("error_llm_websocket_open", Answered, Failed, Failed),
            (
                "error_llm_websocket_lost_connection",
                Answered,
                Failed,
                Failed,
            ),
            ("error_llm_websocket_runtime", Answered, Failed, Failed),
            (
                "error_llm_websocket_corrupt_payload",
                Answered,
                Failed,
                Failed,
            ),
            ("error_no_audio_received", Answered, Failed, Failed),
            ("error_asr", Answered, Failed, Failed),
            ("error_retell", Answered, Failed, Failed),
            ("error_unknown", Answered, Failed, Failed),
            ("error_user_not_joined", Answered, Failed, Failed),
            ("registered_call_timeout", Answered, Canceled, Canceled),
            ("transfer_bridged", Answered, Missed, Unanswered),
            ("transfer_cancelled", Answered, Missed, Unanswered),
            ("manual_stopped", Answered, Canceled, Canceled),
            ("call_take_over", Answered, Missed, Unanswered),
        ];
        assert_eq!(expected.len(), REASONS.len());
        for (reason, ended, nc_in, nc_out) in expected {
            let cat = REASONS.iter().find(|(w, _)| w == reason).map(|(_, c)| *c);
            // "ended" with inbound direction (dial_no_answer gives missed there).
            let got = outcome(
                "ended",
                Some(reason),
                cat,
                false,
                Some(1000.0),
                Direction::Inbound,
            );
            assert_eq!(got, *ended, "{reason} ended");
            let got = outcome(
                "not_connected",
                Some(reason),
                cat,
                false,
                Some(0.0),
                Direction::Inbound,
            );
            assert_eq!(got, *nc_in, "{reason} not_connected inbound");
            let got = outcome(
                "not_connected",
                Some(reason),
                cat,
                false,
                Some(0.0),
                Direction::Outbound,
            );
            assert_eq!(got, *nc_out, "{reason} not_connected outbound");
        }
        // An error or a manual stop on an ended call with no talk time never connected.
        let err = Some(Cat::Error);
        assert_eq!(
            outcome(
                "ended",
                Some("dial_failed"),
                err,
                false,
                Some(0.0),
                Direction::Outbound
            ),
            Failed
        );
        let stop = Some(Cat::Canceled);
        assert_eq!(
            outcome(
                "ended",
                Some("manual_stopped"),
                stop,
                false,
                Some(0.0),
                Direction::Outbound
            ),
            Canceled
        );
    }

    #[test]
    fn every_call_status() {
        use Outcome::*;
        let expected = [
            ("registered", Active, 1),
            ("ongoing", Active, 2),
            ("ended", Answered, 3),
            ("not_connected", Unanswered, 3),
            ("error", Failed, 3),
        ];
        assert_eq!(STATUSES.len(), expected.len());
        for (status, want, stage) in expected {
            assert_eq!(
                outcome(status, None, None, false, None, Direction::Outbound),
                want,
                "{status}"
            );
            assert_eq!(
                STATUSES.iter().find(|(w, _)| *w == status).unwrap().1,
                stage
            );
        }
        let mut ctx = lenient();
        let doc =
            json(r#"{"call_id":"c4","call_status":"paused","start_timestamp":1717430400000}"#);
        let r = record(drafts(parse(&doc, "$", &mut ctx)).remove(0));
        assert_eq!(r.outcome, Unknown);
        assert_eq!(ctx.unknown_words, vec![(P, "paused".to_string())]);
        // No status but an end instant: read as ended.
        let doc = json(
            r#"{"call_id":"c5","agent_id":"a","start_timestamp":1717430400000,"end_timestamp":1717430401000}"#,
        );
        assert_eq!(
            record(drafts(parse(&doc, "$", &mut ctx)).remove(0)).outcome,
            Answered
        );
    }

    #[test]
    fn every_event_stage() {
        let order = [
            "call_started",
            "transcript_updated",
            "transfer_started",
            "transfer_bridged",
            "transfer_ended",
            "call_ended",
        ];
        let stage = |e: &str| EVENTS.iter().find(|(w, _)| *w == e).unwrap().1;
        for pair in order.windows(2) {
            assert!(stage(pair[0]) < stage(pair[1]), "{pair:?}");
        }
        assert_eq!(stage("transfer_cancelled"), stage("transfer_bridged"));
        assert!(stage("call_ended") < REST_STAGE && REST_STAGE < stage("call_analyzed"));
        assert_eq!(EVENTS.len(), 8);
        for (event, s) in EVENTS {
            let doc = json(&format!(
                r#"{{"event":"{event}","call":{{"call_id":"c","call_status":"ended"}}}}"#
            ));
            let d = drafts(parse(&doc, "$", &mut lenient())).remove(0);
            assert_eq!(d.precedence, 30 + s, "{event}");
            let transfer = matches!(*event, "transfer_bridged" | "transfer_ended");
            assert_eq!(d.transfers.len(), usize::from(transfer), "{event}");
        }
    }

    #[test]
    fn direction_words() {
        let mut ctx = lenient();
        let dir =
            |doc: &str, ctx: &mut ParseCtx| drafts(parse(&json(doc), "$", ctx)).remove(0).direction;
        assert_eq!(
            dir(
                r#"{"call_id":"a","agent_id":"x","direction":"inbound"}"#,
                &mut ctx
            ),
            Some(Direction::Inbound)
        );
        assert_eq!(
            dir(
                r#"{"call_id":"a","agent_id":"x","direction":"outbound"}"#,
                &mut ctx
            ),
            Some(Direction::Outbound)
        );
        assert_eq!(
            dir(
                r#"{"call_id":"a","agent_id":"x","call_type":"web_call","direction":"inbound"}"#,
                &mut ctx
            ),
            Some(Direction::Unknown)
        );
        assert!(ctx.unknown_words.is_empty());
        assert_eq!(
            dir(
                r#"{"call_id":"a","agent_id":"x","direction":"sideways"}"#,
                &mut ctx
            ),
            Some(Direction::Unknown)
        );
        assert_eq!(ctx.unknown_words.len(), 1);
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
        survives_odd_values(&json(ONE), "");
        survives_odd_values(&json(ONE), "/call_analysis");
        survives_odd_values(&json(ONE), "/call_cost");
        survives_odd_values(&json(ONE), "/transcript_object/0");
        survives_odd_values(&json(HOOKS)[4], "");
        survives_odd_values(&json(HOOKS)[4], "/call");
    }
}
