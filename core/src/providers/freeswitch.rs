//! FreeSWITCH CDRs: `mod_cdr_csv` rows and `mod_json_cdr` documents (PROVIDERS 8).
//!
//! Both are read as a list of channel variables (`uuid`, `start_uepoch`, `billsec`,
//! `hangup_cause`, ...): a CSV row through a [`FreeswitchColumns`] map (the stock `example` and
//! `asterisk` templates are recognised by shape, any other template is given by the user), a
//! JSON CDR through its `variables` object (values URL-decoded when `encode-values=true` wrote
//! them encoded), with the first `callflow` caller profile and times as fallbacks.
//!
//! Reading rules:
//! - Times: `*_uepoch` (µs), else `*_epoch` (s), else `*_stamp` (server local time, read in
//!   [`ParseCtx::source_tz`]); an epoch of `"0"` means "never" (not answered).
//! - Durations: `uduration` / `mduration` / `duration` and `billusec` / `billmsec` / `billsec`,
//!   the most precise first; talk = billed time.
//! - Answered iff billed time > 0 or an answer time is set (`NORMAL_CLEARING` alone does not
//!   mean answered); an answered leg whose `last_app` is `voicemail` is `voicemail`. An
//!   unanswered leg takes its outcome from the [`HANGUP_CAUSES`] table; the ended reason is
//!   always the raw `hangup_cause` with its category.
//! - `LOSE_RACE` and `PICKED_OFF` legs are the losing legs of a ring group (another phone
//!   answered, or the call was picked up elsewhere): they are not calls
//!   ([`ItemKind::NonCall`], "losing ring-group leg"); the winning leg carries the call.
//! - B-legs fold into their A-leg: in a CSV batch, a row whose `uuid` is another row's
//!   `bleg_uuid` is [`ItemKind::Folded`]; a JSON CDR with `originating_leg_uuid`, or with
//!   `direction` `outbound` and a `call_uuid` other than its own `uuid`, becomes an event item
//!   with the A-leg's id and a lower precedence, so the A-leg's values win and the B-leg only
//!   fills gaps (agent, times when the A-leg's CDR is missing).
//! - Direction: `call_direction` (`inbound` / `outbound` / `local`, set by FusionPBX) when
//!   present; else from `context` as in [`super::asterisk::context_class`] (`public` = inbound,
//!   `default` = placed by a registered user: internal when the destination is a 2-5 digit
//!   extension, else outbound); an unknown context with FreeSWITCH `direction` `outbound`
//!   (the switch originated the call) is outbound, else unknown. A context equal to
//!   `domain_name` (FusionPBX) counts as placed by a user.
//! - Numbers: inbound customer = `caller_id_number`, business = `destination_number`;
//!   outbound customer = `destination_number`. Agent: inbound answered calls take the callee
//!   (`callee_id_number`, `dialed_user`, `last_sent_callee_id_number`, the `bridge_channel`
//!   user); outbound and internal ones the caller extension (`caller_id_number` when it is an
//!   extension, else `user_name`).
//! - Tenant = `domain_name` (the FreeSWITCH multi-tenant key). `accountcode` is not the tenant:
//!   the stock directory sets it to the user's own extension. Queue = `cc_queue`. Quality:
//!   `read_codec`, `rtp_audio_in_mos`. Every other variable is kept in `extra`.

use super::asterisk::{ContextClass, cdr_number, channel_endpoint, context_class, is_extension};
use super::json::as_text;
use super::{Item, ItemKind, ParseCtx};
use crate::model::{
    Agent, CallDraft, Direction, EndedReason, EndedReasonCategory, Outcome, Provider, Quality,
};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::collections::HashSet;

/// How a hangup cause reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CauseClass {
    /// Normal end; unanswered, it is a no-answer.
    Cleared,
    /// Nobody answered.
    NoAnswer,
    /// Busy.
    Busy,
    /// The callee declined; unanswered, a no-answer (category `no-answer`).
    Rejected,
    /// The caller's side gave up while it rang (`ORIGINATOR_CANCEL`): missed inbound,
    /// unanswered outbound, category `canceled`.
    Canceled,
    /// Transferred away.
    Transferred,
    /// A timer ran out: `max-duration` once answered, else no-answer.
    Timeout,
    /// Routing, number, network, gateway, media or protocol failure.
    Failed,
    /// A losing ring-group leg: not a call.
    NotACall,
}

impl CauseClass {
    /// The ended-reason category of a leg that was (or was not) answered.
    pub fn category(self, answered: bool) -> EndedReasonCategory {
        match self {
            CauseClass::Cleared | CauseClass::NotACall => EndedReasonCategory::Other,
            CauseClass::NoAnswer | CauseClass::Rejected => EndedReasonCategory::NoAnswer,
            CauseClass::Busy => EndedReasonCategory::Busy,
            CauseClass::Canceled => EndedReasonCategory::Canceled,
            CauseClass::Transferred => EndedReasonCategory::Transferred,
            CauseClass::Timeout if answered => EndedReasonCategory::MaxDuration,
            CauseClass::Timeout => EndedReasonCategory::NoAnswer,
            CauseClass::Failed => EndedReasonCategory::Error,
        }
    }

    /// The outcome of an unanswered leg (answered legs are `answered` / `voicemail`).
    pub fn unanswered_outcome(self, direction: Direction) -> Outcome {
        match self {
            CauseClass::Busy => Outcome::Busy,
            CauseClass::Failed => Outcome::Failed,
            CauseClass::NotACall => Outcome::Canceled,
            CauseClass::Cleared
            | CauseClass::NoAnswer
            | CauseClass::Rejected
            | CauseClass::Canceled
            | CauseClass::Transferred
            | CauseClass::Timeout => Outcome::no_answer(direction),
        }
    }
}

use CauseClass::{
    Busy, Canceled, Cleared, Failed, NoAnswer, NotACall, Rejected, Timeout, Transferred,
};

