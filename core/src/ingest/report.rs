//! The ingest report of SPEC section 3: every item read is accounted for.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where and why an item was rejected, or a value was cleared.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ReportEntry {
    /// File name, or the label given for an in-memory input.
    pub source: String,
    /// Line number (1-based) for NDJSON, CSV and form lines; item ordinal (0-based) in a
    /// JSON document.
    pub index: usize,
    /// JSON path of the offending value (`$.calls[2].start_time`), or the column / parameter.
    pub path: String,
    /// Why.
    pub reason: String,
}

/// Counts and reasons for one ingest. Always
/// `recordsIn = recordsOut + duplicatesMerged + eventsFolded + nonCallItems + rejected`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IngestReport {
    /// Items read: JSON objects, CSV rows, form bodies, event lines.
    pub records_in: u64,
    /// Calls emitted.
    pub records_out: u64,
    /// Full records merged into a call with the same id.
    pub duplicates_merged: u64,
    /// Events, legs and partial items folded into a call another item began.
    pub events_folded: u64,
    /// Items that are not calls (messages, tickets, agent-status events).
    pub non_call_items: u64,
    /// Items rejected, with where and why.
    pub rejected: Vec<ReportEntry>,
    /// Values cleared in lenient mode (the record is kept), with where and why.
    pub warnings: Vec<ReportEntry>,
    /// Vocabulary words no table knows: provider -> word -> count.
    pub unknown_vocabulary: BTreeMap<String, BTreeMap<String, u64>>,
}

impl IngestReport {
    /// Whether the accounting identity holds.
    pub fn is_balanced(&self) -> bool {
        self.records_in
            == self.records_out
                + self.duplicates_merged
                + self.events_folded
                + self.non_call_items
                + self.rejected.len() as u64
    }
}
