//! The `generic` reader: user-named columns of CSV (header names) or JSON / NDJSON (dotted
//! paths) mapped onto [`CallRecord`](crate::CallRecord) fields by a [`GenericMapping`].
//!
//! Generic input is never detected from its shape: [`detect`] is always false and [`parse`]
//! (the JSON contract without a mapping) rejects with "generic input needs a column mapping".
//! Use [`parse_csv_with`] and [`parse_json_with`].
//!
//! Reading rules:
//! - Outcome words (the `outcome` column, else `status`) go through
//!   [`GenericMapping::outcome_values`] (exact word, then case-insensitive), then the canonical
//!   words of SPEC 2.1 (`answered`, `missed`, ...). Any other word gives `unknown` and is counted
//!   as unknown vocabulary. Direction words likewise through `direction_values`, then
//!   `inbound` / `outbound` / `internal` / `unknown`. Ended-reason words through
//!   `ended_reason_values`, then the category words of SPEC 2.2, else category `other`.
//! - `from` / `to` become customer / business numbers (inbound, internal and unknown
//!   direction), or business / customer (outbound); explicit `customerNumber` / `businessNumber` columns win.
//! - Durations are numbers in [`DurationUnit`] or `H:MM:SS` / `M:SS` text.
//! - Timestamps: [`GenericMapping::timestamp_format`] (chrono `strftime`) when given, else every
//!   format of [`crate::time::parse_instant`]; zone-less times are read in the source zone.
//! - Without an `id` column the call id is `"{startedAt}|{from}|{to}"` (raw texts), stable
//!   across re-ingestion of the same rows; a mapped `id` column that is empty rejects the row.
//! - Every column (CSV) or top-level key (JSON, after removing mapped leaves) that is not
//!   mapped is kept in `extra`; `label` is kept as `extra.source`.

use super::json::as_text;
use super::{Item, ParseCtx};
use crate::model::{
    Agent, CallDraft, Direction, EndedReason, EndedReasonCategory, Outcome, Provider,
    TranscriptTurn,
};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The unit of duration columns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DurationUnit {
    /// Seconds (default).
    #[default]
    S,
    /// Milliseconds.
    Ms,
    /// Minutes.
    Min,
}

impl DurationUnit {
    fn to_seconds(self, x: f64) -> f64 {
        match self {
            DurationUnit::S => x,
            DurationUnit::Ms => x / 1000.0,
            DurationUnit::Min => x * 60.0,
        }
    }
}

