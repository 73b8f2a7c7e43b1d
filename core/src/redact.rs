//! Redaction of personal data in records ([`IngestOptions::redact`](crate::ingest::IngestOptions)).
//!
//! What [`redact`] masks, and how:
//!
//! | what | where | becomes |
//! | --- | --- | --- |
//! | phone number fields | `customerNumber`, `businessNumber` | `+` (if the value had one) and every digit but the last 4 as `*`, separators dropped: `+14155554567` -> `+*******4567`; values of 4 digits or fewer are left as they are (nothing beyond the last 4 to hide); values with no digits (`anonymous`) are left, except e-mail-like SIP URIs, masked as text |
//! | payment-card numbers: 13-19 digits, single spaces or dashes between groups, Luhn-valid | `summary`, `notes`, transcript `text`, every string value in `extra` (nested too), `disposition`, `customerName` | every digit but the last 4 as `*`, separators kept: `4111 1111 1111 1111` -> `**** **** **** 1111` |
//! | phone numbers in text: 10-15 digits (7-15 after a leading `+`), separated by single spaces, dashes, dots or parentheses, not an ISO date (`2024-01-31`) | same text fields | every digit but the last 4 as `*`, separators kept: `(415) 555-0100` -> `(***) ***-0100` |
//! | e-mail addresses | same text fields, and the phone fields | the local part as `***`, the domain kept (it tells a company or a provider apart, rarely a person): `jane.doe@example.com` -> `***@example.com` |
//!
//! Digits inside a word (`CA9f1234567890abcdef`, `id-12345678901x`) are not numbers and are kept,
//! so provider ids survive. Numbers in `extra` that are JSON numbers (not strings) are kept.
//! Left as they are: the agent (`agent.id/email/name` are the workforce key of per-agent
//! analytics, not customer data), `tenant`, ids, the recording URL. Redaction runs after
//! folding, so duplicates are still recognised by their unmasked numbers.

use crate::CallRecord;
use serde_json::Value;

/// Mask the personal data of one record in place (see the [module docs](self)).
pub fn redact(record: &mut CallRecord) {
    for field in [&mut record.customer_number, &mut record.business_number]
        .into_iter()
        .flatten()
    {
        *field = mask_phone_field(field);
    }
    for text in [
        &mut record.summary,
        &mut record.notes,
        &mut record.disposition,
        &mut record.customer_name,
    ]
    .into_iter()
    .flatten()
    {
        redact_in_place(text);
    }
    for turn in &mut record.transcript {
        redact_in_place(&mut turn.text);
    }
    for value in record.extra.values_mut() {
        redact_value(value);
    }
}

/// Mask a phone-number field: `+` kept, every digit but the last 4 as `*`, separators dropped.
pub fn mask_phone_field(value: &str) -> String {
    let digits: Vec<char> = value.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return redact_text(value);
    }
    if digits.len() <= 4 {
        return value.to_string();
    }
    let mut out = String::with_capacity(digits.len() + 1);
    if value.trim_start().starts_with('+') {
        out.push('+');
    }
    let hidden = digits.len() - 4;
    out.extend(std::iter::repeat_n('*', hidden));
    out.extend(digits.iter().skip(hidden));
    out
}

/// Mask e-mail addresses, card numbers and phone numbers in free text (see the module docs).
pub fn redact_text(text: &str) -> String {
    mask_numbers(&mask_emails(text))
}

fn redact_in_place(text: &mut String) {
    let masked = redact_text(text);
    if masked != *text {
        *text = masked;
    }
}

fn redact_value(value: &mut Value) {
    match value {
        Value::String(s) => redact_in_place(s),
        Value::Array(items) => items.iter_mut().for_each(redact_value),
        Value::Object(map) => map.values_mut().for_each(redact_value),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

fn is_local_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
}

fn is_domain_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-')
}

/// Replace the local part of every `local@domain.tld` with `***`. Works on ASCII bytes, so
/// every cut is at a character boundary.
fn mask_emails(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0; // bytes of `text` already in `out`
    let mut at = 0;
    while let Some(offset) = bytes
        .get(at..)
        .and_then(|rest| rest.iter().position(|&b| b == b'@'))
    {
        let pos = at + offset;
        let mut start = pos;
        while start > copied && bytes.get(start - 1).copied().is_some_and(is_local_byte) {
            start -= 1;
        }
        let mut end = pos + 1;
        while bytes.get(end).copied().is_some_and(is_domain_byte) {
            end += 1;
        }
        // a domain needs a dot with something on both sides; trailing dots end a sentence
        let mut domain_end = end;
        while domain_end > pos + 1 && bytes.get(domain_end - 1) == Some(&b'.') {
            domain_end -= 1;
        }
        let domain = text.get(pos + 1..domain_end).unwrap_or("");
        let valid = start < pos
            && domain.split('.').filter(|label| !label.is_empty()).count() >= 2
            && !domain.starts_with('.');
        if valid {
            out.push_str(text.get(copied..start).unwrap_or(""));
            out.push_str("***");
            copied = pos;
        }
        at = end.max(pos + 1);
    }
    out.push_str(text.get(copied..).unwrap_or(""));
    out
}

