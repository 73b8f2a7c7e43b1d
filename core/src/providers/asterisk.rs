//! Asterisk CDRs: `cdr_csv` and `cdr_custom` Master.csv rows (PROVIDERS 7, SPEC 7).
//!
//! Neither layout has a header row; the layout is told from the row's shape:
//! - `cdr_csv`: `accountcode, src, dst, dcontext, clid, channel, dstchannel, lastapp, lastdata,
//!   start, answer, end, duration, billsec, disposition, amaflags`, then the optional columns
//!   `uniqueid` (`loguniqueid`), `userfield` (`loguserfield`), and `peeraccount, linkedid,
//!   sequence` (`newcdrcolumns`): 16 to 21 columns. A 20-column row is read as `uniqueid` +
//!   `newcdrcolumns` (`loguniqueid` defaults to on, `loguserfield` is the rarer switch).
//! - `cdr_custom` (the sample mapping): `clid, src, dst, dcontext, channel, dstchannel, lastapp,
//!   lastdata, start, answer, end, duration, billsec, disposition, amaflags, accountcode,
//!   uniqueid, userfield[, sequence]`: 18 or 19 columns.
//!
//! JSON objects keyed by the same names (database `cdr` table exports, where `calldate` is
//! `start`, and `cdr_custom` JSON mappings) are read by [`parse`] and grouped the same way;
//! their other keys go to `extra`.
//!
//! The two CSV layouts are told apart by where the timestamps sit: `start` and `end` are columns 10 and 12
//! in `cdr_csv` and 9 and 11 in `cdr_custom` (in the other layout those columns hold a dial
//! string or a bare integer, never a date-time).
//!
//! One call gives many rows (ring groups, `Local/` channels, queues, transfers). Rows are
//! grouped by `linkedid`, else `uniqueid`, else by the fallback key `"{channel}@{start}"` (the
//! originating channel name and its start text, which every row of one Dial shares). Each group
//! gives one [`ItemKind::Call`] at the row of the best disposition (ties: the larger `billsec`,
//! then the row whose `uniqueid` is the `linkedid`, then the first in the file); its other rows
//! are [`ItemKind::Folded`]. The call: start = the earliest `start`, end = the latest `end`,
//! talk = the best row's `billsec`, answered at = the best row's `answer` (wait = answer -
//! start). The entry row (`uniqueid` = `linkedid`, else the earliest) gives the direction, the
//! numbers and the columns kept in `extra` (with `cdrRows`, the group's row count).
//!
//! Direction comes from the entry row's `dcontext`, split into words at every non-alphanumeric
//! character (see [`context_class`]):
//!
//! | context words | direction |
//! | --- | --- |
//! | `internal`, `outbound`, `outgoing`, `dialout`, `default`, `users`, `phones` (`from-internal`, `outbound-allroutes`, `macro-dialout-trunk`) | placed by a user: `internal` when `dst` is an extension (2-5 digits), else `outbound` |
//! | `pstn`, `trunk`, `did`, `incoming`, `inbound`, `public`, `external` (`from-pstn`, `from-trunk`, `from-did`, `incoming`) | `inbound` |
//! | anything else | `unknown` |
//!
//! The user words are looked for first, so `macro-dialout-trunk` is outbound. Numbers: inbound
//! calls have customer = `src`, business = `dst`; outbound ones customer = `dst` (the business
//! line is not in a CDR); internal and unknown ones keep `src`/`dst` in `extra`. Agent: the
//! extension of the answering `dstchannel` (inbound, answered), or of the calling `channel`
//! (outbound, internal). Tenant: `accountcode` when set. Queue: the queue name of a `Queue` row.
//! A group that ran the `VoiceMail` application and has no answered row bridged to a
//! `dstchannel` with talk time is `voicemail` (category `voicemail`, talk kept). Times carry no
//! zone: they are read in [`ParseCtx::source_tz`] (set it to UTC for `usegmtime=yes`).

use super::{Item, ItemKind, ParseCtx};
use crate::model::{
    Agent, CallDraft, Direction, EndedReason, EndedReasonCategory, FieldIssue, Outcome, Provider,
};
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::cmp::Ordering;
use std::collections::HashMap;

/// One Asterisk disposition word and what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Disposition {
    /// The word as Asterisk writes it.
    pub word: &'static str,
    /// Rank when a call's rows disagree: the highest wins.
    pub rank: u8,
    /// The outcome; `None` is the no-answer rule of SPEC 7 (`missed` inbound, `unanswered`
    /// otherwise).
    pub outcome: Option<Outcome>,
    /// The ended-reason category.
    pub category: EndedReasonCategory,
}

/// The disposition vocabulary (`ast_cdr_disp2str`). `CONGESTION` (written only with
/// `congestion=yes`) is a failure; `UNKNOWN` is a known word that says nothing.
pub const DISPOSITIONS: &[Disposition] = &[
    Disposition {
        word: "ANSWERED",
        rank: 5,
        outcome: Some(Outcome::Answered),
        category: EndedReasonCategory::Other,
    },
    Disposition {
        word: "BUSY",
        rank: 4,
        outcome: Some(Outcome::Busy),
        category: EndedReasonCategory::Busy,
    },
    Disposition {
        word: "NO ANSWER",
        rank: 3,
        outcome: None,
        category: EndedReasonCategory::NoAnswer,
    },
    Disposition {
        word: "FAILED",
        rank: 2,
        outcome: Some(Outcome::Failed),
        category: EndedReasonCategory::Error,
    },
    Disposition {
        word: "CONGESTION",
        rank: 2,
        outcome: Some(Outcome::Failed),
        category: EndedReasonCategory::Error,
    },
    Disposition {
        word: "CANCEL",
        rank: 1,
        outcome: Some(Outcome::Canceled),
        category: EndedReasonCategory::Canceled,
    },
    Disposition {
        word: "UNKNOWN",
        rank: 0,
        outcome: Some(Outcome::Unknown),
        category: EndedReasonCategory::Other,
    },
];

/// Look a disposition word up (case and surrounding space ignored).
pub fn disposition(word: &str) -> Option<&'static Disposition> {
    let w = word.trim();
    DISPOSITIONS.iter().find(|d| d.word.eq_ignore_ascii_case(w))
}

