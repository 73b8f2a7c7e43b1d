//! Recognising the text format of an input: JSON document, NDJSON, CSV or form bodies.

/// The text layout of one input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON value (object or array).
    Json,
    /// One JSON value per line.
    Ndjson,
    /// Comma-separated rows.
    Csv,
    /// `application/x-www-form-urlencoded` bodies, one per line.
    Form,
    /// Nothing but whitespace.
    Empty,
}

/// Strip a UTF-8 byte-order mark.
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Guess the format from the first bytes (and, for JSON, whether a second value follows).
pub fn sniff(bytes: &[u8]) -> Format {
    let bytes = strip_bom(bytes);
    let Some(first) = bytes.iter().position(|b| !b.is_ascii_whitespace()) else {
        return Format::Empty;
    };
    let rest = &bytes[first..];
    match rest[0] {
        b'{' | b'[' => {
            if is_multi_document(rest) {
                Format::Ndjson
            } else {
                Format::Json
            }
        }
        _ => {
            let line_end = rest.iter().position(|b| *b == b'\n').unwrap_or(rest.len());
            if looks_like_form(&rest[..line_end]) {
                Format::Form
            } else {
                Format::Csv
            }
        }
    }
}

/// Whether the text holds more than one top-level JSON value (NDJSON / concatenated).
fn is_multi_document(bytes: &[u8]) -> bool {
    let end = top_level_end(bytes);
    match end {
        Some(e) => bytes[e..].iter().any(|b| !b.is_ascii_whitespace()),
        None => false,
    }
}