/// Whether the digits pass the Luhn check.
fn luhn(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d - b'0');
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

/// Mask card numbers and phone numbers: runs of digits with single separators between them,
/// standing alone (not inside a word).
fn mask_numbers(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes.get(i).copied().unwrap_or(0);
        let starts_number = b.is_ascii_digit()
            || (matches!(b, b'+' | b'(') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit));
        let after_word = i > 0 && bytes.get(i - 1).is_some_and(|p| p.is_ascii_alphanumeric());
        if !starts_number || after_word {
            // skip the rest of a word so digits inside it are not read as a number
            if b.is_ascii_alphanumeric() {
                while bytes.get(i).is_some_and(u8::is_ascii_alphanumeric) {
                    i += 1;
                }
            } else {
                i += 1;
            }
            continue;
        }
        // the run: digits, with at most two separators in a row between digits
        let mut j = i + usize::from(!b.is_ascii_digit());
        let mut last_digit_end = j;
        let mut digits: Vec<u8> = Vec::new();
        let mut gap = 0;
        while let Some(&c) = bytes.get(j) {
            if c.is_ascii_digit() {
                digits.push(c);
                gap = 0;
                j += 1;
                last_digit_end = j;
            } else if matches!(c, b' ' | b'-' | b'.' | b'(' | b')') && gap < 2 {
                gap += 1;
                j += 1;
            } else {
                break;
            }
        }
        let end = last_digit_end;
        let run = text.get(i..end).unwrap_or("");
        let glued = bytes.get(end).is_some_and(u8::is_ascii_alphanumeric);
        let n = digits.len();
        let plus = b == b'+';
        let card = (13..=19).contains(&n) && luhn(&digits) && card_separators(run);
        let phone = (if plus { 7..=15 } else { 10..=15 }).contains(&n) && !iso_date(run);
        if !glued && (card || phone) {
            out.push_str(text.get(copied..i).unwrap_or(""));
            let mut seen = 0;
            for ch in run.chars() {
                if ch.is_ascii_digit() {
                    seen += 1;
                    out.push(if seen <= n - 4 { '*' } else { ch });
                } else {
                    out.push(ch);
                }
            }
            copied = end;
        }
        i = end.max(i + 1);
        if glued {
            while bytes.get(i).is_some_and(u8::is_ascii_alphanumeric) {
                i += 1;
            }
        }
    }
    out.push_str(text.get(copied..).unwrap_or(""));
    out
}

/// Card numbers are separated by single spaces or dashes only.
fn card_separators(run: &str) -> bool {
    let bytes = run.as_bytes();
    bytes
        .iter()
        .all(|b| b.is_ascii_digit() || matches!(b, b' ' | b'-'))
        && !run.contains("  ")
        && !run.contains("--")
}