/// Where each record field is in the source: a CSV header name, or a dotted JSON path
/// (`call.customer.phone`, array elements by number: `legs.0.id`). Unset fields are not read.
/// JSON uses camelCase (`startedAt`, `outcomeValues`, `durationUnit`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GenericMapping {
    /// JSON only: dotted path of the array of records inside a document (e.g. `data.calls`).
    /// Unset: the document is one record, or an array of records.
    pub records: Option<String>,
    /// The source's call id (the dedup key). Unset: see the module doc.
    pub id: Option<String>,
    /// When the call began.
    pub started_at: Option<String>,
    /// When it ended.
    pub ended_at: Option<String>,
    /// When it was answered.
    pub answered_at: Option<String>,
    /// Total duration.
    pub duration_s: Option<String>,
    /// Connected (talk) time.
    pub talk_s: Option<String>,
    /// Ring / queue time.
    pub wait_s: Option<String>,
    /// After-call work time.
    pub wrap_up_s: Option<String>,
    /// Direction word.
    pub direction: Option<String>,
    /// Outcome word.
    pub outcome: Option<String>,
    /// The source's status word (kept as `raw_status`; the outcome word when no `outcome`).
    pub status: Option<String>,
    /// Calling number.
    pub from: Option<String>,
    /// Called number.
    pub to: Option<String>,
    /// The external party's number (wins over `from` / `to`).
    pub customer_number: Option<String>,
    /// The business line (wins over `from` / `to`).
    pub business_number: Option<String>,
    /// The external party's name.
    pub customer_name: Option<String>,
    /// Agent id.
    pub agent: Option<String>,
    /// Agent display name.
    pub agent_name: Option<String>,
    /// Agent e-mail (lower-cased).
    pub agent_email: Option<String>,
    /// Voice-AI assistant name.
    pub assistant: Option<String>,
    /// Queue / department.
    pub queue: Option<String>,
    /// Tenant / account.
    pub tenant: Option<String>,
    /// Ended-reason word.
    pub ended_reason: Option<String>,
    /// Agent-entered disposition.
    pub disposition: Option<String>,
    /// Agent notes.
    pub notes: Option<String>,
    /// Summary text.
    pub summary: Option<String>,
    /// Transcript: text (`Speaker: words` lines) or an array of `{speaker|role, text|content}`.
    pub transcript: Option<String>,
    /// Recording URL.
    pub recording_url: Option<String>,
    /// Cost.
    pub cost: Option<String>,
    /// Tags: text split by `tags_separator`, or an array of strings.
    pub tags: Option<String>,
    /// Language tag.
    pub language: Option<String>,
    /// An intent the source already classified.
    pub intent: Option<String>,
    /// The user's outcome vocabulary: source word -> outcome.
    pub outcome_values: BTreeMap<String, Outcome>,
    /// The user's direction vocabulary: source word -> direction.
    pub direction_values: BTreeMap<String, Direction>,
    /// The user's ended-reason vocabulary: source word -> category.
    pub ended_reason_values: BTreeMap<String, EndedReasonCategory>,
    /// chrono `strftime` format of timestamps (`%d/%m/%Y %H:%M`); with `%z` the text carries
    /// its offset, without it the time is read in the source zone.
    pub timestamp_format: Option<String>,
    /// Unit of numeric durations.
    pub duration_unit: DurationUnit,
    /// Separator of tags in text (default `,`).
    pub tags_separator: Option<String>,
    /// A label for the source, kept in `extra.source` (the provider is always `generic`).
    pub label: Option<String>,
}

impl GenericMapping {
    /// Every mapped source name (column or path).
    fn mapped(&self) -> Vec<&str> {
        [
            &self.id,
            &self.started_at,
            &self.ended_at,
            &self.answered_at,
            &self.duration_s,
            &self.talk_s,
            &self.wait_s,
            &self.wrap_up_s,
            &self.direction,
            &self.outcome,
            &self.status,
            &self.from,
            &self.to,
            &self.customer_number,
            &self.business_number,
            &self.customer_name,
            &self.agent,
            &self.agent_name,
            &self.agent_email,
            &self.assistant,
            &self.queue,
            &self.tenant,
            &self.ended_reason,
            &self.disposition,
            &self.notes,
            &self.summary,
            &self.transcript,
            &self.recording_url,
            &self.cost,
            &self.tags,
            &self.language,
            &self.intent,
        ]
        .into_iter()
        .filter_map(|f| f.as_deref())
        .collect()
    }
}

/// Generic input is never detected: always false.
pub fn detect(_value: &Value) -> bool {
    false
}

/// Without a mapping generic input cannot be read: the document is rejected.
pub fn parse(_value: &Value, path: &str, ctx: &mut ParseCtx) -> Vec<Item> {
    vec![ctx.reject(path, 0, "$", "generic input needs a column mapping")]
}

/// One record's values by source name, and the path of each for messages.
struct Source<'a> {
    get: &'a dyn Fn(&str) -> Option<Value>,
    path: &'a dyn Fn(&str) -> String,
}

fn lookup_word<T: Copy>(table: &BTreeMap<String, T>, word: &str) -> Option<T> {
    table.get(word).copied().or_else(|| {
        table
            .iter()
            .find(|(k, _)| k.trim().eq_ignore_ascii_case(word.trim()))
            .map(|(_, v)| *v)
    })
}