/// The 82 hangup causes of FreeSWITCH's CAUSE_CHART with their Q.850 / FreeSWITCH code and
/// class.
pub const HANGUP_CAUSES: &[(&str, u16, CauseClass)] = &[
    ("NONE", 0, Cleared),
    ("UNALLOCATED_NUMBER", 1, Failed),
    ("NO_ROUTE_TRANSIT_NET", 2, Failed),
    ("NO_ROUTE_DESTINATION", 3, Failed),
    ("CHANNEL_UNACCEPTABLE", 6, Failed),
    ("CALL_AWARDED_DELIVERED", 7, Cleared),
    ("NORMAL_CLEARING", 16, Cleared),
    ("USER_BUSY", 17, Busy),
    ("NO_USER_RESPONSE", 18, NoAnswer),
    ("NO_ANSWER", 19, NoAnswer),
    ("SUBSCRIBER_ABSENT", 20, Failed),
    ("CALL_REJECTED", 21, Rejected),
    ("NUMBER_CHANGED", 22, Failed),
    ("REDIRECTION_TO_NEW_DESTINATION", 23, Transferred),
    ("EXCHANGE_ROUTING_ERROR", 25, Failed),
    ("DESTINATION_OUT_OF_ORDER", 27, Failed),
    ("INVALID_NUMBER_FORMAT", 28, Failed),
    ("FACILITY_REJECTED", 29, Failed),
    ("RESPONSE_TO_STATUS_ENQUIRY", 30, Failed),
    ("NORMAL_UNSPECIFIED", 31, Cleared),
    ("NORMAL_CIRCUIT_CONGESTION", 34, Failed),
    ("NETWORK_OUT_OF_ORDER", 38, Failed),
    ("NORMAL_TEMPORARY_FAILURE", 41, Failed),
    ("SWITCH_CONGESTION", 42, Failed),
    ("ACCESS_INFO_DISCARDED", 43, Failed),
    ("REQUESTED_CHAN_UNAVAIL", 44, Failed),
    ("PRE_EMPTED", 45, Failed),
    ("FACILITY_NOT_SUBSCRIBED", 50, Failed),
    ("OUTGOING_CALL_BARRED", 52, Failed),
    ("INCOMING_CALL_BARRED", 54, Failed),
    ("BEARERCAPABILITY_NOTAUTH", 57, Failed),
    ("BEARERCAPABILITY_NOTAVAIL", 58, Failed),
    ("SERVICE_UNAVAILABLE", 63, Failed),
    ("BEARERCAPABILITY_NOTIMPL", 65, Failed),
    ("CHAN_NOT_IMPLEMENTED", 66, Failed),
    ("FACILITY_NOT_IMPLEMENTED", 69, Failed),
    ("SERVICE_NOT_IMPLEMENTED", 79, Failed),
    ("INVALID_CALL_REFERENCE", 81, Failed),
    ("INCOMPATIBLE_DESTINATION", 88, Failed),
    ("INVALID_MSG_UNSPECIFIED", 95, Failed),
    ("MANDATORY_IE_MISSING", 96, Failed),
    ("MESSAGE_TYPE_NONEXIST", 97, Failed),
    ("WRONG_MESSAGE", 98, Failed),
    ("IE_NONEXIST", 99, Failed),
    ("INVALID_IE_CONTENTS", 100, Failed),
    ("WRONG_CALL_STATE", 101, Failed),
    ("RECOVERY_ON_TIMER_EXPIRE", 102, Failed),
    ("MANDATORY_IE_LENGTH_ERROR", 103, Failed),
    ("PROTOCOL_ERROR", 111, Failed),
    ("INTERWORKING", 127, Failed),
    ("SUCCESS", 142, Cleared),
    ("ORIGINATOR_CANCEL", 487, Canceled),
    ("CRASH", 700, Failed),
    ("SYSTEM_SHUTDOWN", 701, Failed),
    ("LOSE_RACE", 702, NotACall),
    ("MANAGER_REQUEST", 703, Cleared),
    ("BLIND_TRANSFER", 800, Transferred),
    ("ATTENDED_TRANSFER", 801, Transferred),
    ("ALLOTTED_TIMEOUT", 802, Timeout),
    ("USER_CHALLENGE", 803, Failed),
    ("MEDIA_TIMEOUT", 804, Failed),
    ("PICKED_OFF", 805, NotACall),
    ("USER_NOT_REGISTERED", 806, Failed),
    ("PROGRESS_TIMEOUT", 807, NoAnswer),
    ("INVALID_GATEWAY", 808, Failed),
    ("GATEWAY_DOWN", 809, Failed),
    ("INVALID_URL", 810, Failed),
    ("INVALID_PROFILE", 811, Failed),
    ("NO_PICKUP", 812, NoAnswer),
    ("SRTP_READ_ERROR", 813, Failed),
    ("BOWOUT", 814, Cleared),
    ("BUSY_EVERYWHERE", 815, Busy),
    ("DECLINE", 816, Rejected),
    ("DOES_NOT_EXIST_ANYWHERE", 817, Failed),
    ("NOT_ACCEPTABLE", 818, Failed),
    ("UNWANTED", 819, Rejected),
    ("NO_IDENTITY", 820, Failed),
    ("BAD_IDENTITY_INFO", 821, Failed),
    ("UNSUPPORTED_CERTIFICATE", 822, Failed),
    ("INVALID_IDENTITY", 823, Failed),
    ("STALE_DATE", 824, Failed),
    ("REJECT_ALL", 825, Rejected),
];

/// Look a hangup cause up (case ignored): its code and class.
pub fn hangup_cause(word: &str) -> Option<(u16, CauseClass)> {
    let w = word.trim();
    HANGUP_CAUSES
        .iter()
        .find(|(c, _, _)| c.eq_ignore_ascii_case(w))
        .map(|(_, code, class)| (*code, *class))
}

/// The column order of a `mod_cdr_csv` template: one channel-variable name per column.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct FreeswitchColumns {
    /// Variable names in column order (`uuid`, `start_stamp`, ...). A column that is not a
    /// single `${variable}` is named `column{n}` (1-based) and kept in `extra`.
    pub names: Vec<String>,
}

impl FreeswitchColumns {
    /// Columns from variable names in order.
    pub fn new<S: Into<String>>(names: impl IntoIterator<Item = S>) -> Self {
        FreeswitchColumns {
            names: names.into_iter().map(Into::into).collect(),
        }
    }

    /// The stock `example` template (15 columns, the default of `cdr_csv.conf.xml`).
    pub fn example() -> Self {
        Self::new([
            "caller_id_name",
            "caller_id_number",
            "destination_number",
            "context",
            "start_stamp",
            "answer_stamp",
            "end_stamp",
            "duration",
            "billsec",
            "hangup_cause",
            "uuid",
            "bleg_uuid",
            "accountcode",
            "read_codec",
            "write_codec",
        ])
    }

    /// The stock `asterisk` template (18 columns in Asterisk's `cdr_csv` order).
    pub fn asterisk() -> Self {
        Self::new([
            "accountcode",
            "caller_id_number",
            "destination_number",
            "context",
            "caller_id",
            "channel_name",
            "bridge_channel",
            "last_app",
            "last_arg",
            "start_stamp",
            "answer_stamp",
            "end_stamp",
            "duration",
            "billsec",
            "hangup_cause",
            "amaflags",
            "uuid",
            "userfield",
        ])
    }

    /// Columns from a template line of `cdr_csv.conf.xml`, e.g.
    /// `"${caller_id_name}","${uuid}","${start_stamp}"`.
    pub fn from_template(template: &str) -> Self {
        let names = template
            .split(',')
            .enumerate()
            .map(|(i, cell)| {
                let c = cell.trim().trim_matches('"').trim();
                c.strip_prefix("${")
                    .and_then(|r| r.strip_suffix('}'))
                    .filter(|n| !n.is_empty() && !n.contains(['$', '{', '}']))
                    .map_or_else(|| format!("column{}", i + 1), str::to_string)
            })
            .collect();
        FreeswitchColumns { names }
    }

    fn position(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }
}

fn is_stamp(cell: Option<&str>) -> bool {
    cell.is_some_and(|c| crate::time::parse_naive(c.trim()).is_some())
}

