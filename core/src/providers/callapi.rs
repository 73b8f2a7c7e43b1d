//! The call-management record of the Supabase/Twilio call-management API (provider `callapi`,
//! seed 002).
//!
//! **Designed from SPEC 5 and 7, not verified against the seed API**, whose documents were not
//! available: the shape below is this library's contract for those records.
//!
//! ## Accepted shape
//!
//! A record, an array of records, or a list envelope `{"data": [...], "pagination": {...}}`,
//! `{"calls": [...]}`, `{"data": {...}}`, `{"call": {...}}` (envelope keys other than the list
//! are ignored: they describe the page, not a call):
//!
//! ```json
//! {"id": "0b6f...", "call_sid": "CA12...", "direction": "inbound", "status": "completed",
//!  "outcome": "answered", "from_number": "+15551234567", "to_number": "+15557654321",
//!  "started_at": "2024-05-01T10:00:00Z", "answered_at": "2024-05-01T10:00:08Z",
//!  "ended_at": "2024-05-01T10:05:08Z", "duration": 308, "agent_id": "u-1",
//!  "agent_email": "Ann@Example.com", "agent_name": "Ann", "recording_url": "https://...",
//!  "notes": "wants a quote", "tags": ["vip"], "metadata": {"custom": {"department": "sales"}},
//!  "created_at": "2024-05-01T10:00:00Z", "organization_id": "org-1", "user_id": "u-1"}
//! ```
//!
//! Every key is accepted in snake_case or camelCase (`from_number` / `fromNumber`). Read:
//! `id` (required); `direction` ([`DIRECTIONS`]); `status` ([`STATUSES`]); `outcome`
//! ([`OUTCOMES`]); `from_number`, `to_number` (the customer is `from` on inbound calls, `to` on
//! outbound ones, `from` when the direction is not known); `started_at` (else `created_at`);
//! `answered_at`; `ended_at`; `duration` (total seconds; `duration_seconds` also read); `agent_id`,
//! `agent_email`, `agent_name` or an `agent` object `{id, email, name}`; `recording_url`; `notes`;
//! `disposition`; `summary`; `tags` (array, or comma-separated text); `cost` (or `price`);
//! `customer_name` / `contact_name`; `organization_id` (else `user_id`) -> tenant;
//! `metadata.custom.department` -> queue. Every other key (`call_sid`, `created_at`,
//! `updated_at`, `metadata`, ...) is kept in `extra`.
//!
//! ## Mapping (SPEC 7)
//!
//! The `outcome` word wins over `status`; an unknown or missing outcome word falls back to the
//! status (the unknown word is still counted). `talk_s` = `ended_at - answered_at` when both are
//! given; `wait_s` = `answered_at - started_at` for answered calls; calls that are not answered
//! keep no answer instant. No ended reason is invented from the status (SPEC 4.4). Two records
//! of one id fold by stage (finished over active), then by `updated_at` (later wins).

use super::json::{as_text, keep_rest};
use super::{Item, ParseCtx};
use crate::model::{Agent, CallDraft, Direction, Outcome, Provider};
use serde_json::{Map, Value};

/// What a status or outcome word says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Word {
    /// This outcome.
    Is(Outcome),
    /// Not answered: `missed` inbound, `unanswered` otherwise (SPEC 7 no-answer rule).
    NoAnswer,
    /// The word `missed`: `unanswered` on outbound calls, else `missed`.
    Missed,
}

/// `status` words (lower case; `_` and spaces read as `-`).
pub const STATUSES: &[(&str, Word)] = &[
    ("queued", Word::Is(Outcome::Active)),
    ("initiated", Word::Is(Outcome::Active)),
    ("ringing", Word::Is(Outcome::Active)),
    ("in-progress", Word::Is(Outcome::Active)),
    ("completed", Word::Is(Outcome::Answered)),
    ("busy", Word::Is(Outcome::Busy)),
    ("failed", Word::Is(Outcome::Failed)),
    ("no-answer", Word::NoAnswer),
    ("canceled", Word::Is(Outcome::Canceled)),
    ("cancelled", Word::Is(Outcome::Canceled)),
];