/// `YYYY-MM-DD...` (an ISO date, possibly followed by more digits).
fn iso_date(run: &str) -> bool {
    let b = run.as_bytes();
    b.len() >= 10
        && b.iter().take(4).all(u8::is_ascii_digit)
        && b.get(4) == Some(&b'-')
        && b.get(5..7)
            .is_some_and(|m| m.iter().all(u8::is_ascii_digit))
        && b.get(7) == Some(&b'-')
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::analytics::testing::call;
    use crate::{Direction, Outcome, TranscriptTurn};

    #[test]
    fn phone_fields_keep_the_last_four_digits() {
        // 11 digits: 7 masked, 4 kept
        assert_eq!(mask_phone_field("+14155554567"), "+*******4567");
        // separators dropped, no plus added
        assert_eq!(mask_phone_field("(415) 555-0100"), "******0100");
        assert_eq!(mask_phone_field("1001"), "1001");
        assert_eq!(mask_phone_field("anonymous"), "anonymous");
        assert_eq!(
            mask_phone_field("sip:alice@pbx.example.com"),
            "sip:***@pbx.example.com"
        );
        assert_eq!(mask_phone_field(""), "");
    }

    #[test]
    fn emails_keep_the_domain() {
        assert_eq!(
            redact_text("mail jane.doe+x@example.co.uk now."),
            "mail ***@example.co.uk now."
        );
        assert_eq!(redact_text("a@b.c and b@d.e"), "***@b.c and ***@d.e");
        // no dot in the domain, or nothing before the @: not an address
        assert_eq!(
            redact_text("user@localhost, @handle"),
            "user@localhost, @handle"
        );
        assert_eq!(redact_text("x@.com @@ a@"), "x@.com @@ a@");
        // non-ASCII around an address
        // (only ASCII local parts and domains are recognised)
        assert_eq!(redact_text("é jö@ü.de"), "é jö@ü.de");
        assert_eq!(redact_text("é a@x.org"), "é ***@x.org");
    }

    #[test]
    fn card_numbers_are_luhn_checked() {
        // 4111 1111 1111 1111, from the right: eight undoubled 1s = 8, seven doubled 1s = 14,
        // the doubled 4 = 8; 8 + 14 + 8 = 30, a multiple of 10 -> valid
        assert_eq!(
            redact_text("card 4111 1111 1111 1111 ok"),
            "card **** **** **** 1111 ok"
        );
        assert_eq!(redact_text("4111-1111-1111-1111"), "****-****-****-1111");
        assert_eq!(redact_text("4111111111111111"), "************1111");
        // 13 digits 4222222222222, from the right: seven undoubled digits 2 x 6 + 4 = 16,
        // six doubled 2s = 6 x 4 = 24; 16 + 24 = 40 -> valid
        assert!(luhn(b"4222222222222"));
        assert_eq!(redact_text("4222222222222"), "*********2222");
        // 16 digits failing Luhn (last digit changed): too long for a phone, kept
        assert!(!luhn(b"4111111111111112"));
        assert_eq!(redact_text("4111111111111112"), "4111111111111112");
    }

    #[test]
    fn phone_numbers_in_text() {
        assert_eq!(
            redact_text("call me at (415) 555-0100 or +44 20 7946 0018."),
            "call me at (***) ***-0100 or +** ** **** 0018."
        );
        // 8 digits after a plus: 4 masked, 4 kept
        assert_eq!(redact_text("+1 555 0100"), "+* *** 0100");
        // dates, times, short numbers, amounts and ids stay
        for kept in [
            "on 2024-01-31 12:30",
            "2024-01-31T12:30:00Z",
            "order 12345",
            "$1,234.56",
            "CA9f1234567890abcdef",
            "id-12345678901x",
            "v1.2.3",
        ] {
            assert_eq!(redact_text(kept), kept);
        }
    }

    #[test]
    fn redact_masks_every_listed_field() {
        let mut r = call(
            "a",
            Direction::Inbound,
            Outcome::Answered,
            "2024-01-01T00:00:00Z",
        );
        r.customer_number = Some("+14155554567".into());
        r.business_number = Some("+442079460018".into());
        r.notes = Some("card 4111 1111 1111 1111".into());
        r.summary = Some("wrote to jane@example.com".into());
        r.transcript = vec![TranscriptTurn {
            speaker: "customer".into(),
            start_s: None,
            end_s: None,
            text: "my number is 415-555-0100".into(),
            confidence: None,
            language: None,
        }];
        r.extra.insert(
            "caller".into(),
            serde_json::json!({"contact": ["x@y.org", 14155550100_u64], "n": "+14155550100"}),
        );
        r.agent = Some(crate::Agent {
            email: Some("agent@corp.com".into()),
            ..Default::default()
        });
        redact(&mut r);
        assert_eq!(r.customer_number.as_deref(), Some("+*******4567"));
        assert_eq!(r.business_number.as_deref(), Some("+********0018"));
        assert_eq!(r.notes.as_deref(), Some("card **** **** **** 1111"));
        assert_eq!(r.summary.as_deref(), Some("wrote to ***@example.com"));
        assert_eq!(r.transcript[0].text, "my number is ***-***-0100");
        assert_eq!(
            r.extra["caller"],
            serde_json::json!({"contact": ["***@y.org", 14155550100_u64], "n": "+*******0100"})
        );
        assert_eq!(r.agent.unwrap().email.as_deref(), Some("agent@corp.com"));
        // idempotent
        let once = redact_text("+1 (415) 555-0100, 4111111111111111, a@b.co");
        assert_eq!(redact_text(&once), once);
    }
}