/// The stock template a header-less row fits: `example` (15 columns, stamps in columns 5 and 7)
/// or `asterisk` (18 columns, stamps in columns 10 and 12).
fn template_of(row: &csv::StringRecord) -> Option<FreeswitchColumns> {
    match row.len() {
        15 if is_stamp(row.get(4)) && is_stamp(row.get(6)) => Some(FreeswitchColumns::example()),
        18 if is_stamp(row.get(9)) && is_stamp(row.get(11)) => Some(FreeswitchColumns::asterisk()),
        _ => None,
    }
}

/// Whether a header-less CSV row is a FreeSWITCH `mod_cdr_csv` row of a stock template: the
/// column count, date-times in the stamp columns and a known hangup cause in its column.
pub fn detect_csv(first_row: &csv::StringRecord) -> bool {
    template_of(first_row)
        .and_then(|t| t.position("hangup_cause"))
        .and_then(|i| first_row.get(i))
        .is_some_and(|w| hangup_cause(w).is_some())
}

/// Channel variables of one leg, with the path prefix of their source.
#[derive(Debug)]
struct Vars {
    pairs: Vec<(String, String)>,
    prefix: String,
}

impl Vars {
    fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, v)| n == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    fn path(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    fn from_row(columns: &FreeswitchColumns, row: &csv::StringRecord) -> Vars {
        let pairs = row
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                let name = columns
                    .names
                    .get(i)
                    .cloned()
                    .unwrap_or_else(|| format!("column{}", i + 1));
                (name, cell.trim().to_string())
            })
            .collect();
        Vars {
            pairs,
            prefix: String::new(),
        }
    }
}

/// Parse header-less `mod_cdr_csv` rows of the stock `example` or `asterisk` template (told
/// per row by shape): exactly one item per row, in order (index = row number, 1-based).
pub fn parse_csv(rows: &[csv::StringRecord], ctx: &mut ParseCtx) -> Vec<Item> {
    let vars: Vec<Option<Vars>> = rows
        .iter()
        .map(|r| template_of(r).map(|t| Vars::from_row(&t, r)))
        .collect();
    parse_vars_rows(vars, ctx)
}

/// Parse `mod_cdr_csv` rows written by a user template given as a column map.
pub fn parse_csv_with(
    columns: &FreeswitchColumns,
    rows: &[csv::StringRecord],
    ctx: &mut ParseCtx,
) -> Vec<Item> {
    let vars: Vec<Option<Vars>> = rows
        .iter()
        .map(|r| Some(Vars::from_row(columns, r)))
        .collect();
    parse_vars_rows(vars, ctx)
}

fn parse_vars_rows(rows: Vec<Option<Vars>>, ctx: &mut ParseCtx) -> Vec<Item> {
    let blegs: HashSet<String> = rows
        .iter()
        .flatten()
        .filter_map(|v| v.get("bleg_uuid").map(str::to_string))
        .collect();
    rows.into_iter()
        .enumerate()
        .map(|(i, vars)| {
            let index = i + 1;
            let Some(vars) = vars else {
                return ctx.reject(
                    "$",
                    index,
                    "columns",
                    "not a mod_cdr_csv row of the example (15 columns) or asterisk (18 columns) template; give the template's column map",
                );
            };
            if vars.get("uuid").is_some_and(|u| blegs.contains(u)) {
                return Item { path: "$".into(), index, kind: ItemKind::Folded };
            }
            let built = build(&vars, ctx);
            close(built, "$", index, ctx)
        })
        .collect()
}