/// `outcome` words (lower case; `_` and spaces read as `-`).
pub const OUTCOMES: &[(&str, Word)] = &[
    ("answered", Word::Is(Outcome::Answered)),
    ("completed", Word::Is(Outcome::Answered)),
    ("connected", Word::Is(Outcome::Answered)),
    ("missed", Word::Missed),
    ("abandoned", Word::Missed),
    ("no-answer", Word::NoAnswer),
    ("rejected", Word::NoAnswer),
    ("unanswered", Word::Is(Outcome::Unanswered)),
    ("voicemail", Word::Is(Outcome::Voicemail)),
    ("busy", Word::Is(Outcome::Busy)),
    ("failed", Word::Is(Outcome::Failed)),
    ("canceled", Word::Is(Outcome::Canceled)),
    ("cancelled", Word::Is(Outcome::Canceled)),
    ("in-progress", Word::Is(Outcome::Active)),
];

/// `direction` words (lower case; `_` read as `-`).
pub const DIRECTIONS: &[(&str, Direction)] = &[
    ("inbound", Direction::Inbound),
    ("incoming", Direction::Inbound),
    ("outbound", Direction::Outbound),
    ("outgoing", Direction::Outbound),
    ("outbound-api", Direction::Outbound),
    ("outbound-dial", Direction::Outbound),
    ("internal", Direction::Internal),
    ("unknown", Direction::Unknown),
];

/// The outcome of a table word for a direction.
pub fn resolve(word: Word, direction: Direction) -> Outcome {
    match word {
        Word::Is(o) => o,
        Word::NoAnswer => Outcome::no_answer(direction),
        Word::Missed if direction == Direction::Outbound => Outcome::Unanswered,
        Word::Missed => Outcome::Missed,
    }
}

fn norm(word: &str) -> String {
    word.trim().to_ascii_lowercase().replace(['_', ' '], "-")
}

fn lookup<T: Copy>(table: &[(&str, T)], word: &str) -> Option<T> {
    let w = norm(word);
    table.iter().find(|(k, _)| *k == w).map(|(_, v)| *v)
}

/// The first non-null value among spellings of one key, with the spelling found.
fn first<'a>(
    o: &'a Map<String, Value>,
    keys: &[&'static str],
) -> Option<(&'a Value, &'static str)> {
    keys.iter()
        .find_map(|k| o.get(*k).filter(|v| !v.is_null()).map(|v| (v, *k)))
}

const LIST_KEYS: &[&str] = &["data", "calls", "call"];

/// Whether a JSON document is a call-management record, a list of them or a list envelope.
pub fn detect(value: &Value) -> bool {
    match value {
        Value::Array(a) => a.iter().find(|v| v.is_object()).is_some_and(is_record),
        Value::Object(o) => {
            is_record(value)
                || LIST_KEYS.iter().any(|k| match o.get(*k) {
                    Some(inner @ (Value::Array(_) | Value::Object(_))) => {
                        detect(inner) && !is_event(o)
                    }
                    _ => false,
                })
        }
        _ => false,
    }
}

/// A call-center event envelope also has a `data` key: it is not ours.
fn is_event(o: &Map<String, Value>) -> bool {
    o.get("event")
        .or_else(|| o.get("type"))
        .is_some_and(Value::is_string)
}

fn is_record(value: &Value) -> bool {
    let Some(o) = value.as_object() else {
        return false;
    };
    let foreign = [
        "sid",
        "CallSid",
        "call_id",
        "call_status",
        "call_info",
        "justcall_number",
        "callStatus",
        "dateTimeUtc",
        "EventType",
        "orgId",
    ];
    o.contains_key("id")
        && first(o, &["from_number", "fromNumber"]).is_some()
        && first(o, &["to_number", "toNumber"]).is_some()
        && first(o, &["status", "outcome", "direction"]).is_some()
        && !foreign.iter().any(|k| o.contains_key(*k))
}

/// Parse every record of a document.
pub fn parse(value: &Value, path: &str, ctx: &mut ParseCtx) -> Vec<Item> {
    match value {
        Value::Array(a) => a
            .iter()
            .enumerate()
            .flat_map(|(i, v)| parse(v, &format!("{path}[{i}]"), ctx))
            .collect(),
        Value::Object(o) if !o.contains_key("id") => {
            let list = LIST_KEYS.iter().find_map(|k| o.get(*k).map(|v| (v, *k)));
            match list {
                Some((inner @ (Value::Array(_) | Value::Object(_)), key)) => {
                    parse(inner, &format!("{path}.{key}"), ctx)
                }
                Some((_, key)) => {
                    vec![ctx.reject(
                        path,
                        0,
                        format!("{path}.{key}"),
                        "not a call record or a list of them",
                    )]
                }
                None => {
                    vec![ctx.reject(path, 0, format!("{path}.id"), "call record without an id")]
                }
            }
        }
        Value::Object(o) => vec![parse_record(o, path, ctx)],
        _ => vec![ctx.reject(path, 0, path, "not a call record")],
    }
}

