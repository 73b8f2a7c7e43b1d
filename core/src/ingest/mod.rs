//! Ingest: read inputs in any supported layout, detect each item's provider, parse, fold the
//! items of one call, and account for every item in an [`IngestReport`].
//!
//! ```
//! use callscope::ingest::{ingest_bytes, IngestOptions};
//! let body = br#"{"call_id":"c1","call_type":"phone_call","call_status":"ended","direction":"inbound",
//!   "start_timestamp":1700000000000,"end_timestamp":1700000060000,"duration_ms":55000,
//!   "disconnection_reason":"user_hangup","from_number":"+14155550100","to_number":"+14155550199"}"#;
//! let out = ingest_bytes("retell.json", body, &IngestOptions::default()).unwrap();
//! assert_eq!(out.report.records_in, 1);
//! assert!(out.report.is_balanced());
//! ```

pub mod format;
mod report;

pub use format::Format;
pub use report::{IngestReport, ReportEntry};

use crate::model::{CallDraft, CallRecord, FieldIssue, Provider};
use crate::providers::{self, Item, ItemKind, ParseCtx};
use crate::{Error, Result};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use std::io::BufRead;
use std::sync::Arc;

/// Options of an ingest. Every binding passes the same object (camelCase keys).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IngestOptions {
    /// Read every input as this provider's instead of detecting it.
    pub provider: Option<Provider>,
    /// IANA zone of timestamps that carry no offset (default UTC).
    pub source_tz: Option<String>,
    /// Reject records that break an invariant or carry a bad value, instead of clearing the
    /// value with a warning.
    pub strict: bool,
}

/// The records and the report of an ingest.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ingested {
    /// One record per call, sorted by start time then id.
    pub records: Vec<CallRecord>,
    /// Every item accounted for.
    pub report: IngestReport,
}

/// Ingest one in-memory input.
pub fn ingest_bytes(source: &str, bytes: &[u8], options: &IngestOptions) -> Result<Ingested> {
    let mut ingestor = Ingestor::new(options)?;
    ingestor.add_bytes(source, bytes)?;
    Ok(ingestor.finish())
}

/// A parsed item waiting to be folded with the other items of its call.
#[derive(Debug)]
struct Pending {
    source: Arc<str>,
    index: usize,
    path: String,
    draft: CallDraft,
    event: bool,
}

/// Accumulates inputs (files, bodies, streams), then folds and reports.
#[derive(Debug)]
pub struct Ingestor {
    options: IngestOptions,
    tz: Tz,
    pending: Vec<Pending>,
    report: IngestReport,
}

impl Ingestor {
    /// A new ingest with `options`; fails on an unknown `sourceTz`.
    pub fn new(options: &IngestOptions) -> Result<Self> {
        let tz = match &options.source_tz {
            Some(name) => crate::time::parse_tz(name)?,
            None => Tz::UTC,
        };
        Ok(Ingestor {
            options: options.clone(),
            tz,
            pending: Vec::new(),
            report: IngestReport::default(),
        })
    }

    fn ctx(&self) -> ParseCtx {
        ParseCtx::new(self.tz, self.options.strict)
    }

    /// Add one input held in memory. Fails only when the input cannot be read at all (a JSON
    /// document that is not valid JSON, a CSV whose provider cannot be told).
    pub fn add_bytes(&mut self, source: &str, bytes: &[u8]) -> Result<()> {
        let bytes = format::strip_bom(bytes);
        let source: Arc<str> = Arc::from(source);
        match format::sniff(bytes) {
            Format::Empty => {
                self.report.warnings.push(ReportEntry {
                    source: source.to_string(),
                    index: 0,
                    path: "$".into(),
                    reason: "empty input: no items".into(),
                });
                Ok(())
            }
            Format::Json => {
                let value: Value = serde_json::from_slice(bytes).map_err(|e| Error::Syntax {
                    source_name: source.to_string(),
                    format: "json",
                    location: format!("line {} column {}", e.line(), e.column()),
                    reason: e.to_string(),
                })?;
                self.add_document(&source, value);
                Ok(())
            }
            Format::Ndjson => {
                for (n, line) in bytes.split(|b| *b == b'\n').enumerate() {
                    self.add_ndjson_line(&source, n + 1, line);
                }
                Ok(())
            }
            Format::Form => {
                for (n, line) in bytes.split(|b| *b == b'\n').enumerate() {
                    self.add_form_line(&source, n + 1, line);
                }
                Ok(())
            }
            Format::Csv => self.add_csv(&source, bytes),
        }
    }