fn build(m: &GenericMapping, src: &Source, ctx: &mut ParseCtx) -> CallDraft {
    let val = |field: &Option<String>| {
        field
            .as_deref()
            .and_then(|c| (src.get)(c))
            .filter(|v| !v.is_null())
    };
    let txt = |field: &Option<String>| val(field).as_ref().and_then(as_text);
    let path = |field: &Option<String>| field.as_deref().map(|c| (src.path)(c)).unwrap_or_default();

    let started_raw = txt(&m.started_at);
    let (from, to) = (txt(&m.from), txt(&m.to));
    let id = match &m.id {
        Some(_) => txt(&m.id).unwrap_or_else(|| {
            ctx.fatal(path(&m.id), "no call id");
            String::new()
        }),
        None => format!(
            "{}|{}|{}",
            started_raw.clone().unwrap_or_default(),
            from.clone()
                .or_else(|| txt(&m.customer_number))
                .unwrap_or_default(),
            to.clone()
                .or_else(|| txt(&m.business_number))
                .unwrap_or_default()
        ),
    };
    let mut d = CallDraft::new(Provider::Generic, id);

    let instant = |field: &Option<String>, ctx: &mut ParseCtx| -> Option<DateTime<Utc>> {
        let v = val(field)?;
        match (&m.timestamp_format, &v) {
            (Some(fmt), Value::String(s)) => {
                let s = s.trim();
                let parsed = DateTime::parse_from_str(s, fmt)
                    .map(|t| t.with_timezone(&Utc))
                    .ok()
                    .or_else(|| {
                        NaiveDateTime::parse_from_str(s, fmt)
                            .ok()
                            .and_then(|n| crate::time::from_local(n, ctx.source_tz))
                    });
                if parsed.is_none() && !s.is_empty() {
                    ctx.bad(
                        path(field),
                        format!("not a timestamp in format {fmt:?}: {s:?}"),
                    );
                }
                parsed
            }
            _ => ctx.instant(Some(&v), &path(field)),
        }
    };
    d.started_at = instant(&m.started_at, ctx);
    d.ended_at = instant(&m.ended_at, ctx);
    d.answered_at = instant(&m.answered_at, ctx);

    let seconds = |field: &Option<String>, ctx: &mut ParseCtx| -> Option<f64> {
        let v = val(field)?;
        if let Value::String(s) = &v {
            if s.contains(':') {
                let parsed = clock_seconds(s);
                if parsed.is_none() {
                    ctx.bad(path(field), format!("not a duration: {s:?}"));
                }
                return parsed;
            }
        }
        ctx.seconds(Some(&v), &path(field))
            .map(|x| m.duration_unit.to_seconds(x))
    };
    d.duration_s = seconds(&m.duration_s, ctx);
    d.talk_s = seconds(&m.talk_s, ctx);
    d.wait_s = seconds(&m.wait_s, ctx);
    d.wrap_up_s = seconds(&m.wrap_up_s, ctx);

    let direction = txt(&m.direction).map(|w| {
        lookup_word(&m.direction_values, &w)
            .or_else(|| w.trim().to_ascii_lowercase().parse::<Direction>().ok())
            .unwrap_or_else(|| {
                ctx.unknown_word(Provider::Generic, &w);
                Direction::Unknown
            })
    });
    d.direction = direction;

    let status = txt(&m.status);
    let outcome_word = txt(&m.outcome).or_else(|| status.clone());
    d.outcome = outcome_word.as_ref().map(|w| {
        lookup_word(&m.outcome_values, w)
            .or_else(|| w.trim().to_ascii_lowercase().parse::<Outcome>().ok())
            .unwrap_or_else(|| {
                ctx.unknown_word(Provider::Generic, w);
                Outcome::Unknown
            })
    });
    d.raw_status = status.or(outcome_word);

    let outbound = direction == Some(Direction::Outbound);
    let (customer, business) = if outbound { (to, from) } else { (from, to) };
    d.customer_number = txt(&m.customer_number)
        .or(customer)
        .and_then(|n| crate::phone::normalize(&n));
    d.business_number = txt(&m.business_number)
        .or(business)
        .and_then(|n| crate::phone::normalize(&n));
    d.customer_name = txt(&m.customer_name);

    let agent = Agent {
        id: txt(&m.agent),
        email: txt(&m.agent_email).map(|e| e.to_lowercase()),
        name: txt(&m.agent_name),
    };
    d.agent = (!agent.is_empty()).then_some(agent);
    d.assistant = txt(&m.assistant);
    d.queue = txt(&m.queue);
    d.tenant = txt(&m.tenant);
    d.ended_reason = txt(&m.ended_reason).map(|raw| EndedReason {
        category: lookup_word(&m.ended_reason_values, &raw)
            .or_else(|| {
                raw.trim()
                    .to_ascii_lowercase()
                    .parse::<EndedReasonCategory>()
                    .ok()
            })
            .unwrap_or(EndedReasonCategory::Other),
        raw,
    });
    d.disposition = txt(&m.disposition);
    d.notes = txt(&m.notes);
    d.summary = txt(&m.summary);
    d.recording_url = txt(&m.recording_url);
    d.language = txt(&m.language);
    d.intent = txt(&m.intent);
    d.cost = ctx.number(val(&m.cost).as_ref(), &path(&m.cost));
    d.tags = match val(&m.tags) {
        Some(Value::Array(items)) => items.iter().filter_map(as_text).collect(),
        Some(v) => {
            let sep = m
                .tags_separator
                .as_deref()
                .filter(|s| !s.is_empty())
                .unwrap_or(",");
            as_text(&v)
                .map(|t| {
                    t.split(sep)
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default()
        }
        None => Vec::new(),
    };
    d.transcript = match val(&m.transcript) {
        Some(Value::Array(turns)) => turns.iter().filter_map(turn).collect(),
        Some(v) => as_text(&v)
            .map(|t| transcript_lines(&t))
            .unwrap_or_default(),
        None => Vec::new(),
    };
    if let Some(label) = &m.label {
        d.extra
            .insert("source".into(), Value::String(label.clone()));
    }
    d
}

/// `H:MM:SS`, `M:SS` (fractions allowed in the last part) to seconds.
fn clock_seconds(text: &str) -> Option<f64> {
    let mut total = 0.0;
    let parts: Vec<&str> = text.trim().split(':').collect();
    if parts.len() > 3 {
        return None;
    }
    for part in parts {
        let x: f64 = part.trim().parse().ok()?;
        if !x.is_finite() || x < 0.0 {
            return None;
        }
        total = total * 60.0 + x;
    }
    Some(total)
}

fn turn(v: &Value) -> Option<TranscriptTurn> {
    let pick = |keys: &[&str]| keys.iter().find_map(|k| v.get(*k).and_then(as_text));
    let text = pick(&["text", "content", "message"])?;
    let number = |keys: &[&str]| keys.iter().find_map(|k| v.get(*k).and_then(Value::as_f64));
    Some(TranscriptTurn {
        speaker: pick(&["speaker", "role"])
            .unwrap_or_else(|| "unknown".into())
            .to_lowercase(),
        start_s: number(&["start", "startS", "start_s"]),
        end_s: number(&["end", "endS", "end_s"]),
        text,
        confidence: number(&["confidence"]),
        language: pick(&["language"]),
    })
}

/// Text transcript: one turn per non-empty line, `Speaker: words` when the part before the
/// first colon is a short word, else speaker `unknown`.
fn transcript_lines(text: &str) -> Vec<TranscriptTurn> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let (speaker, words) = match line.split_once(':') {
                Some((s, w))
                    if !s.trim().is_empty() && s.trim().len() <= 20 && !s.trim().contains(' ') =>
                {
                    (s.trim().to_lowercase(), w.trim())
                }
                _ => ("unknown".to_string(), line),
            };
            TranscriptTurn {
                speaker,
                start_s: None,
                end_s: None,
                text: words.to_string(),
                confidence: None,
                language: None,
            }
        })
        .collect()
}