impl Disposition {
    /// The outcome of a call with this disposition in `direction`.
    pub fn outcome_for(&self, direction: Direction) -> Outcome {
        self.outcome
            .unwrap_or_else(|| Outcome::no_answer(direction))
    }
}

const CDR_CSV_BASE: [&str; 16] = [
    "accountcode",
    "src",
    "dst",
    "dcontext",
    "clid",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "amaflags",
];

const CDR_CUSTOM: [&str; 19] = [
    "clid",
    "src",
    "dst",
    "dcontext",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "amaflags",
    "accountcode",
    "uniqueid",
    "userfield",
    "sequence",
];

/// The column names of a row of `len` cells in `cdr_csv` (`custom` false) or `cdr_custom`.
fn column_names(custom: bool, len: usize) -> Option<Vec<&'static str>> {
    if custom {
        return (len == 18 || len == 19).then(|| CDR_CUSTOM[..len].to_vec());
    }
    let tail: &[&str] = match len.checked_sub(16)? {
        0 => &[],
        1 => &["uniqueid"],
        2 => &["uniqueid", "userfield"],
        3 => &["peeraccount", "linkedid", "sequence"],
        4 => &["uniqueid", "peeraccount", "linkedid", "sequence"],
        5 => &[
            "uniqueid",
            "userfield",
            "peeraccount",
            "linkedid",
            "sequence",
        ],
        _ => return None,
    };
    let mut names = CDR_CSV_BASE.to_vec();
    names.extend_from_slice(tail);
    Some(names)
}

fn is_stamp(cell: Option<&str>) -> bool {
    cell.is_some_and(|c| crate::time::parse_naive(c.trim()).is_some())
}

/// The column names of a row, from where its timestamps sit.
fn layout_of(row: &csv::StringRecord) -> Option<Vec<&'static str>> {
    // cdr_csv: start = column 10, end = column 12; cdr_custom: 9 and 11.
    for (custom, start, end) in [(false, 9, 11), (true, 8, 10)] {
        if let Some(names) = column_names(custom, row.len()) {
            if is_stamp(row.get(start)) && is_stamp(row.get(end)) {
                return Some(names);
            }
        }
    }
    None
}

/// Whether a header-less CSV row is an Asterisk CDR: a known column count, date-times in the
/// `start` and `end` columns of one of the layouts, and a disposition word in its column.
pub fn detect_csv(first_row: &csv::StringRecord) -> bool {
    let Some(names) = layout_of(first_row) else {
        return false;
    };
    names
        .iter()
        .position(|n| *n == "disposition")
        .and_then(|i| first_row.get(i))
        .is_some_and(|w| disposition(w).is_some())
}

/// One parsed row.
#[derive(Debug)]
struct Leg {
    at: LegAt,
    key: String,
    fields: Vec<(&'static str, String)>,
    others: Vec<(String, Value)>,
    start: DateTime<Utc>,
    answer: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
    duration: Option<f64>,
    billsec: Option<f64>,
    disposition: Option<&'static Disposition>,
    warnings: Vec<FieldIssue>,
}

impl Leg {
    fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    fn rank(&self) -> u8 {
        self.disposition.map_or(0, |d| d.rank)
    }

    fn is_entry(&self) -> bool {
        self.get("uniqueid") == Some(self.key.as_str())
    }

    fn answered(&self) -> bool {
        self.disposition.is_some_and(|d| d.word == "ANSWERED")
    }
}

fn text(s: &str) -> Value {
    Value::String(s.to_string())
}

/// A row's leg, or the item that closes the row (boxed: an item is large).
fn read_leg(
    row: &csv::StringRecord,
    position: usize,
    ctx: &mut ParseCtx,
) -> Result<Leg, Box<Item>> {
    let index = position + 1;
    let Some(names) = layout_of(row) else {
        return Err(Box::new(ctx.reject(
            "$",
            index,
            "columns",
            format!(
                "{} columns with no date-times in the start/end columns: not an Asterisk cdr_csv (16-21 columns, start in column 10) or cdr_custom (18-19 columns, start in column 9) row",
                row.len()
            ),
        )));
    };
    let fields: Vec<(&'static str, String)> = names
        .iter()
        .zip(row.iter())
        .filter_map(|(n, c)| {
            let t = c.trim();
            (!t.is_empty()).then(|| (*n, t.to_string()))
        })
        .collect();
    let at = LegAt {
        position,
        path: "$".into(),
        index,
        prefix: String::new(),
    };
    read_fields(fields, Vec::new(), at, ctx)
}

/// Where a leg is in its source: CSV rows have index = row number and column-name paths;
/// JSON objects have their JSON path and index 0.
#[derive(Debug, Clone)]
struct LegAt {
    position: usize,
    path: String,
    index: usize,
    prefix: String,
}

fn read_fields(
    fields: Vec<(&'static str, String)>,
    others: Vec<(String, Value)>,
    at: LegAt,
    ctx: &mut ParseCtx,
) -> Result<Leg, Box<Item>> {
    let get = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| text(v))
    };
    let p = |name: &str| format!("{}{name}", at.prefix);
    let start = ctx.instant(get("start").as_ref(), &p("start"));
    if start.is_none() {
        ctx.fatal(p("start"), "no start time");
    }
    let answer = ctx.instant(get("answer").as_ref(), &p("answer"));
    let end = ctx.instant(get("end").as_ref(), &p("end"));
    let duration = ctx.seconds(get("duration").as_ref(), &p("duration"));
    let billsec = ctx.seconds(get("billsec").as_ref(), &p("billsec"));
    let word = fields
        .iter()
        .find(|(n, _)| *n == "disposition")
        .map(|(_, v)| v.clone());
    let disp = word.as_deref().and_then(disposition);
    if let (Some(w), None) = (&word, disp) {
        ctx.unknown_word(Provider::Asterisk, w);
    }
    let lookup = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
    };
    let key = lookup("linkedid")
        .or_else(|| lookup("uniqueid"))
        .unwrap_or_else(|| {
            let from = lookup("channel").unwrap_or_else(|| {
                format!(
                    "{}>{}",
                    lookup("src").unwrap_or_default(),
                    lookup("dst").unwrap_or_default()
                )
            });
            format!("{from}@{}", lookup("start").unwrap_or_default())
        });
    let closed = ctx.finish(CallDraft::default(), at.path.clone(), at.index, false);
    let warnings = match closed.kind {
        ItemKind::Call { draft, .. } => draft.warnings,
        _ => return Err(Box::new(closed)),
    };
    let Some(start) = start else {
        return Err(Box::new(ctx.reject(
            at.path,
            at.index,
            p("start"),
            "no start time",
        )));
    };
    Ok(Leg {
        at,
        key,
        fields,
        others,
        start,
        answer,
        end,
        duration,
        billsec,
        disposition: disp,
        warnings,
    })
}