    /// Add one input read from a stream. NDJSON and form bodies are read line by line, so
    /// memory holds one line at a time (plus the parsed records); other layouts are read whole.
    pub fn add_reader(&mut self, source: &str, mut reader: impl BufRead) -> Result<()> {
        let io_err = |cause| Error::Io {
            source_name: source.to_string(),
            cause,
        };
        let head = reader.fill_buf().map_err(io_err)?.to_vec();
        let layout = format::sniff(&head);
        if matches!(layout, Format::Ndjson | Format::Form) && !head.is_empty() {
            let src: Arc<str> = Arc::from(source);
            let mut line = Vec::new();
            let mut n = 0usize;
            loop {
                line.clear();
                let read = reader.read_until(b'\n', &mut line).map_err(io_err)?;
                if read == 0 {
                    break;
                }
                n += 1;
                let text = if n == 1 {
                    format::strip_bom(&line)
                } else {
                    &line[..]
                };
                if layout == Format::Ndjson {
                    self.add_ndjson_line(&src, n, text);
                } else {
                    self.add_form_line(&src, n, text);
                }
            }
            return Ok(());
        }
        let mut all = Vec::new();
        reader.read_to_end(&mut all).map_err(io_err)?;
        self.add_bytes(source, &all)
    }

    fn add_document(&mut self, source: &Arc<str>, value: Value) {
        match value {
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    let path = format!("$[{i}]");
                    let parsed = self.parse_value(v, &path);
                    self.collect(source, Some(i), parsed.0, parsed.1);
                }
            }
            other => {
                let parsed = self.parse_value(&other, "$");
                self.collect(source, None, parsed.0, parsed.1);
            }
        }
    }

    fn add_ndjson_line(&mut self, source: &Arc<str>, line_no: usize, line: &[u8]) {
        let trimmed = line.trim_ascii();
        if trimmed.is_empty() {
            return;
        }
        match serde_json::from_slice::<Value>(trimmed) {
            Ok(v) => {
                let (items, ctx) = self.parse_value(&v, "$");
                self.collect(source, Some(line_no), items, ctx);
            }
            Err(e) => {
                self.report.records_in += 1;
                self.report.rejected.push(ReportEntry {
                    source: source.to_string(),
                    index: line_no,
                    path: "$".into(),
                    reason: format!("invalid JSON at column {}: {e}", e.column()),
                });
            }
        }
    }

    fn add_form_line(&mut self, source: &Arc<str>, line_no: usize, line: &[u8]) {
        let trimmed = line.trim_ascii();
        if trimmed.is_empty() {
            return;
        }
        let pairs: Vec<(String, String)> = form_urlencoded::parse(trimmed)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let mut ctx = self.ctx();
        let provider = self.options.provider.or_else(|| detect_form(&pairs));
        let items = match provider {
            Some(Provider::Twilio) => vec![providers::twilio::parse_form(&pairs, &mut ctx)],
            Some(Provider::FreeSwitch) => providers::freeswitch::parse_form(&pairs, &mut ctx),
            Some(p) => vec![ctx.reject("$", 0, "$", format!("{p} has no form-encoded payloads"))],
            None => vec![ctx.reject(
                "$",
                0,
                "$",
                "cannot detect the provider of this form body (looked for Twilio CallSid/AccountSid and FreeSWITCH cdr=)",
            )],
        };
        self.collect(source, Some(line_no), items, ctx);
    }

    fn add_csv(&mut self, source: &Arc<str>, bytes: &[u8]) -> Result<()> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        let mut rows = Vec::new();
        for (n, rec) in reader.byte_records().enumerate() {
            let rec = rec.map_err(|e| Error::Syntax {
                source_name: source.to_string(),
                format: "csv",
                location: format!("row {}", n + 1),
                reason: e.to_string(),
            })?;
            let fields: Vec<String> = rec
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect();
            rows.push(csv::StringRecord::from(fields));
        }
        let Some(first) = rows.first() else {
            return Ok(());
        };
        let provider = match self.options.provider {
            Some(p) => p,
            None if providers::asterisk::detect_csv(first) => Provider::Asterisk,
            None if providers::freeswitch::detect_csv(first) => Provider::FreeSwitch,
            None => {
                return Err(Error::UnknownProvider {
                    source_name: source.to_string(),
                    index: 1,
                    reason: "CSV rows match neither the Asterisk nor the FreeSWITCH CDR layouts; name the provider or give a generic column mapping".into(),
                });
            }
        };
        let mut ctx = self.ctx();
        let items = match provider {
            Provider::Asterisk => providers::asterisk::parse_csv(&rows, &mut ctx),
            Provider::FreeSwitch => providers::freeswitch::parse_csv(&rows, &mut ctx),
            other => {
                return Err(Error::InvalidOption {
                    option: "provider".into(),
                    reason: format!("{other} has no CSV layout"),
                });
            }
        };
        // CSV items are numbered by row.
        let numbered: Vec<Item> = items
            .into_iter()
            .enumerate()
            .map(|(i, mut it)| {
                it.index = i + 1;
                it
            })
            .collect();
        self.collect_numbered(source, numbered, ctx);
        Ok(())
    }

    fn parse_value(&self, value: &Value, path: &str) -> (Vec<Item>, ParseCtx) {
        let mut ctx = self.ctx();
        if !value.is_object() && !value.is_array() {
            let item = ctx.reject(
                path,
                0,
                path,
                format!("not a JSON object: {}", providers::short(value)),
            );
            return (vec![item], ctx);
        }
        let provider = self
            .options
            .provider
            .or_else(|| providers::detect_json(value));
        let items = match provider {
            Some(p) => providers::parse_json(p, value, path, &mut ctx),
            None => vec![ctx.reject(
                path,
                0,
                path,
                "cannot detect the provider from the payload's shape",
            )],
        };
        (items, ctx)
    }

    /// Record items: `index` is the line number when given, else each item's ordinal.
    fn collect(&mut self, source: &Arc<str>, line: Option<usize>, items: Vec<Item>, ctx: ParseCtx) {
        let base = self.report.records_in as usize;
        let numbered = items
            .into_iter()
            .enumerate()
            .map(|(i, mut it)| {
                it.index = line.unwrap_or(base + i);
                it
            })
            .collect();
        self.collect_numbered(source, numbered, ctx);
    }

    fn collect_numbered(&mut self, source: &Arc<str>, items: Vec<Item>, ctx: ParseCtx) {
        for (provider, word) in ctx.unknown_words {
            *self
                .report
                .unknown_vocabulary
                .entry(provider.to_string())
                .or_default()
                .entry(word)
                .or_default() += 1;
        }
        for item in items {
            self.report.records_in += 1;
            match item.kind {
                ItemKind::Call { mut draft, event } => {
                    for w in std::mem::take(&mut draft.warnings) {
                        self.report.warnings.push(entry(source, item.index, &w));
                    }
                    self.pending.push(Pending {
                        source: source.clone(),
                        index: item.index,
                        path: item.path,
                        draft,
                        event,
                    });
                }
                ItemKind::Folded => self.report.events_folded += 1,
                ItemKind::NonCall { .. } => self.report.non_call_items += 1,
                ItemKind::Rejected(issue) => {
                    self.report.rejected.push(entry(source, item.index, &issue))
                }
            }
        }
    }

    /// Fold the items of each call, finish the records and close the report.
    pub fn finish(self) -> Ingested {
        let Ingestor {
            options,
            pending,
            mut report,
            ..
        } = self;
        let mut groups: HashMap<String, Vec<Pending>> = HashMap::new();
        let mut order: Vec<String> = Vec::new();
        for p in pending {
            match p.draft.id() {
                Some(id) => {
                    let group = groups.entry(id.clone()).or_default();
                    if group.is_empty() {
                        order.push(id);
                    }
                    group.push(p);
                }
                None => report.rejected.push(ReportEntry {
                    source: p.source.to_string(),
                    index: p.index,
                    path: p.path,
                    reason: "no call id".into(),
                }),
            }
        }
        let mut records = Vec::with_capacity(order.len());
        for id in order {
            let Some(group) = groups.remove(&id) else {
                continue;
            };
            let lead = group.iter().position(|p| !p.event).unwrap_or(0);
            for (i, p) in group.iter().enumerate() {
                if i != lead {
                    if p.event {
                        report.events_folded += 1;
                    } else {
                        report.duplicates_merged += 1;
                    }
                }
            }
            let (source, index, path) = match group.get(lead) {
                Some(p) => (p.source.clone(), p.index, p.path.clone()),
                None => continue,
            };
            let mut draft = CallDraft::fold(group.into_iter().map(|p| p.draft).collect());
            providers::finalize(&mut draft);
            match draft.into_record(options.strict) {
                Ok((record, warnings)) => {
                    for w in warnings {
                        report.warnings.push(ReportEntry {
                            source: source.to_string(),
                            index,
                            path: format!("{path} ({id}).{}", w.path),
                            reason: w.reason,
                        });
                    }
                    records.push(record);
                }
                Err(issue) => report.rejected.push(ReportEntry {
                    source: source.to_string(),
                    index,
                    path: format!("{path} ({id}).{}", issue.path),
                    reason: issue.reason,
                }),
            }
        }
        records.sort_by(|a, b| (a.started_at, &a.id).cmp(&(b.started_at, &b.id)));
        report.records_out = records.len() as u64;
        Ingested { records, report }
    }
}

fn entry(source: &Arc<str>, index: usize, issue: &FieldIssue) -> ReportEntry {
    ReportEntry {
        source: source.to_string(),
        index,
        path: issue.path.clone(),
        reason: issue.reason.clone(),
    }
}

/// Name the provider of a form body from its parameter names.
pub fn detect_form(pairs: &[(String, String)]) -> Option<Provider> {
    let has = |k: &str| pairs.iter().any(|(key, _)| key == k);
    if has("CallSid") || (has("AccountSid") && (has("RecordingSid") || has("CallStatus"))) {
        Some(Provider::Twilio)
    } else if has("cdr") {
        Some(Provider::FreeSwitch)
    } else {
        None
    }
}
