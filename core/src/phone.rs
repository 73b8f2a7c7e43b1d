//! Phone numbers to E.164 (`+15551234567`) with libphonenumber metadata.

/// Normalize a number to E.164 where it can be parsed; otherwise return the trimmed raw text.
///
/// Text that starts with `+` or `00` is read as international; bare digits of 11 or more are
/// tried as international too (JustCall and MightyCall drop the plus), and shorter ones are
/// kept as written, since without a country they are extensions or local numbers. SIP URIs and
/// `client:` identities are kept unchanged. Returns `None` for empty text.
pub fn normalize(raw: &str) -> Option<String> {
    normalize_into(raw, String::new())
}

/// [`normalize`], written into `out` (a reused buffer) where the result is the text itself.
pub(crate) fn normalize_into(raw: &str, mut out: String) -> Option<String> {
    let text = crate::providers::json::trimmed(raw);
    if text.is_empty() {
        return None;
    }
    // Already E.164 and nothing libphonenumber could change (a valid number formats to these
    // same digits, an invalid one is kept as written), or not a number: the result is the text.
    if is_plain_nanp(text)
        || text.contains(':')
        || text.contains('@')
        || text.chars().any(|c| c.is_ascii_alphabetic())
    {
        out.clear();
        out.push_str(text);
        return Some(out);
    }
    let digits: String = text.chars().filter(|c| c.is_ascii_digit()).collect();
    let candidate = if text.starts_with('+') {
        format!("+{digits}")
    } else if let Some(rest) = digits.strip_prefix("00") {
        format!("+{rest}")
    } else if digits.len() >= 11 {
        format!("+{digits}")
    } else {
        return Some(text.to_string());
    };
    Some(e164(&candidate).unwrap_or_else(|| text.to_string()))
}

/// `+1` and ten digits whose first is 2-9: a North American number written in E.164 with no
/// national prefix that parsing could strip.
fn is_plain_nanp(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 12
        && b[0] == b'+'
        && b[1] == b'1'
        && (b'2'..=b'9').contains(&b[2])
        && b[3..].iter().all(u8::is_ascii_digit)
}

/// Distinct candidates remembered per thread before the cache is emptied (bounds memory on
/// inputs with millions of distinct numbers).
#[cfg(feature = "phone")]
const CACHE_LIMIT: usize = 1 << 16;

#[cfg(feature = "phone")]
thread_local! {
    /// Per-thread memo of [`e164_uncached`]: exports repeat the business numbers on every
    /// call, and metadata parsing is the most expensive step of normalization.
    static CACHE: std::cell::RefCell<std::collections::HashMap<Box<str>, Option<Box<str>>>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

#[cfg(feature = "phone")]
fn e164(candidate: &str) -> Option<String> {
    let hit = CACHE.with(|c| {
        c.borrow()
            .get(candidate)
            .map(|v| v.as_deref().map(str::to_string))
    });
    if let Some(found) = hit {
        return found;
    }
    let result = e164_uncached(candidate);
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= CACHE_LIMIT {
            c.clear();
        }
        c.insert(candidate.into(), result.as_deref().map(Box::from));
    });
    result
}

#[cfg(feature = "phone")]
fn e164_uncached(candidate: &str) -> Option<String> {
    let parsed = phonenumber::parse(None, candidate).ok()?;
    if !phonenumber::is_viable(candidate) || !parsed.is_valid() {
        return None;
    }
    Some(parsed.format().mode(phonenumber::Mode::E164).to_string())
}

/// Without metadata: a plausible `+` and 8-15 digits is taken as E.164 as written.
#[cfg(not(feature = "phone"))]
fn e164(candidate: &str) -> Option<String> {
    let n = candidate.len() - 1;
    (8..=15).contains(&n).then(|| candidate.to_string())
}

/// The digits of a number, for substring search.
pub fn digits(text: &str) -> String {
    text.chars().filter(|c| c.is_ascii_digit()).collect()
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn formats_to_e164() {
        assert_eq!(
            normalize("+1 (415) 867-5309").as_deref(),
            Some("+14158675309")
        );
        assert_eq!(normalize("14158675309").as_deref(), Some("+14158675309"));
        assert_eq!(
            normalize("00442071838750").as_deref(),
            Some("+442071838750")
        );
        assert_eq!(
            normalize("+966 50 123 4567").as_deref(),
            Some("+966501234567")
        );
    }

    #[cfg(feature = "phone")]
    #[test]
    fn plain_nanp_fast_path_equals_the_full_path() {
        // valid, fictional-but-well-formed, and invalid area/exchange codes
        for n in [
            "+14158675309",
            "+14155550100",
            "+12015550123",
            "+19999999999",
            "+12125551212",
            "+18005551212",
            "+13051416799",
            "+12000000000",
            "+16285550199",
        ] {
            assert!(super::is_plain_nanp(n));
            let full = super::e164_uncached(n).unwrap_or_else(|| n.to_string());
            assert_eq!(normalize(n).as_deref(), Some(full.as_str()), "{n}");
        }
        for n in [
            "+1415867530",
            "+11158675309",
            "+441234567890",
            "14158675309",
        ] {
            assert!(!super::is_plain_nanp(n), "{n}");
        }
    }

    #[test]
    fn keeps_what_it_cannot_parse() {
        assert_eq!(normalize("211474").as_deref(), Some("211474"));
        assert_eq!(normalize("client:alice").as_deref(), Some("client:alice"));
        assert_eq!(
            normalize("sip:bob@example.com").as_deref(),
            Some("sip:bob@example.com")
        );
        assert_eq!(normalize("  "), None);
    }
}