/// Parse header-less Asterisk CDR rows: exactly one item per row, in order (index = row
/// number, 1-based). Rows of one call are grouped (see the module doc).
pub fn parse_csv(rows: &[csv::StringRecord], ctx: &mut ParseCtx) -> Vec<Item> {
    let legs = rows
        .iter()
        .enumerate()
        .map(|(position, row)| read_leg(row, position, ctx))
        .collect();
    group_legs(legs, ctx)
}

/// Group read legs into calls: one item per input leg, in input order.
fn group_legs(legs: Vec<Result<Leg, Box<Item>>>, ctx: &mut ParseCtx) -> Vec<Item> {
    let mut out: Vec<Option<Item>> = vec![None; legs.len()];
    let mut groups: Vec<Vec<Leg>> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    for (position, leg) in legs.into_iter().enumerate() {
        match leg {
            Ok(leg) => {
                let g = *by_key.entry(leg.key.clone()).or_insert_with(|| {
                    groups.push(Vec::new());
                    groups.len() - 1
                });
                if let Some(group) = groups.get_mut(g) {
                    group.push(leg);
                }
            }
            Err(item) => {
                if let Some(slot) = out.get_mut(position) {
                    *slot = Some(*item);
                }
            }
        }
    }
    for legs in groups {
        let Some(best) = legs.iter().max_by(|a, b| better(a, b)) else {
            continue;
        };
        let draft = group_draft(&legs, best);
        let best_position = best.at.position;
        for leg in &legs {
            let kind = if leg.at.position == best_position {
                ItemKind::Call {
                    draft: draft.clone(),
                    event: false,
                }
            } else {
                ItemKind::Folded
            };
            if let Some(slot) = out.get_mut(leg.at.position) {
                *slot = Some(Item {
                    path: leg.at.path.clone(),
                    index: leg.at.index,
                    kind,
                });
            }
        }
    }
    out.into_iter()
        .enumerate()
        .map(|(i, item)| {
            item.unwrap_or_else(|| ctx.reject("$", i + 1, "$", "row was not assigned to a call"))
        })
        .collect()
}

/// The CDR field names read from JSON objects (`calldate`, the database column, is `start`).
const JSON_NAMES: [&str; 21] = [
    "accountcode",
    "src",
    "dst",
    "dcontext",
    "clid",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "amaflags",
    "uniqueid",
    "userfield",
    "peeraccount",
    "linkedid",
    "sequence",
];

/// Whether a JSON document is an Asterisk CDR object (a database export or a `cdr_custom`
/// JSON mapping): `disposition` and `billsec` beside `dcontext`, `lastapp`, `uniqueid`,
/// `linkedid` or `calldate`; an array is judged by its first element.
pub fn detect(value: &Value) -> bool {
    let v = match value {
        Value::Array(items) => match items.first() {
            Some(first) => first,
            None => return false,
        },
        other => other,
    };
    v.get("disposition").is_some()
        && v.get("billsec").is_some()
        && ["dcontext", "lastapp", "uniqueid", "linkedid", "calldate"]
            .iter()
            .any(|k| v.get(*k).is_some())
}

/// Parse Asterisk CDR objects (one object or an array of them) with the CDR column names as
/// keys (`calldate` = `start`); grouped into calls like CSV rows. Other keys go to `extra`.
pub fn parse(value: &Value, path: &str, ctx: &mut ParseCtx) -> Vec<Item> {
    let objects: Vec<(String, &Value)> = match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("{path}[{i}]"), v))
            .collect(),
        other => vec![(path.to_string(), other)],
    };
    let legs = objects
        .into_iter()
        .enumerate()
        .map(|(position, (item_path, v))| {
            let Some(obj) = v.as_object() else {
                return Err(Box::new(ctx.reject(
                    item_path.clone(),
                    0,
                    item_path,
                    "an Asterisk CDR must be a JSON object",
                )));
            };
            let mut fields = Vec::new();
            let mut others = Vec::new();
            for (k, v) in obj {
                let name = if k == "calldate" { "start" } else { k.as_str() };
                match JSON_NAMES.iter().find(|n| **n == name) {
                    Some(n) => {
                        if let Some(t) = super::json::as_text(v) {
                            if !fields.iter().any(|(f, _): &(&str, String)| f == n) {
                                fields.push((*n, t));
                            }
                        }
                    }
                    None => others.push((k.clone(), v.clone())),
                }
            }
            let prefix = format!("{item_path}.");
            let at = LegAt {
                position,
                path: item_path,
                index: 0,
                prefix,
            };
            read_fields(fields, others, at, ctx)
        })
        .collect();
    group_legs(legs, ctx)
}

/// Ordering for "the best row": higher disposition rank, more billsec, the entry row, then the
/// earlier row (so `max_by` must see the earlier row as greater on a full tie).
fn better(a: &Leg, b: &Leg) -> Ordering {
    a.rank()
        .cmp(&b.rank())
        .then_with(|| {
            a.billsec
                .unwrap_or(0.0)
                .total_cmp(&b.billsec.unwrap_or(0.0))
        })
        .then_with(|| a.is_entry().cmp(&b.is_entry()))
        .then_with(|| b.at.position.cmp(&a.at.position))
}