/// Parse CSV rows with a header through `mapping`: exactly one item per row, in order (index =
/// row number after the header, 1-based; the path of a bad value is its column name).
pub fn parse_csv_with(
    mapping: &GenericMapping,
    header: &csv::StringRecord,
    rows: &[csv::StringRecord],
    ctx: &mut ParseCtx,
) -> Vec<Item> {
    let names: Vec<&str> = header.iter().map(str::trim).collect();
    let column = |name: &str| {
        names.iter().position(|h| *h == name).or_else(|| {
            names
                .iter()
                .position(|h| h.eq_ignore_ascii_case(name.trim()))
        })
    };
    let mapped: Vec<usize> = mapping.mapped().into_iter().filter_map(column).collect();
    rows.iter()
        .enumerate()
        .map(|(i, row)| {
            let get = |name: &str| {
                column(name)
                    .and_then(|c| row.get(c))
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| Value::String(s.to_string()))
            };
            let path = |name: &str| name.to_string();
            let mut draft = build(
                mapping,
                &Source {
                    get: &get,
                    path: &path,
                },
                ctx,
            );
            for (c, cell) in row.iter().enumerate() {
                let cell = cell.trim();
                if mapped.contains(&c) || cell.is_empty() {
                    continue;
                }
                let key = names
                    .get(c)
                    .map_or_else(|| format!("column{}", c + 1), |n| n.to_string());
                draft.extra.insert(key, Value::String(cell.to_string()));
            }
            ctx.finish(draft, "$", i + 1, false)
        })
        .collect()
}

