//! The cross-language golden cases of `tests/cases/*.json`, run against the Rust core.
//!
//! A case is `{"description", "source"?, "function"?, "input", "options"?, "expected"}` or the
//! same with `"expected_error": {"code", "contains"}` instead of `expected`. `function` names
//! the core entry point (default `ingest`); `options` and `expected` use the core's camelCase
//! JSON. Every runner (Rust, pytest, `node --test` for Node and WASM, Chromium) reads the
//! same files and compares with [`compare`]: exact keys, arrays in order, numbers within
//! 1e-9 (relative to the larger magnitude when above 1).
//!
//! `"function": "reportFiles"` reads `"files"` (paths relative to `tests/cases`, folders
//! walked as the command line walks them) instead of `input`: Rust, Python and Node pass the
//! paths to their `report_paths` / `report_files` / `reportFiles`; the WASM runners, which
//! have no file system, get the same files as a list of documents for `report`, read by
//! `tests/js/cases.mjs` in the same order. `"select": [keys]` compares only those top-level
//! keys of the result.

use serde_json::Value;
use std::path::{Path, PathBuf};

/// The folder holding the case files.
pub fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("cases")
}

/// Every case file, sorted by name.
pub fn case_files() -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(cases_dir())? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "json") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Run one case file; `Err` says what differs.
pub fn run_case_file(path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
    let case: Value = serde_json::from_str(&text).map_err(|e| format!("invalid case JSON: {e}"))?;
    run_case(&case)
}

/// The keys a case's `select` names, when it has one (the rest of the result is not compared).
fn select(case: &Value, actual: Value) -> Value {
    match (case.get("select").and_then(Value::as_array), actual) {
        (Some(keys), Value::Object(mut all)) => Value::Object(
            keys.iter()
                .filter_map(Value::as_str)
                .filter_map(|k| all.remove_entry(k))
                .collect(),
        ),
        (_, actual) => actual,
    }
}

/// Run one parsed case.
pub fn run_case(case: &Value) -> Result<(), String> {
    let function = case
        .get("function")
        .and_then(Value::as_str)
        .unwrap_or("ingest");
    let source = case
        .get("source")
        .and_then(Value::as_str)
        .unwrap_or("input");
    // `reportFiles` reads `files` (paths relative to tests/cases) instead of `input`
    let input = match function {
        "reportFiles" => "",
        _ => case
            .get("input")
            .and_then(Value::as_str)
            .ok_or("case has no string `input`")?,
    };
    let options = case
        .get("options")
        .cloned()
        .unwrap_or(Value::Object(Default::default()));
    let outcome: callscope::Result<Value> = match function {
        // Options that do not deserialize are an `InvalidOption` error, as in every binding.
        "ingest" => serde_json::from_value::<callscope::ingest::IngestOptions>(options)
            .map_err(|e| callscope::Error::InvalidOption {
                option: "options".into(),
                reason: e.to_string(),
            })
            .and_then(|options| callscope::ingest::ingest_bytes(source, input.as_bytes(), &options))
            .map(|out| serde_json::to_value(&out).unwrap_or_else(|e| Value::String(e.to_string()))),
        "report" => serde_json::from_value::<callscope::report::ReportOptions>(options)
            .map_err(|e| callscope::Error::InvalidOption {
                option: "options".into(),
                reason: e.to_string(),
            })
            .and_then(|options| {
                callscope::report::report_bytes(source, input.as_bytes(), &options)
            }),
        "reportFiles" => {
            let files: Vec<String> = case
                .get("files")
                .and_then(Value::as_array)
                .ok_or("a reportFiles case needs `files`")?
                .iter()
                .map(|f| {
                    f.as_str()
                        .map(|f| cases_dir().join(f).to_string_lossy().into_owned())
                        .ok_or("`files` holds a non-string")
                })
                .collect::<Result<_, _>>()?;
            serde_json::from_value::<callscope::report::ReportOptions>(options)
                .map_err(|e| callscope::Error::InvalidOption {
                    option: "options".into(),
                    reason: e.to_string(),
                })
                .and_then(|options| callscope::report::report_paths(&files, &options))
        }
        other => {
            return Err(format!(
                "unknown function {other:?} (the Rust runner knows: ingest, report, reportFiles)"
            ));
        }
    };
    let outcome = outcome.map(|actual| select(case, actual));
    match (outcome, case.get("expected"), case.get("expected_error")) {
        (Ok(actual), Some(expected), None) => compare(expected, &actual, "$"),
        (Err(error), None, Some(expected)) => {
            let code = expected
                .get("code")
                .and_then(Value::as_str)
                .ok_or("expected_error has no code")?;
            let contains = expected
                .get("contains")
                .and_then(Value::as_str)
                .unwrap_or("");
            let message = error.to_string();
            if error.code() != code {
                Err(format!(
                    "expected error {code}, got {} ({message})",
                    error.code()
                ))
            } else if !message.contains(contains) {
                Err(format!(
                    "error message {message:?} does not contain {contains:?}"
                ))
            } else {
                Ok(())
            }
        }
        (Ok(actual), None, Some(expected)) => {
            Err(format!("expected error {expected}, got a result: {actual}"))
        }
        (Err(error), Some(_), None) => Err(format!("unexpected error {}: {error}", error.code())),
        _ => Err("a case needs exactly one of `expected` and `expected_error`".into()),
    }
}