/// What one leg is.
enum Built {
    /// A call (or a B-leg of one when the A-leg id is given).
    Call(Box<CallDraft>, bool),
    /// Not a call.
    NotCall(&'static str),
}

fn close(built: Built, path: &str, index: usize, ctx: &mut ParseCtx) -> Item {
    match built {
        Built::NotCall(what) => ctx.non_call(path, index, what),
        Built::Call(draft, event) => ctx.finish(*draft, path, index, event),
    }
}

fn text(s: &str) -> Value {
    Value::String(s.to_string())
}

/// Variables consumed into record fields (the rest go to `extra`).
const TIMING: &[&str] = &[
    "uuid",
    "start_uepoch",
    "start_epoch",
    "start_stamp",
    "answer_uepoch",
    "answer_epoch",
    "answer_stamp",
    "end_uepoch",
    "end_epoch",
    "end_stamp",
    "duration",
    "mduration",
    "uduration",
    "billsec",
    "billmsec",
    "billusec",
    "hangup_cause",
];

/// An instant from `{base}_uepoch`, `{base}_epoch` or `{base}_stamp`, in that order.
fn leg_instant(vars: &Vars, base: &str, ctx: &mut ParseCtx) -> Option<DateTime<Utc>> {
    for suffix in ["_uepoch", "_epoch"] {
        let name = format!("{base}{suffix}");
        if let Some(v) = vars.get(&name) {
            if v.trim() == "0" {
                return None;
            }
            match v
                .trim()
                .parse::<f64>()
                .ok()
                .and_then(crate::time::from_epoch)
            {
                Some(t) => return Some(t),
                None => ctx.bad(vars.path(&name), format!("not an epoch: {v:?}")),
            }
        }
    }
    let name = format!("{base}_stamp");
    let v = vars.get(&name).map(text);
    ctx.instant(v.as_ref(), &vars.path(&name))
}

/// Seconds from the first present of `(variable, units per second)`.
fn leg_seconds(vars: &Vars, names: &[(&str, f64)], ctx: &mut ParseCtx) -> Option<f64> {
    let (name, per_second) = names.iter().find(|(n, _)| vars.get(n).is_some())?;
    let v = vars.get(name).map(text);
    ctx.seconds(v.as_ref(), &vars.path(name))
        .map(|x| x / per_second)
}

fn build(vars: &Vars, ctx: &mut ParseCtx) -> Built {
    let Some(uuid) = vars.get("uuid").map(str::to_string) else {
        ctx.fatal(vars.path("uuid"), "no uuid");
        return Built::Call(Box::default(), false);
    };
    let cause_word = vars.get("hangup_cause").map(str::to_string);
    let cause = cause_word.as_deref().and_then(hangup_cause);
    if let Some((_, NotACall)) = cause {
        return Built::NotCall("losing ring-group leg");
    }
    if let (Some(w), None) = (&cause_word, cause) {
        ctx.unknown_word(Provider::FreeSwitch, w);
    }
    let a_leg = vars
        .get("originating_leg_uuid")
        .or_else(|| {
            vars.get("direction")
                .filter(|d| d.eq_ignore_ascii_case("outbound"))
                .and_then(|_| vars.get("call_uuid"))
        })
        .filter(|a| *a != uuid)
        .map(str::to_string);
    let mut draft = CallDraft::new(
        Provider::FreeSwitch,
        a_leg.clone().unwrap_or_else(|| uuid.clone()),
    );
    draft.precedence = if a_leg.is_some() { 1 } else { 2 };
    let start = leg_instant(vars, "start", ctx);
    let answer = leg_instant(vars, "answer", ctx);
    let end = leg_instant(vars, "end", ctx);
    let duration = leg_seconds(
        vars,
        &[("uduration", 1e6), ("mduration", 1e3), ("duration", 1.0)],
        ctx,
    );
    let talk = leg_seconds(
        vars,
        &[("billusec", 1e6), ("billmsec", 1e3), ("billsec", 1.0)],
        ctx,
    );
    let answered = talk.is_some_and(|t| t > 0.0) || answer.is_some();
    let src = vars.get("caller_id_number");
    let dst = vars.get("destination_number");
    let context = vars.get("context").unwrap_or_default();
    let class = if !context.is_empty() && vars.get("domain_name") == Some(context) {
        // FusionPBX-style: a user's calls run in the context named after their domain.
        ContextClass::FromUser
    } else {
        context_class(context)
    };
    let stated = vars
        .get("call_direction")
        .and_then(|d| match d.to_ascii_lowercase().as_str() {
            "inbound" => Some(Direction::Inbound),
            "outbound" => Some(Direction::Outbound),
            "local" | "internal" => Some(Direction::Internal),
            _ => None,
        });
    let switch_originated = vars
        .get("direction")
        .is_some_and(|d| d.eq_ignore_ascii_case("outbound"));
    let direction = stated.unwrap_or(match class {
        ContextClass::Inbound => Direction::Inbound,
        ContextClass::FromUser if dst.is_some_and(is_extension) => Direction::Internal,
        ContextClass::FromUser => Direction::Outbound,
        ContextClass::Unknown if switch_originated => Direction::Outbound,
        ContextClass::Unknown => Direction::Unknown,
    });
    let voicemail = answered
        && vars
            .get("last_app")
            .is_some_and(|a| a.eq_ignore_ascii_case("voicemail"));
    let outcome = if voicemail {
        Outcome::Voicemail
    } else if answered {
        Outcome::Answered
    } else {
        cause.map_or(Outcome::Unknown, |(_, class)| {
            class.unanswered_outcome(direction)
        })
    };
    let category = if voicemail {
        EndedReasonCategory::Voicemail
    } else {
        cause.map_or(EndedReasonCategory::Other, |(_, class)| {
            class.category(answered)
        })
    };
    draft.started_at = start;
    draft.ended_at = end;
    draft.duration_s = duration;
    draft.talk_s = talk;
    draft.outcome = Some(outcome);
    draft.raw_status = cause_word.clone();
    draft.ended_reason = cause_word.map(|raw| EndedReason { category, raw });
    if outcome == Outcome::Answered {
        draft.answered_at = answer.or_else(|| {
            let (end, talk) = (end?, talk?);
            // Bounded so that absurd billed times cannot overflow the instant arithmetic.
            let talk = chrono::Duration::microseconds((talk.min(1e9) * 1e6).round() as i64);
            end.checked_sub_signed(talk)
        });
    }
    let mut used: Vec<&str> = TIMING.to_vec();
    let callee = || {
        [
            "callee_id_number",
            "dialed_user",
            "last_sent_callee_id_number",
        ]
        .iter()
        .find_map(|n| vars.get(n).map(str::to_string))
        .or_else(|| vars.get("bridge_channel").and_then(channel_endpoint))
    };
    let caller_extension = || {
        src.filter(|s| is_extension(s))
            .map(str::to_string)
            .or_else(|| vars.get("user_name").map(str::to_string))
    };
    if a_leg.is_some() {
        // A B-leg: only what the A-leg cannot know; its direction is the switch's, not the call's.
        if answered {
            draft.agent = callee()
                .or_else(|| dst.filter(|d| is_extension(d)).map(str::to_string))
                .map(agent);
        }
        draft.extra.insert("bLegUuid".into(), text(&uuid));
        return Built::Call(Box::new(draft), true);
    }
    draft.direction = Some(direction);
    match direction {
        Direction::Inbound => {
            draft.customer_number = src.and_then(cdr_number);
            draft.business_number = dst.and_then(cdr_number);
            draft.customer_name = vars.get("caller_id_name").map(str::to_string);
            used.extend(["caller_id_number", "destination_number", "caller_id_name"]);
            if outcome == Outcome::Answered {
                draft.agent = callee().map(agent);
            }
        }
        Direction::Outbound | Direction::Internal => {
            if direction == Direction::Outbound {
                draft.customer_number = dst.and_then(cdr_number);
                if draft.customer_number.is_some() {
                    used.push("destination_number");
                }
            }
            draft.agent = caller_extension().map(agent);
        }
        Direction::Unknown => {}
    }
    if let Some(domain) = vars.get("domain_name") {
        draft.tenant = Some(domain.to_string());
        used.push("domain_name");
    }
    if let Some(queue) = vars.get("cc_queue") {
        draft.queue = Some(queue.to_string());
        used.push("cc_queue");
    }
    let mos_v = vars.get("rtp_audio_in_mos").map(text);
    let quality = Quality {
        codec: vars.get("read_codec").map(str::to_string),
        mos: ctx.number(mos_v.as_ref(), &vars.path("rtp_audio_in_mos")),
        ..Default::default()
    };
    if !quality.is_empty() {
        draft.quality = Some(quality);
    }
    used.extend(["read_codec", "rtp_audio_in_mos"]);
    for (name, value) in &vars.pairs {
        if !value.is_empty() && !used.contains(&name.as_str()) && !draft.extra.contains_key(name) {
            draft.extra.insert(name.clone(), text(value));
        }
    }
    Built::Call(Box::new(draft), false)
}

fn agent(id: String) -> Agent {
    Agent {
        id: Some(id),
        email: None,
        name: None,
    }
}

/// Whether a JSON document is a `mod_json_cdr` CDR: a `variables` object beside `core-uuid`,
/// `channel_data` or `callflow`.
pub fn detect(value: &Value) -> bool {
    value.get("variables").is_some_and(Value::is_object)
        && (value.get("core-uuid").is_some()
            || value.get("channel_data").is_some()
            || value.get("callflow").is_some())
}

/// Parse a `mod_json_cdr` document (one CDR, or an array of them).
pub fn parse(value: &Value, path: &str, ctx: &mut ParseCtx) -> Vec<Item> {
    match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| parse_one(v, &format!("{path}[{i}]"), ctx))
            .collect(),
        _ => vec![parse_one(value, path, ctx)],
    }
}

/// A variable value as text, URL-decoded (`encode-values=true` encodes every value; a literal
/// `%` would be written `%25`, so decoding a value that was not encoded is harmless unless it
/// holds a `%` followed by two hex digits).
fn decoded(v: &Value) -> Option<String> {
    let t = as_text(v)?;
    if t.contains('%') {
        Some(
            percent_encoding::percent_decode_str(&t)
                .decode_utf8_lossy()
                .into_owned(),
        )
    } else {
        Some(t)
    }
}

