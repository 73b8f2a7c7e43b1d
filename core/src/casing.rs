//! Key casing of JSON output: the core writes camelCase (SPEC 2); Python reads snake_case.
//!
//! [`snake_case_keys`] and [`camel_case_keys`] rename object keys recursively, so every binding
//! shares one rule. Keys that are data rather than field names are left as they are:
//! - everything inside an `extra` object (the provider's own field names, kept verbatim);
//! - everything inside an `unknownVocabulary` / `unknown_vocabulary` object (provider names
//!   mapping to the provider's own words and their counts).
//!
//! The object holding those keys is itself renamed (`unknownVocabulary` becomes
//! `unknown_vocabulary`); only what is inside is kept. Other map-like results (calls by day,
//! hour, outcome, provider) have keys without capital letters or underscores between words,
//! so the conversion leaves them unchanged.

use serde_json::{Map, Value};

/// Field names whose object value holds data keys, in either casing.
const VERBATIM: [&str; 3] = ["extra", "unknownVocabulary", "unknown_vocabulary"];

/// Rename the object keys of `value` from camelCase to snake_case, recursively, except the
/// keys inside `extra` and `unknownVocabulary` objects (see the module doc).
///
/// `{"recordsIn": 1, "extra": {"CallSid": "CA1"}}` becomes
/// `{"records_in": 1, "extra": {"CallSid": "CA1"}}`.
pub fn snake_case_keys(value: Value) -> Value {
    rename_keys(value, &snake_case)
}

/// Rename the object keys of `value` from snake_case to camelCase, recursively, with the same
/// exceptions as [`snake_case_keys`]. Used for option objects written in Python's casing.
pub fn camel_case_keys(value: Value) -> Value {
    rename_keys(value, &camel_case)
}

fn rename_keys(value: Value, rename: &dyn Fn(&str) -> String) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = Map::with_capacity(map.len());
            for (key, inner) in map {
                let inner = if VERBATIM.contains(&key.as_str()) && inner.is_object() {
                    inner
                } else {
                    rename_keys(inner, rename)
                };
                out.insert(rename(&key), inner);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|item| rename_keys(item, rename))
                .collect(),
        ),
        other => other,
    }
}

/// `recordsIn` -> `records_in`, `durationS` -> `duration_s`, `HTTPStatus` -> `http_status`.
///
/// An underscore goes before a capital that follows a lower-case letter or a digit, and before
/// the last capital of a run of capitals that is followed by a lower-case letter.
pub fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev = i.checked_sub(1).and_then(|p| chars.get(p));
            let next = chars.get(i + 1);
            let after_lower = prev.is_some_and(|p| p.is_lowercase() || p.is_ascii_digit());
            let ends_run =
                prev.is_some_and(|p| p.is_uppercase()) && next.is_some_and(|n| n.is_lowercase());
            if after_lower || ends_run {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `records_in` -> `recordsIn`, `source_tz` -> `sourceTz`; names without `_` are unchanged.
pub fn camel_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper_next = false;
    for c in name.chars() {
        if c == '_' && !out.is_empty() {
            upper_next = true;
        } else if upper_next {
            out.extend(c.to_uppercase());
            upper_next = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_convert_both_ways() {
        for (camel, snake) in [
            ("recordsIn", "records_in"),
            ("durationS", "duration_s"),
            ("jitterMs", "jitter_ms"),
            ("wrapUpS", "wrap_up_s"),
            ("providerCallId", "provider_call_id"),
            ("id", "id"),
            ("p50", "p50"),
            ("callsByWeekdayHour", "calls_by_weekday_hour"),
        ] {
            assert_eq!(snake_case(camel), snake);
            assert_eq!(camel_case(snake), camel);
        }
        // A run of capitals stays one word; the capital before a lower-case letter starts one.
        assert_eq!(snake_case("HTTPStatus"), "http_status");
        assert_eq!(snake_case("peakAt2X"), "peak_at2_x");
        // A leading underscore is kept (private-looking names pass through).
        assert_eq!(camel_case("_x"), "_x");
    }

    #[test]
    fn extra_and_vocabulary_keys_are_kept() {
        let input = json!({
            "records": [{
                "providerCallId": "CA1",
                "endedReason": {"category": "other", "raw": "completed"},
                "transcript": [{"startS": 0.5}],
                "extra": {"CallSid": "CA1", "nested": {"AccountSid": "AC1"}}
            }],
            "report": {
                "recordsIn": 1,
                "unknownVocabulary": {"twilio": {"weirdWord": 2}}
            }
        });
        let out = snake_case_keys(input.clone());
        assert_eq!(
            out,
            json!({
                "records": [{
                    "provider_call_id": "CA1",
                    "ended_reason": {"category": "other", "raw": "completed"},
                    "transcript": [{"start_s": 0.5}],
                    "extra": {"CallSid": "CA1", "nested": {"AccountSid": "AC1"}}
                }],
                "report": {
                    "records_in": 1,
                    "unknown_vocabulary": {"twilio": {"weirdWord": 2}}
                }
            })
        );
        // Round trip: camel_case_keys restores the core's output exactly.
        assert_eq!(camel_case_keys(out), input);
    }

    #[test]
    fn non_object_extra_is_still_walked() {
        // `extra` is only verbatim when it is an object; an array under that name is walked.
        let out = snake_case_keys(json!({"extra": [{"aB": 1}]}));
        assert_eq!(out, json!({"extra": [{"a_b": 1}]}));
    }
}