/// Whether two numbers agree within the golden-case tolerance.
pub fn close(expected: f64, actual: f64) -> bool {
    (expected - actual).abs() <= 1e-9 * expected.abs().max(actual.abs()).max(1.0)
}

/// Deep comparison with numeric tolerance; `Err` names the first differing JSON path.
pub fn compare(expected: &Value, actual: &Value, path: &str) -> Result<(), String> {
    match (expected, actual) {
        (Value::Number(e), Value::Number(a)) => match (e.as_f64(), a.as_f64()) {
            (Some(e), Some(a)) if close(e, a) => Ok(()),
            _ => Err(format!("{path}: expected {expected}, got {actual}")),
        },
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                return Err(format!(
                    "{path}: expected {} items, got {}",
                    e.len(),
                    a.len()
                ));
            }
            e.iter()
                .zip(a)
                .enumerate()
                .try_for_each(|(i, (e, a))| compare(e, a, &format!("{path}[{i}]")))
        }
        (Value::Object(e), Value::Object(a)) => {
            if let Some(key) = a.keys().find(|k| !e.contains_key(*k)) {
                return Err(format!(
                    "{path}: unexpected key {key:?} = {}",
                    a[key.as_str()]
                ));
            }
            e.iter().try_for_each(|(key, e)| match a.get(key) {
                Some(a) => compare(e, a, &format!("{path}.{key}")),
                None => Err(format!("{path}: missing key {key:?}")),
            })
        }
        _ if expected == actual => Ok(()),
        _ => Err(format!("{path}: expected {expected}, got {actual}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn compare_tolerates_float_noise_only() {
        assert!(compare(&json!({"a": [0.1]}), &json!({"a": [0.1 + 1e-12]}), "$").is_ok());
        assert!(compare(&json!({"a": 1.0}), &json!({"a": 1.001}), "$").is_err());
        assert_eq!(
            compare(&json!({"a": 1}), &json!({"a": 1, "b": 2}), "$").unwrap_err(),
            "$: unexpected key \"b\" = 2"
        );
        assert_eq!(
            compare(&json!({"a": {"b": null}}), &json!({"a": {}}), "$").unwrap_err(),
            "$.a: missing key \"b\""
        );
        assert!(compare(&json!([1, 2]), &json!([2, 1]), "$").is_err());
    }

    #[test]
    fn unknown_function_fails_clearly() {
        let err = run_case(&json!({"function": "nope", "input": "", "expected": {}})).unwrap_err();
        assert!(err.contains("unknown function \"nope\""), "{err}");
    }
}