/// Keys read into columns (both spellings); the rest goes to `extra`.
const READ: &[&str] = &[
    "id",
    "direction",
    "status",
    "outcome",
    "from_number",
    "fromNumber",
    "to_number",
    "toNumber",
    "started_at",
    "startedAt",
    "answered_at",
    "answeredAt",
    "ended_at",
    "endedAt",
    "duration",
    "duration_seconds",
    "durationSeconds",
    "agent_id",
    "agentId",
    "agent_email",
    "agentEmail",
    "agent_name",
    "agentName",
    "agent",
    "recording_url",
    "recordingUrl",
    "notes",
    "disposition",
    "summary",
    "tags",
    "cost",
    "price",
    "customer_name",
    "customerName",
    "contact_name",
    "contactName",
    "organization_id",
    "organizationId",
];

fn parse_record(o: &Map<String, Value>, path: &str, ctx: &mut ParseCtx) -> Item {
    let at = |key: &str| format!("{path}.{key}");
    let Some(id) = o.get("id").and_then(as_text) else {
        return ctx.reject(path, 0, at("id"), "call id is not text or a number");
    };
    let mut d = CallDraft::new(Provider::CallApi, id);
    let text = |keys: &[&'static str]| first(o, keys).and_then(|(v, _)| as_text(v));

    let direction = match text(&["direction"]) {
        Some(word) => lookup(DIRECTIONS, &word).unwrap_or_else(|| {
            ctx.unknown_word(Provider::CallApi, &word);
            Direction::Unknown
        }),
        None => Direction::Unknown,
    };
    d.direction = Some(direction);

    let status = text(&["status"]);
    let from_status = status.as_deref().and_then(|w| match lookup(STATUSES, w) {
        Some(word) => Some(resolve(word, direction)),
        None => {
            ctx.unknown_word(Provider::CallApi, w);
            None
        }
    });
    let outcome_word = text(&["outcome"]);
    let from_outcome = outcome_word
        .as_deref()
        .and_then(|w| match lookup(OUTCOMES, w) {
            Some(word) => Some(resolve(word, direction)),
            None => {
                ctx.unknown_word(Provider::CallApi, w);
                None
            }
        });
    let mut outcome = from_outcome.or(from_status);
    if outcome.is_none() && (status.is_some() || outcome_word.is_some()) {
        outcome = Some(Outcome::Unknown);
    }
    d.outcome = outcome;
    d.raw_status = status;

    let from = text(&["from_number", "fromNumber"]).and_then(|n| crate::phone::normalize(&n));
    let to = text(&["to_number", "toNumber"]).and_then(|n| crate::phone::normalize(&n));
    (d.customer_number, d.business_number) = if direction == Direction::Outbound {
        (to, from)
    } else {
        (from, to)
    };

    let instant = |keys: &[&'static str], ctx: &mut ParseCtx| {
        first(o, keys).and_then(|(v, k)| ctx.instant(Some(v), &at(k)))
    };
    d.started_at = instant(&["started_at", "startedAt"], ctx);
    if d.started_at.is_none() {
        d.started_at = instant(&["created_at", "createdAt"], ctx);
    }
    d.answered_at = instant(&["answered_at", "answeredAt"], ctx);
    d.ended_at = instant(&["ended_at", "endedAt"], ctx);
    let updated = instant(&["updated_at", "updatedAt"], ctx);
    if let Some((v, k)) = first(o, &["duration", "duration_seconds", "durationSeconds"]) {
        d.duration_s = ctx.seconds(Some(v), &at(k));
    }
    if let Some((v, k)) = first(o, &["cost", "price"]) {
        d.cost = ctx.number(Some(v), &at(k));
    }
    if let (Some(a), Some(e)) = (d.answered_at, d.ended_at) {
        let us = (e - a).num_microseconds().unwrap_or(-1);
        if us >= 0 {
            d.talk_s = Some(us as f64 / 1e6);
        }
    }
    if !matches!(d.outcome, Some(Outcome::Answered | Outcome::Active)) {
        d.answered_at = None;
    }
    if d.started_at.is_none() {
        ctx.fatal(
            at("started_at"),
            "call record without started_at or created_at",
        );
    }

    let nested = o.get("agent").and_then(Value::as_object);
    let pick = |flat: &[&'static str], inner: &str| {
        text(flat).or_else(|| nested.and_then(|a| a.get(inner)).and_then(as_text))
    };
    let agent = Agent {
        id: pick(&["agent_id", "agentId"], "id"),
        email: pick(&["agent_email", "agentEmail"], "email").map(|e| e.to_lowercase()),
        name: pick(&["agent_name", "agentName"], "name"),
    };
    d.agent = (!agent.is_empty()).then_some(agent);
    d.recording_url = text(&["recording_url", "recordingUrl"]);
    d.notes = text(&["notes"]);
    d.disposition = text(&["disposition"]);
    d.summary = text(&["summary"]);
    d.customer_name = text(&[
        "customer_name",
        "customerName",
        "contact_name",
        "contactName",
    ]);
    d.tenant = text(&["organization_id", "organizationId", "user_id", "userId"]);
    d.tags = match o.get("tags") {
        Some(Value::Array(tags)) => tags.iter().filter_map(as_text).collect(),
        Some(Value::String(s)) => s
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(String::from)
            .collect(),
        _ => Vec::new(),
    };
    d.queue = o
        .get("metadata")
        .and_then(|m| m.get("custom"))
        .and_then(|c| c.get("department"))
        .and_then(as_text);
    keep_rest(o, READ, &mut d.extra);
    if let Some(word) = outcome_word {
        d.extra.insert("outcome".into(), Value::String(word));
    }
    let finished = !matches!(d.outcome, Some(Outcome::Active) | None);
    const SPAN: u64 = 1 << 44;
    let ms = updated.map_or(0, |t| {
        t.timestamp_millis().clamp(0, (SPAN - 1) as i64) as u64
    });
    d.precedence = u64::from(finished) * SPAN + ms;
    ctx.finish(d, path, 0, false)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::CallRecord;
    use crate::providers::ItemKind;
    use chrono::{DateTime, Utc};
    use serde_json::json;

    const PAGE: &str = include_str!("../../../tests/data/callapi/calls_page.json");

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn items(v: &Value) -> Vec<Item> {
        parse(v, "$", &mut ParseCtx::new(chrono_tz::UTC, true))
    }

    fn drafts(v: &Value) -> Vec<CallDraft> {
        items(v)
            .into_iter()
            .map(|i| match i.kind {
                ItemKind::Call { draft, event } => {
                    assert!(!event);
                    draft
                }
                other => panic!("{other:?}"),
            })
            .collect()
    }

    fn record(d: CallDraft) -> CallRecord {
        let mut d = CallDraft::fold(vec![d]);
        crate::providers::finalize(&mut d);
        d.into_record(true).unwrap().0
    }

    fn page() -> Vec<CallRecord> {
        drafts(&serde_json::from_str(PAGE).unwrap())
            .into_iter()
            .map(record)
            .collect()
    }

    #[test]
    fn page_envelope_paths() {
        let v: Value = serde_json::from_str(PAGE).unwrap();
        assert!(detect(&v));
        assert_eq!(crate::providers::detect_json(&v), Some(Provider::CallApi));
        assert_eq!(
            crate::providers::detect_json(&v["data"][2]),
            Some(Provider::CallApi)
        );
        let paths: Vec<String> = items(&v).into_iter().map(|i| i.path).collect();
        assert_eq!(paths, ["$.data[0]", "$.data[1]", "$.data[2]", "$.data[3]"]);
    }

    #[test]
    fn answered_inbound_record() {
        let r = &page()[0];
        assert_eq!(r.id, "callapi:1f0c7a52-0001");
        assert_eq!(
            (r.direction, r.outcome),
            (Direction::Inbound, Outcome::Answered)
        );
        assert_eq!(r.raw_status.as_deref(), Some("completed"));
        assert_eq!(r.customer_number.as_deref(), Some("+14158675309"));
        assert_eq!(r.business_number.as_deref(), Some("+14155550100"));
        assert_eq!(r.started_at, at("2024-05-01T10:00:00Z"));
        assert_eq!(r.answered_at, Some(at("2024-05-01T10:00:08Z")));
        assert_eq!(r.duration_s, Some(308.0));
        assert_eq!(r.talk_s, Some(300.0)); // 10:05:08 - 10:00:08
        assert_eq!(r.wait_s, Some(8.0)); // 10:00:08 - 10:00:00
        let agent = r.agent.clone().unwrap();
        assert_eq!(
            (
                agent.id.as_deref(),
                agent.email.as_deref(),
                agent.name.as_deref()
            ),
            (Some("u-1"), Some("ann@example.com"), Some("Ann"))
        );
        assert_eq!(r.queue.as_deref(), Some("sales"));
        assert_eq!(r.tags, ["vip", "quote"]);
        assert_eq!(r.tenant.as_deref(), Some("org-1"));
        assert_eq!(r.notes.as_deref(), Some("wants a quote"));
        assert_eq!(
            r.recording_url.as_deref(),
            Some("https://rec.example/0001.mp3")
        );
        assert_eq!(r.extra["call_sid"], json!("CA0001"));
        assert_eq!(r.extra["outcome"], json!("answered"));
        assert_eq!(r.extra["metadata"]["source"], json!("web"));
        assert_eq!(r.ended_reason, None);
    }

    #[test]
    fn outbound_voicemail_missed_and_busy_records() {
        let p = page();
        let vm = &p[1];
        assert_eq!(vm.outcome, Outcome::Voicemail); // outcome word wins over status completed
        assert_eq!(vm.customer_number.as_deref(), Some("+442071838750")); // outbound: to
        assert_eq!(vm.business_number.as_deref(), Some("+14155550100"));
        assert_eq!((vm.answered_at, vm.wait_s), (None, None));
        assert_eq!(vm.talk_s, Some(30.0)); // 11:00:50 - 11:00:20
        assert_eq!(vm.tags, ["follow-up", "emea"]);
        assert_eq!(vm.queue.as_deref(), Some("support"));
        let missed = &p[2];
        assert_eq!(missed.outcome, Outcome::Missed);
        assert_eq!(missed.tenant.as_deref(), Some("u-2")); // no organization: the user
        assert_eq!(missed.customer_number.as_deref(), Some("+14158675309"));
        assert_eq!(missed.duration_s, Some(30.0));
        let busy = &p[3];
        assert_eq!(busy.id, "callapi:4");
        assert_eq!(busy.outcome, Outcome::Busy);
        assert_eq!(busy.started_at, at("2024-05-01T13:00:00Z")); // created_at
        assert_eq!(busy.duration_s, Some(5.0)); // 13:00:05 - 13:00:00
        assert_eq!(busy.customer_number.as_deref(), Some("+14158675309"));
    }

    fn rec(extra: Value) -> Value {
        let mut v = json!({"id": "x", "from_number": "+14158675309", "to_number": "+14155550100",
            "started_at": "2024-05-01T10:00:00Z"});
        for (k, val) in extra.as_object().unwrap() {
            v[k] = val.clone();
        }
        v
    }

    fn one(v: Value) -> (CallDraft, Vec<(Provider, String)>) {
        let mut ctx = ParseCtx::new(chrono_tz::UTC, true);
        let mut items = parse(&v, "$", &mut ctx);
        match items.remove(0).kind {
            ItemKind::Call { draft, .. } => (draft, ctx.unknown_words),
            other => panic!("{v}: {other:?}"),
        }
    }

    #[test]
    fn every_vocabulary_word() {
        for dir in [Direction::Inbound, Direction::Outbound] {
            for (word, w) in STATUSES {
                let (d, unknown) = one(rec(json!({"status": word, "direction": dir.as_str()})));
                assert_eq!(d.outcome, Some(resolve(*w, dir)), "{word}");
                assert!(unknown.is_empty());
            }
            for (word, w) in OUTCOMES {
                let (d, _) = one(rec(
                    json!({"outcome": word, "status": "failed", "direction": dir.as_str()}),
                ));
                assert_eq!(d.outcome, Some(resolve(*w, dir)), "{word}");
            }
        }
        for (word, dir) in DIRECTIONS {
            assert_eq!(
                one(rec(json!({"direction": word}))).0.direction,
                Some(*dir),
                "{word}"
            );
        }
        assert_eq!(resolve(Word::NoAnswer, Direction::Inbound), Outcome::Missed);
        assert_eq!(
            resolve(Word::NoAnswer, Direction::Outbound),
            Outcome::Unanswered
        );
        assert_eq!(
            resolve(Word::Missed, Direction::Outbound),
            Outcome::Unanswered
        );
        assert_eq!(resolve(Word::Missed, Direction::Unknown), Outcome::Missed);
        assert_eq!(
            one(rec(json!({"status": "No_Answer", "direction": "inbound"})))
                .0
                .outcome,
            Some(Outcome::Missed)
        );
    }

    #[test]
    fn unknown_words_are_counted() {
        let (d, unknown) = one(rec(json!({"status": "completed", "outcome": "sort-of"})));
        assert_eq!(d.outcome, Some(Outcome::Answered)); // falls back to the status
        assert_eq!(unknown, [(Provider::CallApi, "sort-of".to_string())]);
        let (d, unknown) = one(rec(json!({"status": "warping", "direction": "sideways"})));
        assert_eq!(d.outcome, Some(Outcome::Unknown));
        assert_eq!(d.direction, Some(Direction::Unknown));
        assert_eq!(unknown.len(), 2);
    }

    #[test]
    fn envelopes_and_spellings() {
        let r = rec(json!({"status": "completed"}));
        for doc in [
            json!({"calls": [r.clone()]}),
            json!({"data": r.clone()}),
            json!({"call": r.clone()}),
            json!([r.clone()]),
            r.clone(),
        ] {
            assert!(detect(&doc), "{doc}");
            assert_eq!(drafts(&doc).len(), 1);
        }
        let camel = json!({"id": "x", "fromNumber": "+14158675309", "toNumber": "+14155550100", "startedAt": "2024-05-01T10:00:00Z",
            "agentEmail": "A@B.co", "recordingUrl": "u", "organizationId": "o", "status": "completed"});
        let snake = json!({"id": "x", "from_number": "+14158675309", "to_number": "+14155550100", "started_at": "2024-05-01T10:00:00Z",
            "agent": {"email": "A@B.co"}, "recording_url": "u", "organization_id": "o", "status": "completed"});
        assert_eq!(one(camel).0, one(snake).0);
    }

    #[test]
    fn later_snapshot_of_a_call_wins_in_both_orders() {
        let live = one(rec(
            json!({"status": "in-progress", "updated_at": "2024-05-01T10:01:00Z"}),
        ))
        .0;
        let done = one(rec(json!({"status": "completed", "ended_at": "2024-05-01T10:03:00Z", "updated_at": "2024-05-01T10:03:01Z"}))).0;
        let a = CallDraft::fold(vec![live.clone(), done.clone()]);
        let b = CallDraft::fold(vec![done, live]);
        assert_eq!(a, b);
        assert_eq!(a.outcome, Some(Outcome::Answered));
        assert_eq!(a.ended_at, Some(at("2024-05-01T10:03:00Z")));
    }

    #[test]
    fn rejections_name_the_path() {
        let cases = [
            (json!({"data": [{"from_number": "+1"}]}), "$.data[0].id"),
            (json!({"data": "nope"}), "$.data"),
            (json!({"id": {"x": 1}}), "$.id"),
            (json!({"id": "x", "status": "completed"}), "$.started_at"),
            (rec(json!({"started_at": "late"})), "$.started_at"),
            (rec(json!({"duration": "long"})), "$.duration"),
            (rec(json!({"duration": -1})), "$.duration"),
            (rec(json!({"ended_at": true})), "$.ended_at"),
            (json!(12), "$"),
        ];
        for (v, path) in cases {
            match &items(&v)[0].kind {
                ItemKind::Rejected(issue) => assert_eq!(issue.path, path, "{v}"),
                other => panic!("{v}: {other:?}"),
            }
        }
    }

    #[test]
    fn detect_claims_only_these_records() {
        let twilio = json!({"sid": "CA1", "from": "+1", "to": "+2", "status": "completed", "id": "x", "from_number": "+1", "to_number": "+2"});
        let retell = json!({"call_id": "r1", "from_number": "+1", "to_number": "+2", "call_status": "ended", "direction": "inbound"});
        let justcall = json!({"id": 1, "call_info": {"type": "Answered"}, "justcall_number": "+1", "contact_number": "+2"});
        let mighty = json!({"id": "m", "callStatus": "Connected", "from_number": "+1", "to_number": "+2", "direction": "Inbound"});
        let vapi = json!({"id": "v", "orgId": "o", "createdAt": "x", "from_number": "+1", "to_number": "+2", "status": "ended"});
        let event = json!({"event": "call:new", "data": {"id": "c", "from_number": "+1", "to_number": "+2", "status": "waiting"}});
        for v in [twilio, retell, justcall, mighty, vapi, event] {
            assert!(!detect(&v), "{v}");
        }
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
