//! One module per provider: parse its payloads into [`CallDraft`]s, its vocabulary tables, and
//! its webhook/event folding rules.
//!
//! Every parser reads items into [`Item`]s through a [`ParseCtx`], which records unknown
//! vocabulary words, lenient-mode warnings and strict-mode rejections with their JSON paths.
//!
//! The contract of a provider module (`providers/<name>.rs`):
//! - `pub fn detect(value: &Value) -> bool` — whether a JSON document (one array element or
//!   NDJSON line, or a whole page envelope) has this provider's shape. Cheap: look at keys.
//! - `pub fn parse(value: &Value, path: &str, ctx: &mut ParseCtx) -> Vec<Item>` — every item of
//!   the document: one per call object of a list page, one per webhook. `path` is the JSON path
//!   of `value` in its source (`$`, `$[3]`); item paths extend it (`$.calls[2]`). Item `index`
//!   is left 0: ingest numbers items per source.
//! - optionally `pub fn finalize(draft: &mut CallDraft)` — derivations that need the folded
//!   record (after all webhook events of a call are overlaid), run before
//!   [`CallDraft::into_record`]. Registered in [`finalize`].
//! - line formats add `parse_form` (Twilio, FreeSWITCH `cdr=`) or `parse_csv` (CDRs, generic).
//! - a `const` vocabulary table (word -> outcome, word -> ended-reason category) with a unit
//!   test for every word; unknown words go to [`ParseCtx::unknown_word`] and give
//!   `Outcome::Unknown`.
//! - unit tests beside the code with values worked out by hand from the fixture files.

use crate::model::buffers::Buffers;
use crate::model::{CallDraft, FieldIssue, Provider};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use json::Field;
use serde_json::Value;

pub mod json;
pub(crate) mod lane;

/// What one input item turned out to be. A draft is large; items are short-lived, so it is
/// not boxed.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum ItemKind {
    /// A call, or a part of one.
    Call {
        /// The (partial) record.
        draft: CallDraft,
        /// A webhook / event / leg rather than a full record: merging it counts as folding.
        event: bool,
    },
    /// Folded by the parser itself into another item of the same source (e.g. a CDR leg).
    Folded,
    /// Not a call (a message, a ticket, an agent-status event).
    NonCall {
        /// What it is.
        what: String,
    },
    /// Unusable, with the reason.
    Rejected(FieldIssue),
}

/// One input item and where it was in its source.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// JSON path of the item in its document (`$.calls[2]`), or `$` for a line / row.
    pub path: String,
    /// Line (1-based) for line formats, else the item's ordinal in the document.
    pub index: usize,
    /// What it is.
    pub kind: ItemKind,
}

/// As [`Field::text`], written into the buffer of text field `slot` of `buffers` (which keeps
/// its buffer when there is no text).
pub(crate) fn text_in(
    buffers: &mut Buffers,
    slot: usize,
    field: Option<Field<'_>>,
) -> Option<String> {
    let field = field?;
    let mut b = buffers.take(slot);
    if field.write_text(&mut b) {
        Some(b)
    } else {
        buffers.give_back(slot, b);
        None
    }
}

/// Per-source parse settings and the collectors of one item's issues.
#[derive(Debug)]
pub struct ParseCtx {
    /// Zone of zone-less timestamps.
    pub source_tz: Tz,
    /// Strict mode: a bad value rejects the item instead of being cleared.
    pub strict: bool,
    /// Unknown vocabulary words seen, per provider.
    pub unknown_words: Vec<(Provider, String)>,
    /// Copy unmapped fields into `extra` (default). When false, a parser may skip copying the
    /// unmapped fields it does not itself need later (the Twilio and JustCall REST call readers
    /// do) and may keep what it needs in a form of its own (a Twilio `<Dial>` leg's values for
    /// its parent, encoded in one string instead of a summary object); ingest then also empties
    /// `extra` of the finished records.
    pub keep_extra: bool,
    /// Map only the fields a report of the summary and the concurrency series reads
    /// ([`IngestOptions::lean`](crate::ingest::IngestOptions::lean)): the Twilio and JustCall
    /// REST call readers then leave out the parties (agent, numbers, customer name), queue,
    /// notes, recording, disposition, tags and summary. Every value that can give a warning is
    /// still read, so the ingest report is the same. Default false.
    pub lean: bool,
    warnings: Vec<FieldIssue>,
    rejection: Option<FieldIssue>,
    /// The strings of the last draft packed, for the next draft's texts (the typed fast
    /// lanes hand each draft back once ingest has copied it).
    pub(crate) buffers: Buffers,
}