fn group_draft(legs: &[Leg], best: &Leg) -> CallDraft {
    let entry = legs
        .iter()
        .filter(|l| l.is_entry())
        .min_by_key(|l| (l.start, l.at.position))
        .or_else(|| legs.iter().min_by_key(|l| (l.start, l.at.position)))
        .unwrap_or(best);
    let mut draft = CallDraft::new(Provider::Asterisk, best.key.clone());
    let context = entry.get("dcontext").unwrap_or_default();
    let direction = direction_of(context, entry.get("dst"));
    draft.direction = Some(direction);
    draft.started_at = legs.iter().map(|l| l.start).min();
    draft.ended_at = legs.iter().filter_map(|l| l.end).max();
    if draft.ended_at.is_none() {
        draft.duration_s = best.duration;
    }
    draft.talk_s = best.billsec;
    let bridged = legs.iter().any(|l| {
        l.answered() && l.get("dstchannel").is_some() && l.billsec.is_some_and(|b| b > 0.0)
    });
    let voicemail = !bridged
        && legs.iter().any(|l| {
            l.get("lastapp")
                .is_some_and(|a| a.eq_ignore_ascii_case("voicemail"))
        });
    let word = best.get("disposition").map(str::to_string);
    let (outcome, category) = match (best.disposition, &word) {
        (_, Some(_)) if voicemail => (Outcome::Voicemail, Some(EndedReasonCategory::Voicemail)),
        (Some(d), _) => (d.outcome_for(direction), Some(d.category)),
        (None, Some(_)) => (Outcome::Unknown, Some(EndedReasonCategory::Other)),
        (None, None) => (Outcome::Unknown, None),
    };
    draft.outcome = Some(outcome);
    draft.raw_status = word.clone();
    if let (Some(category), Some(raw)) = (category, word) {
        draft.ended_reason = Some(EndedReason { category, raw });
    }
    if outcome == Outcome::Answered {
        draft.answered_at = best.answer.or_else(|| {
            legs.iter()
                .filter(|l| l.answered())
                .filter_map(|l| l.answer)
                .min()
        });
    }
    let mut mapped: Vec<&str> = vec![
        "start",
        "answer",
        "end",
        "duration",
        "billsec",
        "disposition",
    ];
    mapped.push(if entry.get("linkedid").is_some() {
        "linkedid"
    } else {
        "uniqueid"
    });
    match direction {
        Direction::Inbound => {
            draft.customer_number = entry.get("src").and_then(cdr_number);
            draft.business_number = entry.get("dst").and_then(cdr_number);
            mapped.extend(["src", "dst"]);
            if outcome == Outcome::Answered {
                draft.agent = best.get("dstchannel").and_then(channel_endpoint).map(agent);
            }
        }
        Direction::Outbound | Direction::Internal => {
            if direction == Direction::Outbound {
                draft.customer_number = entry.get("dst").and_then(cdr_number);
                mapped.push("dst");
            }
            draft.agent = entry.get("channel").and_then(channel_endpoint).map(agent);
        }
        Direction::Unknown => {}
    }
    if let Some(code) = best.get("accountcode").or_else(|| entry.get("accountcode")) {
        draft.tenant = Some(code.to_string());
        mapped.push("accountcode");
    }
    draft.queue = legs
        .iter()
        .find(|l| {
            l.get("lastapp")
                .is_some_and(|a| a.eq_ignore_ascii_case("queue"))
        })
        .and_then(|l| l.get("lastdata"))
        .and_then(|d| d.split(',').next())
        .map(|q| q.trim().to_string())
        .filter(|q| !q.is_empty());
    for (name, value) in &entry.fields {
        if !mapped.contains(name) {
            draft.extra.insert((*name).to_string(), text(value));
        }
    }
    for (name, value) in &entry.others {
        draft
            .extra
            .entry(name.clone())
            .or_insert_with(|| value.clone());
    }
    draft
        .extra
        .insert("cdrRows".into(), Value::from(legs.len()));
    for leg in legs {
        for w in &leg.warnings {
            let mut w = w.clone();
            if leg.at.position != best.at.position {
                w.reason = format!(
                    "{} {}: {}",
                    if leg.at.index > 0 { "row" } else { "item" },
                    if leg.at.index > 0 {
                        leg.at.index.to_string()
                    } else {
                        leg.at.path.clone()
                    },
                    w.reason
                );
            }
            draft.warnings.push(w);
        }
    }
    draft
}

/// A party number of a CDR, E.164 where parseable: text without a digit (`s`, `&`,
/// `anonymous`) is no number.
pub fn cdr_number(raw: &str) -> Option<String> {
    if raw.bytes().any(|b| b.is_ascii_digit()) {
        crate::phone::normalize(raw)
    } else {
        None
    }
}

fn agent(id: String) -> Agent {
    Agent {
        id: Some(id),
        email: None,
        name: None,
    }
}

/// How a dialplan context places a call (see the module doc's table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContextClass {
    /// Calls from the outside world (trunks, DIDs).
    Inbound,
    /// Calls placed by the business's own users (phones).
    FromUser,
    /// The context says nothing.
    Unknown,
}

const USER_WORDS: &[&str] = &[
    "internal", "outbound", "outgoing", "dialout", "default", "users", "phones",
];
const INBOUND_WORDS: &[&str] = &[
    "pstn", "trunk", "did", "incoming", "inbound", "public", "external",
];

/// Classify a dialplan context (Asterisk `dcontext`, FreeSWITCH `context`) by its words.
pub fn context_class(context: &str) -> ContextClass {
    let lower = context.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if words.iter().any(|w| USER_WORDS.contains(w)) {
        ContextClass::FromUser
    } else if words.iter().any(|w| INBOUND_WORDS.contains(w)) {
        ContextClass::Inbound
    } else {
        ContextClass::Unknown
    }
}

/// Whether a dialed number is an internal extension: 2 to 5 digits.
pub fn is_extension(number: &str) -> bool {
    let n = number.trim();
    (2..=5).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_digit())
}