/// A value at a dotted path (`a.b.0.c`); a top-level key that contains dots is tried first.
fn at_path<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    if let Some(v) = value.get(path) {
        return Some(v);
    }
    path.split('.').try_fold(value, |v, part| match v {
        Value::Object(map) => map.get(part),
        Value::Array(items) => part.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    })
}

/// Remove the leaf at a dotted path, and the objects the removal leaves empty.
fn remove_path(map: &mut Map<String, Value>, path: &str) {
    if map.remove(path).is_some() {
        return;
    }
    let parts: Vec<&str> = path.split('.').collect();
    remove_parts(map, &parts);
}

fn remove_parts(map: &mut Map<String, Value>, parts: &[&str]) {
    match parts {
        [] => {}
        [leaf] => {
            map.remove(*leaf);
        }
        [head, rest @ ..] => {
            if let Some(Value::Object(child)) = map.get_mut(*head) {
                remove_parts(child, rest);
                if child.is_empty() {
                    map.remove(*head);
                }
            }
        }
    }
}

/// Parse a JSON document (one record, an array of records, or records at
/// [`GenericMapping::records`]) through `mapping`. Item paths are `$[2]` / `$.data.calls[2]`.
pub fn parse_json_with(
    mapping: &GenericMapping,
    value: &Value,
    path: &str,
    ctx: &mut ParseCtx,
) -> Vec<Item> {
    let (records, base) = match &mapping.records {
        Some(p) => match at_path(value, p) {
            Some(v) => (v, format!("{path}.{p}")),
            None => {
                return vec![ctx.reject(path, 0, format!("{path}.{p}"), "no records at this path")];
            }
        },
        None => (value, path.to_string()),
    };
    match records {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| parse_record(mapping, v, &format!("{base}[{i}]"), ctx))
            .collect(),
        _ => vec![parse_record(mapping, records, &base, ctx)],
    }
}