impl ParseCtx {
    /// A context for one source.
    pub fn new(source_tz: Tz, strict: bool) -> Self {
        ParseCtx {
            source_tz,
            strict,
            unknown_words: Vec::new(),
            keep_extra: true,
            lean: false,
            warnings: Vec::new(),
            rejection: None,
            buffers: Buffers::default(),
        }
    }

    /// As [`Field::text`], written into the buffer of text field `slot`
    /// ([`crate::model::buffers::slot`]).
    pub(crate) fn text(&mut self, slot: usize, field: Option<Field<'_>>) -> Option<String> {
        text_in(&mut self.buffers, slot, field)
    }

    /// Keep the strings of an item's draft once it is packed, for the next draft's texts.
    pub(crate) fn recycle(&mut self, item: &mut Item) {
        if let ItemKind::Call { draft, .. } = &mut item.kind {
            self.buffers.recycle_draft(draft);
        }
        self.buffers.recycle_path(std::mem::take(&mut item.path));
    }

    /// `path` as an item's path, written into a reused buffer.
    pub(crate) fn path(&mut self, path: &str) -> String {
        self.buffers.path(path)
    }

    /// A vocabulary word no table knows: counted in the report, outcome `unknown`.
    pub fn unknown_word(&mut self, provider: Provider, word: &str) {
        self.unknown_words.push((provider, word.to_string()));
    }

    /// A value that cannot be used: strict mode rejects the item, lenient mode warns and
    /// leaves the field unset.
    pub fn bad(&mut self, path: impl Into<String>, reason: impl Into<String>) {
        let issue = FieldIssue {
            path: path.into(),
            reason: reason.into(),
        };
        if self.strict {
            if self.rejection.is_none() {
                self.rejection = Some(issue);
            }
        } else {
            self.warnings.push(issue);
        }
    }

    /// A value the item cannot do without: the item is rejected in either mode.
    pub fn fatal(&mut self, path: impl Into<String>, reason: impl Into<String>) {
        if self.rejection.is_none() {
            self.rejection = Some(FieldIssue {
                path: path.into(),
                reason: reason.into(),
            });
        }
    }

    /// Whether the current item is already rejected.
    pub fn is_rejected(&self) -> bool {
        self.rejection.is_some()
    }

    /// Close the current item: a call (with its warnings) or its rejection.
    pub fn finish(
        &mut self,
        mut draft: CallDraft,
        path: impl Into<String>,
        index: usize,
        event: bool,
    ) -> Item {
        let path = path.into();
        let warnings = std::mem::take(&mut self.warnings);
        let kind = match self.rejection.take() {
            Some(issue) => ItemKind::Rejected(issue),
            None => {
                draft.warnings.extend(warnings);
                ItemKind::Call { draft, event }
            }
        };
        Item { path, index, kind }
    }

    /// Close the current item as rejected.
    pub fn reject(
        &mut self,
        path: impl Into<String>,
        index: usize,
        at: impl Into<String>,
        reason: impl Into<String>,
    ) -> Item {
        self.warnings.clear();
        self.rejection = None;
        Item {
            path: path.into(),
            index,
            kind: ItemKind::Rejected(FieldIssue {
                path: at.into(),
                reason: reason.into(),
            }),
        }
    }