fn parse_one(value: &Value, path: &str, ctx: &mut ParseCtx) -> Item {
    let Some(variables) = value.get("variables").and_then(Value::as_object) else {
        return ctx.reject(
            path,
            0,
            format!("{path}.variables"),
            "not a FreeSWITCH JSON CDR: no variables object",
        );
    };
    let mut pairs: Vec<(String, String)> = variables
        .iter()
        .filter_map(|(k, v)| decoded(v).map(|t| (k.clone(), t)))
        .collect();
    // Fallbacks from the first callflow step: caller profile and µs times.
    let flow = match value.get("callflow") {
        Some(Value::Array(steps)) => steps.first(),
        Some(step @ Value::Object(_)) => Some(step),
        _ => None,
    };
    if let Some(step) = flow {
        let mut fallback = |name: &str, v: Option<&Value>| {
            if let Some(t) = v.and_then(decoded) {
                if !pairs.iter().any(|(n, x)| n == name && !x.is_empty()) {
                    pairs.push((name.to_string(), t));
                }
            }
        };
        let profile = step.get("caller_profile");
        for name in [
            "uuid",
            "caller_id_number",
            "caller_id_name",
            "destination_number",
            "context",
        ] {
            fallback(name, profile.and_then(|p| p.get(name)));
        }
        let times = step.get("times");
        fallback("start_uepoch", times.and_then(|t| t.get("created_time")));
        fallback("answer_uepoch", times.and_then(|t| t.get("answered_time")));
        fallback("end_uepoch", times.and_then(|t| t.get("hangup_time")));
    }
    let vars = Vars {
        pairs,
        prefix: format!("{path}.variables."),
    };
    let built = build(&vars, ctx);
    let built = match built {
        Built::Call(mut draft, false) => {
            if let Some(obj) = value.as_object() {
                super::json::keep_rest(obj, &["variables"], &mut draft.extra);
            }
            Built::Call(draft, false)
        }
        other => other,
    };
    close(built, path, 0, ctx)
}

/// Parse a `mod_json_cdr` form body (`cdr=<urlencoded json>`, already split into decoded
/// pairs). The JSON may also be base64 (`encode=base64`). XML CDRs are rejected.
pub fn parse_form(pairs: &[(String, String)], ctx: &mut ParseCtx) -> Vec<Item> {
    let Some((_, cdr)) = pairs.iter().find(|(k, _)| k == "cdr") else {
        return vec![ctx.reject("$", 0, "cdr", "form body has no cdr field")];
    };
    let body = cdr.trim();
    let json = if body.starts_with('{') || body.starts_with('[') {
        body.to_string()
    } else if body.starts_with('<') {
        return vec![ctx.reject(
            "$",
            0,
            "cdr",
            "XML CDRs (mod_xml_cdr) are not read: post JSON with mod_json_cdr",
        )];
    } else {
        match base64::engine::general_purpose::STANDARD
            .decode(body)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
        {
            Some(t) => t,
            None => return vec![ctx.reject("$", 0, "cdr", "cdr is neither JSON nor base64 JSON")],
        }
    };
    match serde_json::from_str::<Value>(&json) {
        Ok(value) => parse(&value, "$", ctx),
        Err(e) => vec![ctx.reject("$", 0, "cdr", format!("cdr is not valid JSON: {e}"))],
    }
}