fn parse_record(mapping: &GenericMapping, value: &Value, path: &str, ctx: &mut ParseCtx) -> Item {
    let Some(obj) = value.as_object() else {
        return ctx.reject(path, 0, path, "a generic record must be a JSON object");
    };
    let get = |p: &str| at_path(value, p).cloned();
    let item_path = |p: &str| format!("{path}.{p}");
    let mut draft = build(
        mapping,
        &Source {
            get: &get,
            path: &item_path,
        },
        ctx,
    );
    let mut rest = obj.clone();
    for p in mapping.mapped() {
        remove_path(&mut rest, p);
    }
    for (k, v) in rest {
        draft.extra.entry(k).or_insert(v);
    }
    ctx.finish(draft, path, 0, false)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::providers::ItemKind;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn call(item: &Item) -> &CallDraft {
        match &item.kind {
            ItemKind::Call { draft, .. } => draft,
            other => panic!("not a call: {other:?}"),
        }
    }

    const CSV: &str = "\
Call ID,Start,End,Talk (ms),Dir,Result,Caller,Callee,Agent Email,Team,Tags,Reason,Notes
c-1,01/03/2024 09:15,01/03/2024 09:20,270000,IN,Connected,+1 (415) 867-5309,+12125550123,Dana@Example.com,Support,\"vip, renewal\",caller hung up,first call
c-2,01/03/2024 10:00,01/03/2024 10:00,0,OUT,Ring-out,+12125550123,+14158675309,,Sales,,,
c-3,01/03/2024 11:00,01/03/2024 11:01,abc,IN,Exploded,+14158675309,+12125550123,,,,,
c-4,,,,IN,Connected,,,,,,,
";

    fn csv_mapping() -> GenericMapping {
        serde_json::from_value(serde_json::json!({
            "id": "Call ID",
            "startedAt": "Start",
            "endedAt": "End",
            "talkS": "Talk (ms)",
            "direction": "Dir",
            "outcome": "Result",
            "from": "Caller",
            "to": "Callee",
            "agentEmail": "Agent Email",
            "queue": "Team",
            "tags": "Tags",
            "endedReason": "Reason",
            "outcomeValues": {"connected": "answered", "Ring-out": "unanswered"},
            "directionValues": {"IN": "inbound", "OUT": "outbound"},
            "endedReasonValues": {"caller hung up": "customer-ended"},
            "timestampFormat": "%d/%m/%Y %H:%M",
            "durationUnit": "ms",
            "label": "pbx-export"
        }))
        .unwrap()
    }

    fn csv_rows() -> (csv::StringRecord, Vec<csv::StringRecord>) {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(CSV.as_bytes());
        let header = reader.headers().unwrap().clone();
        (header, reader.records().map(|r| r.unwrap()).collect())
    }

    #[test]
    fn placeholder_contract() {
        assert!(!detect(&serde_json::json!({"id": 1})));
        let items = parse(
            &serde_json::json!({}),
            "$",
            &mut ParseCtx::new(chrono_tz::UTC, false),
        );
        let ItemKind::Rejected(issue) = &items[0].kind else {
            panic!()
        };
        assert_eq!(issue.reason, "generic input needs a column mapping");
    }

    #[test]
    fn mapping_defaults_and_camel_case() {
        let m: GenericMapping = serde_json::from_str("{}").unwrap();
        assert_eq!(m, GenericMapping::default());
        assert_eq!(m.duration_unit, DurationUnit::S);
        let json = serde_json::to_value(csv_mapping()).unwrap();
        assert_eq!(json["startedAt"], "Start");
        assert_eq!(json["durationUnit"], "ms");
        assert_eq!(json["outcomeValues"]["connected"], "answered");
    }

    #[test]
    fn csv_with_user_vocabulary() {
        let (header, rows) = csv_rows();
        let mut ctx = ParseCtx::new(chrono_tz::Europe::Berlin, false);
        let items = parse_csv_with(&csv_mapping(), &header, &rows, &mut ctx);
        assert_eq!(items.len(), 4);
        assert_eq!(
            items.iter().map(|i| i.index).collect::<Vec<_>>(),
            vec![1, 2, 3, 4]
        );
        let d = call(&items[0]);
        assert_eq!(d.id().as_deref(), Some("generic:c-1"));
        // 01/03/2024 09:15 in Berlin (CET, UTC+1) = 08:15 UTC; talk 270000 ms = 270 s.
        assert_eq!(d.started_at, Some(at("2024-03-01T08:15:00Z")));
        assert_eq!(d.ended_at, Some(at("2024-03-01T08:20:00Z")));
        assert_eq!(d.talk_s, Some(270.0));
        assert_eq!(d.direction, Some(Direction::Inbound));
        // "Connected" matches the user word "connected" case-insensitively.
        assert_eq!(d.outcome, Some(Outcome::Answered));
        assert_eq!(d.raw_status.as_deref(), Some("Connected"));
        assert_eq!(d.customer_number.as_deref(), Some("+14158675309"));
        assert_eq!(d.business_number.as_deref(), Some("+12125550123"));
        assert_eq!(
            d.agent.as_ref().and_then(|a| a.email.as_deref()),
            Some("dana@example.com")
        );
        assert_eq!(d.queue.as_deref(), Some("Support"));
        assert_eq!(d.tags, vec!["vip", "renewal"]);
        assert_eq!(
            d.ended_reason,
            Some(EndedReason {
                category: EndedReasonCategory::CustomerEnded,
                raw: "caller hung up".into()
            })
        );
        assert_eq!(d.extra["Notes"], "first call");
        assert_eq!(d.extra["source"], "pbx-export");
        assert!(!d.extra.contains_key("Start"));
        // Row 2: outbound, so from/to swap: customer = Callee.
        let d = call(&items[1]);
        assert_eq!(d.outcome, Some(Outcome::Unanswered));
        assert_eq!(d.customer_number.as_deref(), Some("+14158675309"));
        assert_eq!(d.business_number.as_deref(), Some("+12125550123"));
        // Row 3: unknown outcome word, bad duration (lenient: warning).
        let d = call(&items[2]);
        assert_eq!(d.outcome, Some(Outcome::Unknown));
        assert_eq!(d.talk_s, None);
        assert_eq!(d.warnings[0].path, "Talk (ms)");
        assert_eq!(
            ctx.unknown_words,
            vec![(Provider::Generic, "Exploded".to_string())]
        );
        // Row 4: no start: parsed, rejected later by into_record.
        let r = call(&items[3]).clone();
        assert_eq!(r.started_at, None);
        assert_eq!(r.clone().into_record(false).unwrap_err().path, "startedAt");
        // Strict: row 3 is rejected at its column.
        let items = parse_csv_with(
            &csv_mapping(),
            &header,
            &rows,
            &mut ParseCtx::new(chrono_tz::UTC, true),
        );
        let ItemKind::Rejected(issue) = &items[2].kind else {
            panic!()
        };
        assert_eq!(issue.path, "Talk (ms)");
    }

    #[test]
    fn ndjson_with_paths() {
        let ndjson = r#"{"call":{"id":"n1","startedAt":"2024-03-01T09:00:00Z","durationMinutes":2.5,"wait":"0:12"},"status":"missed","direction":"inbound","parties":{"customer":"+14158675309"},"transcript":"Agent: Hello, thanks for calling\nCustomer: I need help with billing","meta":{"crm":"x1"},"tags":["a","b"],"cost":0.05}
{"call":{"id":"n2","startedAt":1709283600},"status":"teleported","direction":"sideways"}
{"call":{"startedAt":"2024-03-01T09:00:00Z"}}
[1, 2]"#;
        let mapping: GenericMapping = serde_json::from_value(serde_json::json!({
            "id": "call.id",
            "startedAt": "call.startedAt",
            "durationS": "call.durationMinutes",
            "waitS": "call.wait",
            "status": "status",
            "direction": "direction",
            "customerNumber": "parties.customer",
            "transcript": "transcript",
            "tags": "tags",
            "cost": "cost",
            "durationUnit": "min"
        }))
        .unwrap();
        let mut ctx = ParseCtx::new(chrono_tz::UTC, false);
        let items: Vec<Vec<Item>> = ndjson
            .lines()
            .map(|line| {
                parse_json_with(
                    &mapping,
                    &serde_json::from_str(line).unwrap(),
                    "$",
                    &mut ctx,
                )
            })
            .collect();
        let d = call(&items[0][0]);
        assert_eq!(d.id().as_deref(), Some("generic:n1"));
        assert_eq!(d.outcome, Some(Outcome::Missed)); // canonical word, no table needed
        assert_eq!(d.duration_s, Some(150.0)); // 2.5 min
        assert_eq!(d.wait_s, Some(12.0)); // "0:12"
        assert_eq!(d.customer_number.as_deref(), Some("+14158675309"));
        assert_eq!(d.transcript.len(), 2);
        assert_eq!(d.transcript[1].speaker, "customer");
        assert_eq!(d.transcript[1].text, "I need help with billing");
        assert_eq!(d.tags, vec!["a", "b"]);
        assert_eq!(d.cost, Some(0.05));
        // Unmapped keys are kept; mapped leaves removed, emptied objects dropped.
        assert_eq!(d.extra["meta"]["crm"], "x1");
        assert!(!d.extra.contains_key("parties"));
        assert!(!d.extra.contains_key("call"));
        // Line 2: epoch start, unknown words for outcome and direction.
        let d = call(&items[1][0]);
        assert_eq!(d.started_at, Some(at("2024-03-01T09:00:00Z"))); // 1709283600
        assert_eq!(d.outcome, Some(Outcome::Unknown));
        assert_eq!(d.direction, Some(Direction::Unknown));
        assert_eq!(
            ctx.unknown_words,
            vec![
                (Provider::Generic, "sideways".to_string()),
                (Provider::Generic, "teleported".to_string())
            ]
        );
        // Line 3: mapped id missing -> rejected at its path.
        let ItemKind::Rejected(issue) = &items[2][0].kind else {
            panic!()
        };
        assert_eq!(issue.path, "$.call.id");
        // Line 4: an array of non-objects -> each element rejected.
        assert_eq!(items[3].len(), 2);
        assert!(matches!(&items[3][1].kind, ItemKind::Rejected(i) if i.path == "$[1]"));
    }

    #[test]
    fn json_records_path_and_fallback_id() {
        let doc = serde_json::json!({"data": {"calls": [
            {"start": "2024-03-01 09:00:00", "from": "+14158675309", "to": "100", "result": "answered"}
        ]}});
        let mapping = GenericMapping {
            records: Some("data.calls".into()),
            started_at: Some("start".into()),
            from: Some("from".into()),
            to: Some("to".into()),
            outcome: Some("result".into()),
            ..Default::default()
        };
        let items = parse_json_with(
            &mapping,
            &doc,
            "$",
            &mut ParseCtx::new(chrono_tz::UTC, false),
        );
        assert_eq!(items[0].path, "$.data.calls[0]");
        let d = call(&items[0]);
        assert_eq!(
            d.provider_call_id.as_deref(),
            Some("2024-03-01 09:00:00|+14158675309|100")
        );
        assert_eq!(d.business_number.as_deref(), Some("100"));
        let missing = GenericMapping {
            records: Some("nope".into()),
            ..Default::default()
        };
        let items = parse_json_with(
            &missing,
            &doc,
            "$",
            &mut ParseCtx::new(chrono_tz::UTC, false),
        );
        assert!(matches!(&items[0].kind, ItemKind::Rejected(i) if i.path == "$.nope"));
    }
}