    /// Close the current item as not a call.
    pub fn non_call(
        &mut self,
        path: impl Into<String>,
        index: usize,
        what: impl Into<String>,
    ) -> Item {
        self.warnings.clear();
        self.rejection = None;
        Item {
            path: path.into(),
            index,
            kind: ItemKind::NonCall { what: what.into() },
        }
    }

    /// Parse a timestamp value (string in any format, or epoch number) at `path`.
    pub fn instant(&mut self, value: Option<&Value>, path: &str) -> Option<DateTime<Utc>> {
        self.instant_at(value.map(Field::of), || path.to_string())
    }

    /// [`ParseCtx::instant`] of a [`Field`]; the path is built only for a message.
    pub fn instant_at(
        &mut self,
        value: Option<Field<'_>>,
        path: impl FnOnce() -> String,
    ) -> Option<DateTime<Utc>> {
        let v = value?;
        let parsed = match v {
            Field::Null => return None,
            Field::Str(s) if json::trimmed(s).is_empty() => return None,
            Field::Str(s) => crate::time::parse_instant(s, self.source_tz),
            Field::Num(n) => n.as_f64().and_then(crate::time::from_epoch),
            Field::Bool(_) | Field::Other(_) => None,
        };
        if parsed.is_none() {
            self.bad(path(), format!("not a timestamp: {}", v.short()));
        }
        parsed
    }

    /// Parse a number (JSON number or numeric string) at `path`; must be finite.
    pub fn number(&mut self, value: Option<&Value>, path: &str) -> Option<f64> {
        self.number_at(value.map(Field::of), || path.to_string())
    }

    /// [`ParseCtx::number`] of a [`Field`]; the path is built only for a message.
    pub fn number_at(
        &mut self,
        value: Option<Field<'_>>,
        path: impl FnOnce() -> String,
    ) -> Option<f64> {
        let v = value?;
        let parsed = match v {
            Field::Null => return None,
            Field::Str(s) if json::trimmed(s).is_empty() => return None,
            Field::Str(s) => json::trimmed(s).parse::<f64>().ok(),
            Field::Num(n) => n.as_f64(),
            Field::Bool(_) | Field::Other(_) => None,
        };
        match parsed {
            Some(x) if x.is_finite() => Some(x),
            _ => {
                self.bad(path(), format!("not a finite number: {}", v.short()));
                None
            }
        }
    }

    /// A non-negative duration in seconds at `path` (negative values are bad values).
    pub fn seconds(&mut self, value: Option<&Value>, path: &str) -> Option<f64> {
        self.seconds_at(value.map(Field::of), || path.to_string())
    }

    /// [`ParseCtx::seconds`] of a [`Field`]; the path is built only for a message.
    pub fn seconds_at(
        &mut self,
        value: Option<Field<'_>>,
        path: impl Fn() -> String,
    ) -> Option<f64> {
        let x = self.number_at(value, &path)?;
        if x < 0.0 {
            self.bad(path(), format!("negative duration {x}"));
            return None;
        }
        Some(x)
    }
}

/// A short printable form of a JSON value for messages.
pub fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 60 {
        let cut = (0..=60).rev().find(|i| s.is_char_boundary(*i)).unwrap_or(0);
        format!("{}...", &s[..cut])
    } else {
        s
    }
}

pub mod asterisk;
pub mod callapi;
pub mod callcenter;
pub mod freeswitch;
pub mod generic;
pub mod justcall;
pub mod mightycall;
pub mod retell;
pub mod twilio;
pub mod vapi;

/// Providers tried by JSON shape detection, most specific first.
const JSON_DETECT_ORDER: &[Provider] = &[
    Provider::Vapi,
    Provider::Retell,
    Provider::Twilio,
    Provider::JustCall,
    Provider::MightyCall,
    Provider::CallCenter,
    Provider::CallApi,
    Provider::FreeSwitch,
    Provider::Asterisk,
];