/// Parse a raw `application/x-www-form-urlencoded` body (`cdr=%7B...%7D`): split and decode
/// the pairs, then [`parse_form`].
pub fn parse_form_body(body: &str, ctx: &mut ParseCtx) -> Vec<Item> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(body.trim().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    parse_form(&pairs, ctx)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn records(bytes: &[u8]) -> Vec<csv::StringRecord> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes)
            .records()
            .map(|r| r.unwrap())
            .collect()
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn utc() -> ParseCtx {
        ParseCtx::new(chrono_tz::UTC, false)
    }

    fn call(item: &Item) -> &CallDraft {
        match &item.kind {
            ItemKind::Call { draft, .. } => draft,
            other => panic!("not a call: {other:?}"),
        }
    }

    const EXCEL: &[u8] =
        include_bytes!("../../../tests/data/freeswitch/mod_cdr_csv_Master_excel_mangled.csv");
    const JSON_A: &str = include_str!("../../../tests/data/freeswitch/json_cdr_inbound_a_leg.json");
    const JSON_B: &str = include_str!("../../../tests/data/freeswitch/json_cdr_inbound_b_leg.json");

    proptest::proptest! {
        #[test]
        fn never_panics_and_keeps_one_item_per_row(
            rows in proptest::collection::vec(proptest::collection::vec(proptest::prop_oneof![
                proptest::strategy::Just("2024-01-01 10:00:00".to_string()),
                proptest::strategy::Just(String::new()),
                proptest::strategy::Just("NORMAL_CLEARING".to_string()),
                proptest::strategy::Just("LOSE_RACE".to_string()),
                proptest::strategy::Just("1e300".to_string()),
                proptest::strategy::Just("-5".to_string()),
                proptest::strategy::Just("0".to_string()),
                "\\PC{0,8}",
            ], 0..20), 0..8)
        ) {
            let records: Vec<csv::StringRecord> = rows.iter().map(|r| csv::StringRecord::from(r.clone())).collect();
            for strict in [false, true] {
                let items = parse_csv(&records, &mut ParseCtx::new(chrono_tz::UTC, strict));
                proptest::prop_assert_eq!(items.len(), records.len());
                let cols = FreeswitchColumns::new(["uuid", "start_uepoch", "answer_epoch", "end_stamp", "billusec", "hangup_cause", "bleg_uuid"]);
                let items = parse_csv_with(&cols, &records, &mut ParseCtx::new(chrono_tz::UTC, strict));
                proptest::prop_assert_eq!(items.len(), records.len());
                let items = crate::providers::asterisk::parse_csv(&records, &mut ParseCtx::new(chrono_tz::UTC, strict));
                proptest::prop_assert_eq!(items.len(), records.len());
            }
        }
    }

    #[test]
    fn every_hangup_cause_has_a_class() {
        assert_eq!(HANGUP_CAUSES.len(), 82);
        let names: HashSet<&str> = HANGUP_CAUSES.iter().map(|(c, _, _)| *c).collect();
        assert_eq!(names.len(), 82);
        let expect = |word: &str, code: u16, class: CauseClass| {
            assert_eq!(hangup_cause(word), Some((code, class)), "{word}");
        };
        expect("NONE", 0, Cleared);
        expect("UNALLOCATED_NUMBER", 1, Failed);
        expect("NO_ROUTE_TRANSIT_NET", 2, Failed);
        expect("NO_ROUTE_DESTINATION", 3, Failed);
        expect("CHANNEL_UNACCEPTABLE", 6, Failed);
        expect("CALL_AWARDED_DELIVERED", 7, Cleared);
        expect("NORMAL_CLEARING", 16, Cleared);
        expect("USER_BUSY", 17, Busy);
        expect("NO_USER_RESPONSE", 18, NoAnswer);
        expect("NO_ANSWER", 19, NoAnswer);
        expect("SUBSCRIBER_ABSENT", 20, Failed);
        expect("CALL_REJECTED", 21, Rejected);
        expect("NUMBER_CHANGED", 22, Failed);
        expect("REDIRECTION_TO_NEW_DESTINATION", 23, Transferred);
        expect("EXCHANGE_ROUTING_ERROR", 25, Failed);
        expect("DESTINATION_OUT_OF_ORDER", 27, Failed);
        expect("INVALID_NUMBER_FORMAT", 28, Failed);
        expect("FACILITY_REJECTED", 29, Failed);
        expect("RESPONSE_TO_STATUS_ENQUIRY", 30, Failed);
        expect("NORMAL_UNSPECIFIED", 31, Cleared);
        expect("NORMAL_CIRCUIT_CONGESTION", 34, Failed);
        expect("NETWORK_OUT_OF_ORDER", 38, Failed);
        expect("NORMAL_TEMPORARY_FAILURE", 41, Failed);
        expect("SWITCH_CONGESTION", 42, Failed);
        expect("ACCESS_INFO_DISCARDED", 43, Failed);
        expect("REQUESTED_CHAN_UNAVAIL", 44, Failed);
        expect("PRE_EMPTED", 45, Failed);
        expect("FACILITY_NOT_SUBSCRIBED", 50, Failed);
        expect("OUTGOING_CALL_BARRED", 52, Failed);
        expect("INCOMING_CALL_BARRED", 54, Failed);
        expect("BEARERCAPABILITY_NOTAUTH", 57, Failed);
        expect("BEARERCAPABILITY_NOTAVAIL", 58, Failed);
        expect("SERVICE_UNAVAILABLE", 63, Failed);
        expect("BEARERCAPABILITY_NOTIMPL", 65, Failed);
        expect("CHAN_NOT_IMPLEMENTED", 66, Failed);
        expect("FACILITY_NOT_IMPLEMENTED", 69, Failed);
        expect("SERVICE_NOT_IMPLEMENTED", 79, Failed);
        expect("INVALID_CALL_REFERENCE", 81, Failed);
        expect("INCOMPATIBLE_DESTINATION", 88, Failed);
        expect("INVALID_MSG_UNSPECIFIED", 95, Failed);
        expect("MANDATORY_IE_MISSING", 96, Failed);
        expect("MESSAGE_TYPE_NONEXIST", 97, Failed);
        expect("WRONG_MESSAGE", 98, Failed);
        expect("IE_NONEXIST", 99, Failed);
        expect("INVALID_IE_CONTENTS", 100, Failed);
        expect("WRONG_CALL_STATE", 101, Failed);
        expect("RECOVERY_ON_TIMER_EXPIRE", 102, Failed);
        expect("MANDATORY_IE_LENGTH_ERROR", 103, Failed);
        expect("PROTOCOL_ERROR", 111, Failed);
        expect("INTERWORKING", 127, Failed);
        expect("SUCCESS", 142, Cleared);
        expect("ORIGINATOR_CANCEL", 487, Canceled);
        expect("CRASH", 700, Failed);
        expect("SYSTEM_SHUTDOWN", 701, Failed);
        expect("LOSE_RACE", 702, NotACall);
        expect("MANAGER_REQUEST", 703, Cleared);
        expect("BLIND_TRANSFER", 800, Transferred);
        expect("ATTENDED_TRANSFER", 801, Transferred);
        expect("ALLOTTED_TIMEOUT", 802, Timeout);
        expect("USER_CHALLENGE", 803, Failed);
        expect("MEDIA_TIMEOUT", 804, Failed);
        expect("PICKED_OFF", 805, NotACall);
        expect("USER_NOT_REGISTERED", 806, Failed);
        expect("PROGRESS_TIMEOUT", 807, NoAnswer);
        expect("INVALID_GATEWAY", 808, Failed);
        expect("GATEWAY_DOWN", 809, Failed);
        expect("INVALID_URL", 810, Failed);
        expect("INVALID_PROFILE", 811, Failed);
        expect("NO_PICKUP", 812, NoAnswer);
        expect("SRTP_READ_ERROR", 813, Failed);
        expect("BOWOUT", 814, Cleared);
        expect("BUSY_EVERYWHERE", 815, Busy);
        expect("DECLINE", 816, Rejected);
        expect("DOES_NOT_EXIST_ANYWHERE", 817, Failed);
        expect("NOT_ACCEPTABLE", 818, Failed);
        expect("UNWANTED", 819, Rejected);
        expect("NO_IDENTITY", 820, Failed);
        expect("BAD_IDENTITY_INFO", 821, Failed);
        expect("UNSUPPORTED_CERTIFICATE", 822, Failed);
        expect("INVALID_IDENTITY", 823, Failed);
        expect("STALE_DATE", 824, Failed);
        expect("REJECT_ALL", 825, Rejected);
        assert_eq!(hangup_cause("normal_clearing"), Some((16, Cleared)));
        assert_eq!(hangup_cause("NORMAL"), None);
    }

    #[test]
    fn classes_give_categories_and_outcomes() {
        use EndedReasonCategory as C;
        assert_eq!(Cleared.category(true), C::Other);
        assert_eq!(
            Cleared.unanswered_outcome(Direction::Inbound),
            Outcome::Missed
        );
        assert_eq!(NoAnswer.category(false), C::NoAnswer);
        assert_eq!(
            NoAnswer.unanswered_outcome(Direction::Outbound),
            Outcome::Unanswered
        );
        assert_eq!(Busy.category(false), C::Busy);
        assert_eq!(Busy.unanswered_outcome(Direction::Inbound), Outcome::Busy);
        assert_eq!(Rejected.category(false), C::NoAnswer);
        assert_eq!(
            Rejected.unanswered_outcome(Direction::Outbound),
            Outcome::Unanswered
        );
        assert_eq!(Canceled.category(false), C::Canceled);
        assert_eq!(
            Canceled.unanswered_outcome(Direction::Inbound),
            Outcome::Missed
        );
        assert_eq!(Transferred.category(true), C::Transferred);
        assert_eq!(Timeout.category(true), C::MaxDuration);
        assert_eq!(Timeout.category(false), C::NoAnswer);
        assert_eq!(Failed.category(false), C::Error);
        assert_eq!(
            Failed.unanswered_outcome(Direction::Inbound),
            Outcome::Failed
        );
    }

    #[test]
    fn stated_and_domain_directions() {
        let cols = FreeswitchColumns::new([
            "uuid",
            "start_epoch",
            "billsec",
            "hangup_cause",
            "context",
            "domain_name",
            "destination_number",
            "call_direction",
        ]);
        let rows = records(
            b"d-1,1714554000,5,NORMAL_CLEARING,acme.example.com,acme.example.com,+14158675309,\n\
              d-2,1714554000,5,NORMAL_CLEARING,acme.example.com,acme.example.com,1004,\n\
              d-3,1714554000,0,NO_ANSWER,public,acme.example.com,1004,local\n",
        );
        let items = parse_csv_with(&cols, &rows, &mut utc());
        assert_eq!(call(&items[0]).direction, Some(Direction::Outbound));
        assert_eq!(call(&items[1]).direction, Some(Direction::Internal));
        // call_direction wins over the public context; unanswered internal -> unanswered.
        assert_eq!(call(&items[2]).direction, Some(Direction::Internal));
        assert_eq!(call(&items[2]).outcome, Some(Outcome::Unanswered));
        assert_eq!(call(&items[2]).tenant.as_deref(), Some("acme.example.com"));
    }

    #[test]
    fn templates() {
        let t = FreeswitchColumns::from_template(
            r#""${caller_id_name}","${caller_id_number}","${destination_number}","${context}","${start_stamp}","${answer_stamp}","${end_stamp}","${duration}","${billsec}","${hangup_cause}","${uuid}","${bleg_uuid}","${accountcode}","${read_codec}","${write_codec}""#,
        );
        assert_eq!(t, FreeswitchColumns::example());
        let odd = FreeswitchColumns::from_template(r#""${uuid}","literal","${hangup_cause}""#);
        assert_eq!(odd.names, vec!["uuid", "column2", "hangup_cause"]);
    }

    #[test]
    fn excel_mangled_file() {
        let rows = records(EXCEL);
        assert_eq!(rows.len(), 10);
        assert!(detect_csv(&rows[0]));
        assert!(!crate::providers::asterisk::detect_csv(&rows[0]));
        let mut ctx = utc();
        let items = parse_csv(&rows, &mut ctx);
        assert_eq!(items.len(), 10);
        // Row 1: Outbound Call,1002,&,default,2020/2/10 22:41 (x3),11,9,NORMAL_CLEARING,d80e22e0-...
        let d = call(&items[0]);
        assert_eq!(
            d.provider_call_id.as_deref(),
            Some("d80e22e0-4c15-11ea-97a0-9dd79410affb")
        );
        assert_eq!(d.started_at, Some(at("2020-02-10T22:41:00Z")));
        assert_eq!(d.answered_at, Some(at("2020-02-10T22:41:00Z")));
        assert_eq!(d.ended_at, Some(at("2020-02-10T22:41:00Z"))); // Excel dropped the seconds
        assert_eq!(d.duration_s, Some(11.0));
        assert_eq!(d.talk_s, Some(9.0));
        assert_eq!(d.outcome, Some(Outcome::Answered));
        assert_eq!(d.direction, Some(Direction::Outbound)); // context default, "&" is no extension
        assert_eq!(d.customer_number, None); // "&" holds no digit
        assert_eq!(d.agent.as_ref().and_then(|a| a.id.as_deref()), Some("1002"));
        assert_eq!(
            d.ended_reason,
            Some(EndedReason {
                category: EndedReasonCategory::Other,
                raw: "NORMAL_CLEARING".into()
            })
        );
        assert_eq!(
            d.quality.as_ref().and_then(|q| q.codec.as_deref()),
            Some("PCMU")
        );
        assert_eq!(d.extra["caller_id_name"], "Outbound Call");
        assert_eq!(d.extra["accountcode"], "1002");
        assert_eq!(d.extra["write_codec"], "PCMU");
        assert_eq!(d.tenant, None);
        // Row 3: ,0,1002,default,22:41,,22:41,2,0,NO_USER_RESPONSE: internal (1002 is an
        // extension), not answered -> unanswered, no-answer.
        let d = call(&items[2]);
        assert_eq!(d.direction, Some(Direction::Internal));
        assert_eq!(d.outcome, Some(Outcome::Unanswered));
        assert_eq!(d.answered_at, None);
        assert_eq!(
            d.ended_reason.as_ref().map(|e| e.category),
            Some(EndedReasonCategory::NoAnswer)
        );
        assert_eq!(d.agent, None); // caller "0" is no extension
        // Row 5: 22:42 -> 22:47, duration 329, billsec 327.
        let d = call(&items[4]);
        assert_eq!(d.ended_at, Some(at("2020-02-10T22:47:00Z")));
        assert_eq!((d.duration_s, d.talk_s), (Some(329.0), Some(327.0)));
        // Row 7: 1002 -> 1004, billsec 32, RECOVERY_ON_TIMER_EXPIRE: answered, category error.
        let d = call(&items[6]);
        assert_eq!(d.direction, Some(Direction::Internal));
        assert_eq!(d.outcome, Some(Outcome::Answered));
        assert_eq!(
            d.ended_reason.as_ref().map(|e| e.category),
            Some(EndedReasonCategory::Error)
        );
        assert_eq!(d.started_at, Some(at("2020-02-11T11:05:00Z")));
        // Rows 8-10 repeat uuid 7adced1a-...: three items with one id (ingest merges them);
        // row 10 says USER_BUSY but billsec 20 > 0, so it is answered with category busy.
        let ids: Vec<_> = items[7..].iter().map(|i| call(i).id()).collect();
        assert!(
            ids.iter()
                .all(|id| id.as_deref() == Some("freeswitch:7adced1a-4c7c-11ea-b08c-2bfc2a06d67d"))
        );
        let d = call(&items[9]);
        assert_eq!(d.outcome, Some(Outcome::Answered));
        assert_eq!(
            d.ended_reason.as_ref().map(|e| e.category),
            Some(EndedReasonCategory::Busy)
        );
        assert!(ctx.unknown_words.is_empty());
    }

    #[test]
    fn csv_legs_and_losers() {
        let csv_text = concat!(
            "Ann,+14158675309,5000,public,2024-05-01 09:00:00,2024-05-01 09:00:05,2024-05-01 09:01:05,65,60,NORMAL_CLEARING,aaaa-1,bbbb-2,,PCMU,PCMU\n",
            "Ann,+14158675309,1001,public,2024-05-01 09:00:01,2024-05-01 09:00:05,2024-05-01 09:01:05,64,60,NORMAL_CLEARING,bbbb-2,,,PCMU,PCMU\n",
            "Ann,+14158675309,1002,public,2024-05-01 09:00:01,,2024-05-01 09:00:05,4,0,LOSE_RACE,cccc-3,,,PCMU,PCMU\n",
            "Bob,+14158675309,5000,public,2024-05-01 10:00:00,,2024-05-01 10:00:20,20,0,ORIGINATOR_CANCEL,dddd-4,,,PCMU,PCMU\n",
            "Bob,+14158675309,5000,public,2024-05-01 10:00:00,,2024-05-01 10:00:20,20,0,WEIRD_CAUSE,eeee-5,,,PCMU,PCMU\n",
            "x,y\n",
        );
        let mut ctx = ParseCtx::new(chrono_tz::America::New_York, false);
        let items = parse_csv(&records(csv_text.as_bytes()), &mut ctx);
        assert_eq!(items.len(), 6);
        let a = call(&items[0]);
        assert_eq!(a.direction, Some(Direction::Inbound));
        assert_eq!(a.customer_number.as_deref(), Some("+14158675309"));
        assert_eq!(a.business_number.as_deref(), Some("5000"));
        assert_eq!(a.customer_name.as_deref(), Some("Ann"));
        // 09:00:00 EDT = 13:00:00 UTC; wait = 5 s.
        assert_eq!(a.started_at, Some(at("2024-05-01T13:00:00Z")));
        assert_eq!(a.answered_at, Some(at("2024-05-01T13:00:05Z")));
        assert_eq!(items[1].kind, ItemKind::Folded); // bbbb-2 is row 1's bleg_uuid
        assert_eq!(
            items[2].kind,
            ItemKind::NonCall {
                what: "losing ring-group leg".into()
            }
        );
        let d = call(&items[3]);
        assert_eq!(d.outcome, Some(Outcome::Missed));
        assert_eq!(
            d.ended_reason.as_ref().map(|e| e.category),
            Some(EndedReasonCategory::Canceled)
        );
        let d = call(&items[4]);
        assert_eq!(d.outcome, Some(Outcome::Unknown));
        assert_eq!(
            ctx.unknown_words,
            vec![(Provider::FreeSwitch, "WEIRD_CAUSE".to_string())]
        );
        let ItemKind::Rejected(issue) = &items[5].kind else {
            panic!("row 6 is not rejected")
        };
        assert_eq!(issue.path, "columns");
    }

    #[test]
    fn asterisk_template_and_user_map() {
        let row = "\"\",\"+14158675309\",\"5000\",\"public\",\"\"\"Ann\"\" <+14158675309>\",\"sofia/external/+14158675309@10.0.0.1\",\"sofia/internal/1004@10.0.0.2\",\"bridge\",\"user/1004\",\"2024-05-01 09:00:00\",\"2024-05-01 09:00:03\",\"2024-05-01 09:00:33\",\"33\",\"30\",\"NORMAL_CLEARING\",\"default\",\"ffff-6\",\"\"\n";
        let rows = records(row.as_bytes());
        assert!(detect_csv(&rows[0]));
        let items = parse_csv(&rows, &mut utc());
        let d = call(&items[0]);
        assert_eq!(d.provider_call_id.as_deref(), Some("ffff-6"));
        assert_eq!(d.agent.as_ref().and_then(|a| a.id.as_deref()), Some("1004")); // bridge_channel
        assert_eq!(d.talk_s, Some(30.0));
        let cols = FreeswitchColumns::new([
            "uuid",
            "start_epoch",
            "answer_epoch",
            "end_epoch",
            "billsec",
            "hangup_cause",
        ]);
        // 1714554000 = 2024-05-01T09:00:00Z; never answered; SUBSCRIBER_ABSENT -> failed.
        let rows = records(b"u-7,1714554000,0,1714554010,0,SUBSCRIBER_ABSENT\n");
        let items = parse_csv_with(&cols, &rows, &mut utc());
        let d = call(&items[0]);
        assert_eq!(d.started_at, Some(at("2024-05-01T09:00:00Z")));
        assert_eq!(d.answered_at, None);
        assert_eq!(d.outcome, Some(Outcome::Failed));
        assert_eq!(d.direction, Some(Direction::Unknown));
    }

    #[test]
    fn json_cdr_a_and_b_legs() {
        let a: Value = serde_json::from_str(JSON_A).unwrap();
        let b: Value = serde_json::from_str(JSON_B).unwrap();
        assert!(detect(&a) && detect(&b));
        let mut ctx = utc();
        let items = parse(&a, "$", &mut ctx);
        assert_eq!(items.len(), 1);
        let ItemKind::Call { draft, event } = &items[0].kind else {
            panic!("a-leg is not a call")
        };
        assert!(!event);
        let (r, warnings) = draft.clone().into_record(true).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(r.id, "freeswitch:7f4de4bc-7b4f-4a0e-9d6c-2f3c5e0b1a11");
        assert_eq!(r.direction, Direction::Inbound); // context public
        // start_uepoch 1714554000123456 -> 2024-05-01T09:00:00.123456Z (the local
        // start_stamp "2024-05-01 11:00:00" of a UTC+2 server is not used).
        assert_eq!(r.started_at, at("2024-05-01T09:00:00.123456Z"));
        assert_eq!(r.answered_at, Some(at("2024-05-01T09:00:07.500000Z")));
        assert_eq!(r.ended_at, Some(at("2024-05-01T09:02:12.623456Z")));
        // uduration 132500000 µs = 132.5 s; billusec 125123456 µs = 125.123456 s.
        assert_eq!(r.duration_s, Some(132.5));
        assert_eq!(r.talk_s, Some(125.123456));
        // wait = 09:00:07.5 - 09:00:00.123456 = 7.376544 s
        assert_eq!(r.wait_s, Some(7.376544));
        assert_eq!(r.outcome, Outcome::Answered);
        assert_eq!(r.customer_number.as_deref(), Some("+14158675309"));
        assert_eq!(r.business_number.as_deref(), Some("+12125550123"));
        assert_eq!(r.customer_name.as_deref(), Some("Ann Smith")); // URL-decoded
        assert_eq!(r.agent.as_ref().and_then(|a| a.id.as_deref()), Some("1004"));
        assert_eq!(r.tenant.as_deref(), Some("acme.example.com"));
        assert_eq!(r.queue.as_deref(), Some("support@acme.example.com"));
        let q = r.quality.clone().unwrap();
        assert_eq!((q.codec.as_deref(), q.mos), (Some("PCMU"), Some(4.41)));
        assert_eq!(
            r.ended_reason.as_ref().map(|e| e.raw.as_str()),
            Some("NORMAL_CLEARING")
        );
        assert_eq!(r.extra["sip_hangup_disposition"], "recv_bye");
        assert_eq!(r.extra["sip_user_agent"], "Fanvil X4 2.4.0");
        assert_eq!(r.extra["switchname"], "fs01");
        assert!(r.extra.contains_key("callflow"));
        // The b-leg folds into the a-leg's id as an event with lower precedence.
        let items = parse(&b, "$", &mut ctx);
        let ItemKind::Call { draft: bleg, event } = &items[0].kind else {
            panic!("b-leg is not a call")
        };
        assert!(event);
        assert_eq!(
            bleg.id().as_deref(),
            Some("freeswitch:7f4de4bc-7b4f-4a0e-9d6c-2f3c5e0b1a11")
        );
        assert_eq!(bleg.direction, None);
        let folded = CallDraft::fold(vec![bleg.clone(), draft.clone()]);
        assert_eq!(folded.talk_s, Some(125.123456));
        assert_eq!(folded.direction, Some(Direction::Inbound));
        assert_eq!(
            folded.extra["bLegUuid"],
            "0b9f3a5e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
        );
    }

    #[test]
    fn form_bodies() {
        let pairs = vec![("cdr".to_string(), JSON_A.to_string())];
        let items = parse_form(&pairs, &mut utc());
        assert_eq!(
            call(&items[0]).provider_call_id.as_deref(),
            Some("7f4de4bc-7b4f-4a0e-9d6c-2f3c5e0b1a11")
        );
        let b64 = base64::engine::general_purpose::STANDARD.encode(JSON_A);
        let items = parse_form(&[("cdr".to_string(), b64)], &mut utc());
        assert!(matches!(items[0].kind, ItemKind::Call { .. }));
        let body: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("cdr", JSON_A)
            .finish();
        let items = parse_form_body(&body, &mut utc());
        let d = call(&items[0]);
        // encode-values: "Ann%20Smith" survives the form decoding and is decoded once more.
        assert_eq!(d.customer_name.as_deref(), Some("Ann Smith"));
        let items = parse_form(&[("uuid".to_string(), "x".to_string())], &mut utc());
        assert!(matches!(&items[0].kind, ItemKind::Rejected(i) if i.path == "cdr"));
        let items = parse_form(&[("cdr".to_string(), "{not json".to_string())], &mut utc());
        assert!(
            matches!(&items[0].kind, ItemKind::Rejected(i) if i.reason.contains("not valid JSON"))
        );
        let items = parse(&serde_json::json!({"variables": 3}), "$", &mut utc());
        assert!(matches!(&items[0].kind, ItemKind::Rejected(i) if i.path == "$.variables"));
    }
}
