//! Provider module: see the contract in [`crate::providers`].

use super::{Item, ParseCtx};
use serde_json::Value;

/// Whether a JSON document has this provider's shape.
pub fn detect(_value: &Value) -> bool {
    false
}

/// Parse every item of a JSON document.
pub fn parse(_value: &Value, path: &str, ctx: &mut ParseCtx) -> Vec<Item> {
    vec![ctx.reject(path, 0, "$", "parser under construction")]
}

/// Whether a CSV row has an Asterisk CDR layout.
pub fn detect_csv(_first_row: &csv::StringRecord) -> bool {
    false
}

/// Parse CDR rows.
pub fn parse_csv(rows: &[csv::StringRecord], ctx: &mut ParseCtx) -> Vec<Item> {
    rows.iter()
        .map(|_| ctx.reject("$", 0, "$", "parser under construction"))
        .collect()
}