/// The byte offset just past the first complete top-level JSON value starting at 0, by
/// bracket counting outside strings; `None` if the text ends first.
///
/// String contents are skipped with `memchr` (a page is mostly string bytes); the answer is
/// the same as a byte-by-byte walk's (`top_level_end_bytewise` in the tests).
pub fn top_level_end(bytes: &[u8]) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => {
                // inside a string: jump to the next quote or backslash
                i += 1;
                loop {
                    let at = i + memchr::memchr2(b'"', b'\\', bytes.get(i..)?)?;
                    if bytes.get(at) == Some(&b'"') {
                        i = at + 1;
                        break;
                    }
                    // a backslash escapes the byte after it, whatever it is
                    i = at + 2;
                }
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// `Key=value&Key2=value2`: a key of URL-safe characters before the first `=`, and no comma
/// or quote before it.
fn looks_like_form(line: &[u8]) -> bool {
    let Some(eq) = line.iter().position(|b| *b == b'=') else {
        return false;
    };
    eq > 0
        && line[..eq].iter().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'%' | b'[' | b']')
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The byte-by-byte walk `top_level_end` replaced: the oracle of the equality tests.
    fn top_level_end_bytewise(bytes: &[u8]) -> Option<usize> {
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        for (i, &b) in bytes.iter().enumerate() {
            if in_string {
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == b'"' {
                    in_string = false;
                }
                continue;
            }
            match b {
                b'"' => in_string = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Some(i + 1);
                    }
                }
                _ => {}
            }
        }
        None
    }

    #[test]
    fn sniffs_each_format() {
        assert_eq!(sniff(b"  \n"), Format::Empty);
        assert_eq!(sniff(b"{\"a\":1}"), Format::Json);
        assert_eq!(sniff(b"\xEF\xBB\xBF[1,2]\n"), Format::Json);
        assert_eq!(sniff(b"{\"a\":1}\n{\"a\":2}\n"), Format::Ndjson);
        assert_eq!(sniff(b"{\"a\":\"}\"}\n{\"a\":2}"), Format::Ndjson);
        assert_eq!(sniff(b"CallSid=CA1&CallStatus=ringing\n"), Format::Form);
        assert_eq!(
            sniff(b"\"\",\"100\",\"200\",\"from-internal\"\n"),
            Format::Csv
        );
        assert_eq!(
            sniff(b"id,started_at,status\n1,2024-01-01,done"),
            Format::Csv
        );
    }

    #[test]
    fn sniffs_strings_escapes_and_nesting() {
        let cases: &[(&[u8], Format)] = &[
            // an escaped quote does not end the string
            (br#"{"a":"x\"}"}"#, Format::Json),
            (br#"{"a":"x\"}"}  {"b":1}"#, Format::Ndjson),
            // a backslash before the closing quote is itself escaped
            (br#"{"a":"x\\"}{"b":1}"#, Format::Ndjson),
            (br#"{"a":"x\\\"}"}"#, Format::Json),
            // brackets inside strings are not counted
            (br#"{"a":"[[{{"}"#, Format::Json),
            (br#"["]]}}", 1]"#, Format::Json),
            (
                br#"["]]}}", 1]
["x"]"#,
                Format::Ndjson,
            ),
            // nested arrays and objects
            (br#"[[1,[2,{"a":[3]}]],{}]"#, Format::Json),
            (b"[[1,[2,{\"a\":[3]}]],{}]\n\n  \r\n", Format::Json),
            // a second document after whitespace and newlines
            (b"{\"a\":1}\n\n   \n{\"a\":2}", Format::Ndjson),
            (b"[1]\r\n\t[2]", Format::Ndjson),
            (b"{\"a\":1}\n\n   \nx", Format::Ndjson),
            // unterminated: one (broken) document
            (br#"{"a":"#, Format::Json),
            (br#"{"a":"\"#, Format::Json),
            (br#"{"a":"x\"#, Format::Json),
            (br#"{"a":[1,2"#, Format::Json),
        ];
        for (text, expected) in cases {
            assert_eq!(
                sniff(text),
                *expected,
                "{:?}",
                String::from_utf8_lossy(text)
            );
            assert_eq!(top_level_end(text), top_level_end_bytewise(text));
        }
    }

    /// JSON-ish text: the bytes that matter to the walk, often.
    fn jsonish() -> impl Strategy<Value = Vec<u8>> {
        let byte = prop_oneof![
            Just(b'"'),
            Just(b'\\'),
            Just(b'{'),
            Just(b'}'),
            Just(b'['),
            Just(b']'),
            Just(b' '),
            Just(b'\n'),
            Just(b','),
            Just(b':'),
            Just(b'a'),
            Just(b'1'),
            any::<u8>(),
        ];
        proptest::collection::vec(byte, 0..200)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        #[test]
        fn top_level_end_equals_bytewise_walk_on_any_bytes(
            bytes in proptest::collection::vec(any::<u8>(), 0..300)
        ) {
            prop_assert_eq!(top_level_end(&bytes), top_level_end_bytewise(&bytes));
        }

        #[test]
        fn top_level_end_equals_bytewise_walk_on_jsonish_text(bytes in jsonish()) {
            prop_assert_eq!(top_level_end(&bytes), top_level_end_bytewise(&bytes));
            let mut doc = b"{".to_vec();
            doc.extend_from_slice(&bytes);
            prop_assert_eq!(top_level_end(&doc), top_level_end_bytewise(&doc));
        }

        #[test]
        fn sniff_of_json_values_and_their_concatenations(
            a in json_value(), b in json_value(), gap in "[ \t\r\n]{0,3}"
        ) {
            let one = a.to_string();
            prop_assert_eq!(top_level_end(one.as_bytes()), top_level_end_bytewise(one.as_bytes()));
            let two = format!("{one}{gap}{b}");
            prop_assert_eq!(top_level_end(two.as_bytes()), top_level_end_bytewise(two.as_bytes()));
            if a.is_object() || a.is_array() {
                prop_assert_eq!(sniff(one.as_bytes()), Format::Json);
                prop_assert_eq!(sniff(two.as_bytes()), Format::Ndjson);
            }
        }
    }

    /// Arbitrary JSON values with strings full of quotes, backslashes and brackets.
    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        use serde_json::Value;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| Value::Number(n.into())),
            "[\"\\\\{}\\[\\]a-z ]{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::vec(("[\"\\\\{}a-z]{0,4}", inner), 0..4)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }
}
