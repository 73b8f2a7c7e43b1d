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

/// Parse one form-encoded webhook body.
pub fn parse_form(_pairs: &[(String, String)], ctx: &mut ParseCtx) -> Item {
    ctx.reject("$", 0, "$", "parser under construction")
}
