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
pub fn top_level_end(bytes: &[u8]) -> Option<usize> {
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
}