/// Name the provider of a JSON document from its shape.
pub fn detect_json(value: &Value) -> Option<Provider> {
    JSON_DETECT_ORDER.iter().copied().find(|p| match p {
        Provider::Vapi => vapi::detect(value),
        Provider::Retell => retell::detect(value),
        Provider::Twilio => twilio::detect(value),
        Provider::JustCall => justcall::detect(value),
        Provider::MightyCall => mightycall::detect(value),
        Provider::CallCenter => callcenter::detect(value),
        Provider::CallApi => callapi::detect(value),
        Provider::FreeSwitch => freeswitch::detect(value),
        Provider::Asterisk => asterisk::detect(value),
        Provider::Generic => false,
    })
}

/// Parse a JSON document as `provider`'s.
pub fn parse_json(provider: Provider, value: &Value, path: &str, ctx: &mut ParseCtx) -> Vec<Item> {
    match provider {
        Provider::JustCall => justcall::parse(value, path, ctx),
        Provider::Twilio => twilio::parse(value, path, ctx),
        Provider::MightyCall => mightycall::parse(value, path, ctx),
        Provider::Vapi => vapi::parse(value, path, ctx),
        Provider::Retell => retell::parse(value, path, ctx),
        Provider::CallCenter => callcenter::parse(value, path, ctx),
        Provider::CallApi => callapi::parse(value, path, ctx),
        Provider::Asterisk => asterisk::parse(value, path, ctx),
        Provider::FreeSwitch => freeswitch::parse(value, path, ctx),
        Provider::Generic => generic::parse(value, path, ctx),
    }
}

/// The typed fast lane's reading of a Twilio REST or JustCall v2.1 document and nothing more:
/// `text` read into the lane's structs by its own JSON reader (`lane`) or by serde_json, with
/// no detection checks, mapping, packing or analytics; the number of calls read (a page's
/// list, else 1), `None` when the reader gives up or `provider` has no fast lane.
///
/// For the stage benchmarks (`read_twilio`, `read_justcall`), which time reading the bytes
/// apart from everything after it; not part of the API.
#[doc(hidden)]
pub fn read_typed(provider: Provider, text: &str, lane: bool) -> Option<usize> {
    match provider {
        Provider::Twilio => twilio::fast::calls_read(text, lane),
        Provider::JustCall => justcall::fast::calls_read(text, lane),
        _ => None,
    }
}

/// Provider-specific derivations on a folded draft, before it becomes a record.
pub fn finalize(draft: &mut CallDraft) {
    match draft.provider {
        Some(Provider::MightyCall) => mightycall::finalize(draft),
        Some(Provider::Retell) => retell::finalize(draft),
        Some(Provider::Vapi) => vapi::finalize(draft),
        Some(Provider::CallCenter) => callcenter::finalize(draft),
        Some(Provider::Twilio) => twilio::finalize(draft),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts taken from the fixture files (2 calls in the Twilio page, 3 in the JustCall one).
    #[test]
    fn read_typed_counts_the_calls_of_a_document_by_either_reader() {
        let twilio = include_str!("../../../tests/data/twilio/call_list_page1.json");
        let justcall = include_str!("../../../tests/data/justcall/list_v21.json");
        for lane in [true, false] {
            assert_eq!(read_typed(Provider::Twilio, twilio, lane), Some(2));
            assert_eq!(read_typed(Provider::JustCall, justcall, lane), Some(3));
        }
        let one = r#"{"sid": "CA1", "status": "busy"}"#;
        assert_eq!(read_typed(Provider::Twilio, one, true), Some(1));
        // a `\u` escape: the lane's reader gives up, serde_json reads it
        let escaped = r#"{"calls": [{"sid": "CA1", "caller_name": "Zo\u00eb"}]}"#;
        assert_eq!(read_typed(Provider::Twilio, escaped, true), None);
        assert_eq!(read_typed(Provider::Twilio, escaped, false), Some(1));
        // no lane for another provider; not JSON
        assert_eq!(read_typed(Provider::Vapi, one, true), None);
        assert_eq!(read_typed(Provider::JustCall, "{", false), None);
    }
}