/// The direction of a call from its context and dialed number (module doc table).
pub fn direction_of(context: &str, dialed: Option<&str>) -> Direction {
    match context_class(context) {
        ContextClass::Inbound => Direction::Inbound,
        ContextClass::FromUser if dialed.is_some_and(is_extension) => Direction::Internal,
        ContextClass::FromUser => Direction::Outbound,
        ContextClass::Unknown => Direction::Unknown,
    }
}

/// The endpoint (extension / peer / user) of a channel name: `SIP/301-00000007` -> `301`,
/// `PJSIP/client2-00000003` -> `client2`, `Local/ch1@TimeDelay-00000000;2` -> `ch1`,
/// `sofia/internal/1004@10.0.0.1` -> `1004`.
pub fn channel_endpoint(channel: &str) -> Option<String> {
    let c = channel.trim();
    let rest = c.rsplit('/').next().unwrap_or(c);
    let rest = rest.split(';').next().unwrap_or(rest);
    let endpoint = match rest.split_once('@') {
        Some((user, _)) => user,
        None => match rest.rsplit_once('-') {
            Some((name, suffix))
                if !suffix.is_empty() && suffix.bytes().all(|b| b.is_ascii_hexdigit()) =>
            {
                name
            }
            _ => rest,
        },
    };
    let endpoint = endpoint.trim();
    (!endpoint.is_empty()).then(|| endpoint.to_string())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::providers::ItemKind;

    fn records(bytes: &[u8]) -> Vec<csv::StringRecord> {
        // The real file has stray non-UTF-8 bytes in `clid`: read it lossily, as ingest does.
        let text = String::from_utf8_lossy(bytes);
        csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes())
            .records()
            .map(|r| r.unwrap())
            .collect()
    }

    fn utc() -> ParseCtx {
        ParseCtx::new(chrono_tz::UTC, false)
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn calls(items: &[Item]) -> Vec<&CallDraft> {
        items
            .iter()
            .filter_map(|i| match &i.kind {
                ItemKind::Call { draft, .. } => Some(draft),
                _ => None,
            })
            .collect()
    }

    const NEWCDR: &[u8] =
        include_bytes!("../../../tests/data/asterisk/cdr_csv_Master_newcdrcolumns.csv");
    const CUSTOM: &[u8] =
        include_bytes!("../../../tests/data/asterisk/cdr_custom_Master_pjsip.csv");

    fn cell() -> impl proptest::strategy::Strategy<Value = String> {
        proptest::prop_oneof![
            3 => proptest::strategy::Just("2024-01-27 16:16:36".to_string()),
            1 => proptest::strategy::Just(String::new()),
            1 => proptest::strategy::Just("ANSWERED".to_string()),
            1 => proptest::strategy::Just("NO ANSWER".to_string()),
            1 => proptest::strategy::Just("VoiceMail".to_string()),
            1 => proptest::strategy::Just("1e300".to_string()),
            1 => proptest::strategy::Just("-1".to_string()),
            1 => proptest::strategy::Just("1706372196.12".to_string()),
            1 => "\\PC{0,6}",
        ]
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_keeps_one_item_per_row(
            rows in proptest::collection::vec(proptest::collection::vec(cell(), 15..22), 0..10)
        ) {
            let records: Vec<csv::StringRecord> =
                rows.iter().map(|r| csv::StringRecord::from(r.clone())).collect();
            for strict in [false, true] {
                let items = parse_csv(&records, &mut ParseCtx::new(chrono_tz::UTC, strict));
                proptest::prop_assert_eq!(items.len(), records.len());
                for (i, item) in items.iter().enumerate() {
                    proptest::prop_assert_eq!(item.index, i + 1);
                }
                let calls = items.iter().filter(|i| matches!(i.kind, ItemKind::Call { .. })).count();
                for item in &items {
                    if let ItemKind::Call { draft, .. } = &item.kind {
                        // a finished draft never panics either
                        let _ = draft.clone().into_record(strict);
                    }
                }
                proptest::prop_assert!(calls <= records.len());
            }
        }
    }

    #[test]
    fn disposition_vocabulary() {
        let d = |w| disposition(w).unwrap();
        assert_eq!(
            d("ANSWERED").outcome_for(Direction::Inbound),
            Outcome::Answered
        );
        assert_eq!(d("ANSWERED").category, EndedReasonCategory::Other);
        assert_eq!(d("BUSY").outcome_for(Direction::Inbound), Outcome::Busy);
        assert_eq!(d("BUSY").category, EndedReasonCategory::Busy);
        assert_eq!(
            d("NO ANSWER").outcome_for(Direction::Inbound),
            Outcome::Missed
        );
        assert_eq!(
            d("NO ANSWER").outcome_for(Direction::Outbound),
            Outcome::Unanswered
        );
        assert_eq!(d("NO ANSWER").category, EndedReasonCategory::NoAnswer);
        assert_eq!(d("FAILED").outcome_for(Direction::Inbound), Outcome::Failed);
        assert_eq!(d("FAILED").category, EndedReasonCategory::Error);
        assert_eq!(
            d("CONGESTION").outcome_for(Direction::Outbound),
            Outcome::Failed
        );
        assert_eq!(d("CONGESTION").category, EndedReasonCategory::Error);
        assert_eq!(
            d("CANCEL").outcome_for(Direction::Inbound),
            Outcome::Canceled
        );
        assert_eq!(d("CANCEL").category, EndedReasonCategory::Canceled);
        assert_eq!(
            d("UNKNOWN").outcome_for(Direction::Inbound),
            Outcome::Unknown
        );
        assert_eq!(d("no answer").word, "NO ANSWER");
        assert!(disposition("ANSWER").is_none());
        // ANSWERED > BUSY > NO ANSWER > FAILED = CONGESTION > CANCEL > UNKNOWN
        let ranks: Vec<u8> = DISPOSITIONS.iter().map(|d| d.rank).collect();
        assert_eq!(ranks, vec![5, 4, 3, 2, 2, 1, 0]);
    }

    #[test]
    fn contexts_and_channels() {
        assert_eq!(
            direction_of("from-pstn", Some("5551234")),
            Direction::Inbound
        );
        assert_eq!(direction_of("from-trunk", None), Direction::Inbound);
        assert_eq!(direction_of("from-did-direct", None), Direction::Inbound);
        assert_eq!(direction_of("incoming", None), Direction::Inbound);
        assert_eq!(
            direction_of("stadion-pstn", Some("211553")),
            Direction::Inbound
        );
        assert_eq!(
            direction_of("from-internal", Some("0049301234567")),
            Direction::Outbound
        );
        assert_eq!(
            direction_of("from-internal", Some("201")),
            Direction::Internal
        );
        assert_eq!(
            direction_of("macro-dialout-trunk", Some("5551234567")),
            Direction::Outbound
        );
        assert_eq!(
            direction_of("outbound-allroutes", Some("5551234567")),
            Direction::Outbound
        );
        assert_eq!(direction_of("default", Some("6789")), Direction::Internal);
        assert_eq!(direction_of("TimeDelay", Some("ch1")), Direction::Unknown);
        assert_eq!(channel_endpoint("SIP/301-00000007").as_deref(), Some("301"));
        assert_eq!(
            channel_endpoint("PJSIP/client2-00000003").as_deref(),
            Some("client2")
        );
        assert_eq!(channel_endpoint("PJSIP/8576-5f30").as_deref(), Some("8576"));
        assert_eq!(
            channel_endpoint("Local/ch1@TimeDelay-00000000;2").as_deref(),
            Some("ch1")
        );
        assert_eq!(
            channel_endpoint("sofia/internal/1004@10.0.0.1").as_deref(),
            Some("1004")
        );
        assert_eq!(channel_endpoint(""), None);
    }

    #[test]
    fn detects_both_layouts() {
        let rows = records(NEWCDR);
        assert!(detect_csv(&rows[0]));
        let custom = records(CUSTOM);
        assert!(detect_csv(&custom[0]));
        let fs = records(b"Outbound Call,1002,&,default,2020/2/10 22:41,2020/2/10 22:41,2020/2/10 22:41,11,9,NORMAL_CLEARING,d80e,,1002,PCMU,PCMU\n");
        assert!(!detect_csv(&fs[0]));
    }

    #[test]
    fn newcdrcolumns_file_groups_by_linkedid() {
        let rows = records(NEWCDR);
        assert_eq!(rows.len(), 84);
        let mut ctx = utc();
        let items = parse_csv(&rows, &mut ctx);
        assert_eq!(items.len(), 84);
        for (i, item) in items.iter().enumerate() {
            assert_eq!(item.index, i + 1);
        }
        // 84 rows, column 20 (linkedid) has 36 distinct values: 8 groups of one row, and
        // 28 groups of several rows: 1706369600.6 (3 rows), 1706372196.12 (7), 1706401101.30
        // (7), 1706407446.50 (5), 1706412022.63 (5), 1706412893.79 (5) and 22 groups of 2
        // (1706413165.93, 1706415046.98 and the 20 mainserverdss-* ids). Folded rows:
        // 2 + 6 + 6 + 4 + 4 + 4 + 22 x 1 = 48; calls = 84 - 48 = 36.
        let folded = items.iter().filter(|i| i.kind == ItemKind::Folded).count();
        assert_eq!(folded, 48);
        assert_eq!(calls(&items).len(), 36);
        assert!(ctx.unknown_words.is_empty());
    }

    #[test]
    fn ring_group_call_1706372196_12() {
        // 7 rows share linkedid 1706372196.12 (rows 7-13; PROVIDERS.md says 6, the file has
        // 7: three Local/ch* ;2 legs, three ;1 legs of SIP/211553-00000006, and a second
        // ch3 attempt). All are NO ANSWER with billsec 0, so the best row is the first row
        // whose uniqueid is the linkedid: row 9 (SIP/211553-00000006 -> Local/ch1).
        let rows = records(NEWCDR);
        let items = parse_csv(&rows, &mut utc());
        for i in [7, 8, 10, 11, 12, 13] {
            assert_eq!(items[i - 1].kind, ItemKind::Folded, "row {i}");
        }
        let ItemKind::Call { draft, event } = &items[8].kind else {
            panic!("row 9 is not the call")
        };
        assert!(!event);
        let (r, warnings) = draft.clone().into_record(true).unwrap();
        assert!(warnings.is_empty());
        assert_eq!(r.id, "asterisk:1706372196.12");
        assert_eq!(r.direction, Direction::Inbound); // dcontext stadion-pstn
        assert_eq!(r.outcome, Outcome::Missed);
        assert_eq!(r.raw_status.as_deref(), Some("NO ANSWER"));
        let reason = r.ended_reason.clone().unwrap();
        assert_eq!(
            (reason.category, reason.raw.as_str()),
            (EndedReasonCategory::NoAnswer, "NO ANSWER")
        );
        // start: every row starts 16:16:36 except the second ch3 attempt (16:16:56);
        // end: the latest is 16:17:16, so duration = 40 s.
        assert_eq!(r.started_at, at("2024-01-27T16:16:36Z"));
        assert_eq!(r.ended_at, Some(at("2024-01-27T16:17:16Z")));
        assert_eq!(r.duration_s, Some(40.0));
        assert_eq!(r.talk_s, Some(0.0));
        assert_eq!(r.answered_at, None);
        assert_eq!(r.wait_s, None);
        // A Russian trunk-prefixed number (8 924 ...): +8 924... is no valid number, so with
        // libphonenumber the raw text is kept; without the `phone` feature the plausible
        // digit count is taken as E.164.
        let expected = if cfg!(feature = "phone") {
            "89245555937"
        } else {
            "+89245555937"
        };
        assert_eq!(r.customer_number.as_deref(), Some(expected));
        assert_eq!(r.business_number.as_deref(), Some("211553"));
        assert_eq!(r.agent, None);
        assert_eq!(r.tenant, None);
        assert_eq!(r.queue, None);
        assert_eq!(r.extra["cdrRows"], 7);
        assert_eq!(r.extra["dcontext"], "stadion-pstn");
        assert_eq!(r.extra["channel"], "SIP/211553-00000006");
        assert_eq!(r.extra["dstchannel"], "Local/ch1@TimeDelay-00000000;1");
        assert_eq!(r.extra["lastapp"], "Dial");
        assert_eq!(r.extra["uniqueid"], "1706372196.12");
        assert_eq!(r.extra["sequence"], "8");
        assert_eq!(r.extra["amaflags"], "DOCUMENTATION");
        assert_eq!(r.extra["clid"], "\"89245555937\" <89245555937>");
        assert!(!r.extra.contains_key("linkedid"));
        // Entry row 9's non-empty columns minus the mapped ones (start, end, duration,
        // billsec, disposition, linkedid, src, dst), in column order, then cdrRows.
        let keys: Vec<&str> = r.extra.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            vec![
                "dcontext",
                "clid",
                "channel",
                "dstchannel",
                "lastapp",
                "lastdata",
                "amaflags",
                "uniqueid",
                "sequence",
                "cdrRows"
            ]
        );
        assert_eq!(
            r.extra["lastdata"],
            "Local/ch1@TimeDelay&Local/ch2@TimeDelay&Local/ch3@TimeDelay,40"
        );
        assert!(r.tags.is_empty() && r.transfers.is_empty() && r.transcript.is_empty());
        assert_eq!(
            (r.quality.clone(), r.cost, r.language.clone()),
            (None, None, None)
        );
        assert_eq!(r.provider, Provider::Asterisk);
        assert_eq!(r.provider_call_id, "1706372196.12");
        assert!(!r.extra.contains_key("userfield")); // empty cells are not kept
    }

    #[test]
    fn answered_group_takes_best_row() {
        // linkedid 1706407446.50 (rows 22-26): rows 22 and 23 are ANSWERED with billsec 0
        // (the Local channel pick-up), row 26 is ANSWERED with billsec 17 after the Local
        // channel was optimised away: SIP/211553-00000011 -> SIP/301-00000012, answered
        // 02:04:12, ended 02:04:29. Start = 02:04:06 (all rows), end = 02:04:29.
        let rows = records(NEWCDR);
        let items = parse_csv(&rows, &mut utc());
        let ItemKind::Call { draft, .. } = &items[25].kind else {
            panic!("row 26 is not the call")
        };
        let (r, _) = draft.clone().into_record(true).unwrap();
        assert_eq!(r.id, "asterisk:1706407446.50");
        assert_eq!(r.outcome, Outcome::Answered);
        assert_eq!(r.talk_s, Some(17.0));
        assert_eq!(r.started_at, at("2024-01-28T02:04:06Z"));
        assert_eq!(r.answered_at, Some(at("2024-01-28T02:04:12Z")));
        assert_eq!(r.wait_s, Some(6.0)); // 02:04:12 - 02:04:06
        assert_eq!(r.duration_s, Some(23.0)); // 02:04:29 - 02:04:06
        assert_eq!(r.agent.as_ref().and_then(|a| a.id.as_deref()), Some("301"));
        assert_eq!(r.extra["cdrRows"], 5);
        for i in 22..=25 {
            assert_eq!(items[i - 1].kind, ItemKind::Folded);
        }
    }

    #[test]
    fn busy_row_and_source_zone() {
        // Row 83: linkedid mainserverdss-1706443058.100, the only BUSY row; read in
        // Asia/Vladivostok (UTC+10): 11:57:38 local = 01:57:38 UTC.
        let rows = records(NEWCDR);
        let mut ctx = ParseCtx::new(chrono_tz::Asia::Vladivostok, false);
        let items = parse_csv(&rows, &mut ctx);
        let ItemKind::Call { draft, .. } = &items[82].kind else {
            panic!("row 83 is not a call")
        };
        assert_eq!(draft.outcome, Some(Outcome::Busy));
        assert_eq!(draft.started_at, Some(at("2024-01-28T01:57:38Z")));
        assert_eq!(
            draft.ended_reason.as_ref().map(|e| e.category),
            Some(EndedReasonCategory::Busy)
        );
    }

    #[test]
    fn custom_layout_rows() {
        // cdr_custom: 14 rows, 14 distinct uniqueids, no linkedid: 14 calls, all internal
        // (context default, dst 6789 / 1234 are extensions).
        let rows = records(CUSTOM);
        let items = parse_csv(&rows, &mut utc());
        let calls = calls(&items);
        assert_eq!(calls.len(), 14);
        let (r, _) = calls[0].clone().into_record(true).unwrap();
        // Row 1: start 01:51:32, answer 01:51:50, end 01:52:04, "31","13", ANSWERED.
        assert_eq!(r.id, "asterisk:1690325492.2");
        assert_eq!(r.direction, Direction::Internal);
        assert_eq!(r.outcome, Outcome::Answered);
        assert_eq!(r.talk_s, Some(13.0));
        assert_eq!(r.wait_s, Some(18.0)); // 01:51:50 - 01:51:32
        assert_eq!(r.duration_s, Some(32.0)); // end - start; the row says 31
        assert_eq!(
            r.agent.as_ref().and_then(|a| a.id.as_deref()),
            Some("client1")
        );
        assert_eq!(r.customer_number, None);
        assert_eq!(r.extra["src"], "client1");
        assert_eq!(r.extra["dst"], "6789");
        assert_eq!(r.extra["clid"], "\"\" <client1>");
        // Row 2: NO ANSWER on an internal call is unanswered.
        let (r2, _) = calls[1].clone().into_record(true).unwrap();
        assert_eq!(r2.outcome, Outcome::Unanswered);
        assert_eq!(r2.answered_at, None);
    }

    #[test]
    fn voicemail_queue_tenant_and_bad_rows() {
        let csv_text = concat!(
            "\"acme\",\"+14155550100\",\"200\",\"from-pstn\",\"\"\"Ann\"\" <+14155550100>\",\"SIP/trunk-00000001\",\"SIP/200-00000002\",\"Dial\",\"SIP/200,20\",\"2024-03-01 10:00:00\",,\"2024-03-01 10:00:20\",20,0,\"NO ANSWER\",\"DOCUMENTATION\",\"1709287200.1\",\"\"\n",
            "\"acme\",\"+14155550100\",\"200\",\"from-pstn\",\"\"\"Ann\"\" <+14155550100>\",\"SIP/trunk-00000001\",\"\",\"VoiceMail\",\"200@default\",\"2024-03-01 10:00:20\",\"2024-03-01 10:00:20\",\"2024-03-01 10:00:50\",30,30,\"ANSWERED\",\"DOCUMENTATION\",\"1709287200.1\",\"\"\n",
            "\"\",\"+14155550111\",\"500\",\"from-trunk\",\"\",\"SIP/trunk-00000003\",\"SIP/201-00000004\",\"Queue\",\"support,t\",\"2024-03-01 11:00:00\",\"2024-03-01 11:00:05\",\"2024-03-01 11:01:00\",60,55,\"SHRUGGED\",\"DOCUMENTATION\",\"1709290800.3\",\"\"\n",
            "\"x\",\"y\"\n",
            "\"\",\"201\",\"0014158675309\",\"from-internal\",\"\",\"SIP/201-00000005\",\"SIP/trunk-00000006\",\"Dial\",\"SIP/trunk/0014158675309\",\"2024-03-01 12:00:00\",\"2024-03-01 12:00:07\",\"2024-03-01 12:00:30\",30,abc,\"ANSWERED\",\"DOCUMENTATION\",\"1709294400.5\",\"\"\n",
        );
        let rows = records(csv_text.as_bytes());
        let mut ctx = utc();
        let items = parse_csv(&rows, &mut ctx);
        assert_eq!(items.len(), 5);
        // Rows 1-2: one call that ended in voicemail (row 2 is ANSWERED, the best row).
        assert_eq!(items[0].kind, ItemKind::Folded);
        let ItemKind::Call { draft, .. } = &items[1].kind else {
            panic!()
        };
        assert_eq!(draft.outcome, Some(Outcome::Voicemail));
        assert_eq!(
            draft.ended_reason.as_ref().map(|e| e.category),
            Some(EndedReasonCategory::Voicemail)
        );
        assert_eq!(draft.tenant.as_deref(), Some("acme"));
        assert_eq!(draft.talk_s, Some(30.0));
        assert_eq!(draft.answered_at, None);
        assert_eq!(draft.customer_number.as_deref(), Some("+14155550100"));
        // Row 3: unknown word -> unknown outcome, counted; queue from the Queue app.
        let ItemKind::Call { draft, .. } = &items[2].kind else {
            panic!()
        };
        assert_eq!(draft.outcome, Some(Outcome::Unknown));
        assert_eq!(draft.queue.as_deref(), Some("support"));
        assert_eq!(
            ctx.unknown_words,
            vec![(Provider::Asterisk, "SHRUGGED".to_string())]
        );
        // Row 4: not a CDR row.
        let ItemKind::Rejected(issue) = &items[3].kind else {
            panic!()
        };
        assert_eq!(issue.path, "columns");
        // Row 5: outbound; a bad billsec is a warning in lenient mode.
        let ItemKind::Call { draft, .. } = &items[4].kind else {
            panic!()
        };
        assert_eq!(draft.direction, Some(Direction::Outbound));
        assert_eq!(draft.customer_number.as_deref(), Some("+14158675309"));
        assert_eq!(
            draft.agent.as_ref().and_then(|a| a.id.as_deref()),
            Some("201")
        );
        assert_eq!(draft.talk_s, None);
        assert_eq!(draft.warnings[0].path, "billsec");
        // Strict mode rejects row 5 at billsec.
        let items = parse_csv(&rows, &mut ParseCtx::new(chrono_tz::UTC, true));
        let ItemKind::Rejected(issue) = &items[4].kind else {
            panic!()
        };
        assert_eq!(issue.path, "billsec");
    }

    #[test]
    fn json_cdr_objects() {
        // A database export: two rows of one call (linkedid 1709290800.7), numbers as JSON
        // numbers, `calldate` for start, an extra key `id`.
        let doc = serde_json::json!([
            {"id": 17, "calldate": "2024-03-01 11:00:00", "src": "+14158675309", "dst": "500",
             "dcontext": "from-trunk", "channel": "PJSIP/trunk-00000001", "dstchannel": "PJSIP/1001-00000002",
             "lastapp": "Dial", "answer": "", "end": "2024-03-01 11:00:15", "duration": 15, "billsec": 0,
             "disposition": "NO ANSWER", "uniqueid": "1709290800.7", "linkedid": "1709290800.7"},
            {"id": 18, "calldate": "2024-03-01 11:00:15", "src": "+14158675309", "dst": "500",
             "dcontext": "from-trunk", "channel": "PJSIP/trunk-00000001", "dstchannel": "PJSIP/1002-00000003",
             "lastapp": "Dial", "answer": "2024-03-01 11:00:20", "end": "2024-03-01 11:02:20", "duration": 125,
             "billsec": 120, "disposition": "ANSWERED", "uniqueid": "1709290800.7", "linkedid": "1709290800.7"},
            "junk"
        ]);
        assert!(detect(&doc));
        assert!(!detect(&serde_json::json!({"disposition": "ANSWERED"})));
        let items = parse(&doc, "$", &mut utc());
        assert_eq!(items.len(), 3);
        assert_eq!(items[0].kind, ItemKind::Folded);
        assert_eq!(items[1].path, "$[1]");
        let ItemKind::Call { draft, .. } = &items[1].kind else {
            panic!("item 1 is not the call")
        };
        let (r, _) = draft.clone().into_record(true).unwrap();
        assert_eq!(r.id, "asterisk:1709290800.7");
        assert_eq!(r.direction, Direction::Inbound);
        assert_eq!(r.outcome, Outcome::Answered);
        // start 11:00:00 (first row), answer 11:00:20, end 11:02:20: wait 20, duration 140.
        assert_eq!(r.wait_s, Some(20.0));
        assert_eq!(r.duration_s, Some(140.0));
        assert_eq!(r.talk_s, Some(120.0));
        assert_eq!(r.agent.as_ref().and_then(|a| a.id.as_deref()), Some("1002"));
        assert_eq!(r.extra["id"], 17); // the entry row (earliest start) gives extra
        assert!(matches!(&items[2].kind, ItemKind::Rejected(i) if i.path == "$[2]"));
    }
}
