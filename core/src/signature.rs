//! Webhook signature verification (SPEC 3), in constant time.
//!
//! - [`twilio_form`]: `X-Twilio-Signature` over the full URL and the sorted form parameters.
//! - [`twilio_json`]: `X-Twilio-Signature` over a URL carrying `bodySHA256`, plus the body hash.
//! - [`justcall`]: `x-justcall-signature` (v1) over `secret|encodeURIComponent(url)|type|timestamp`.
//! - [`retell`]: `x-retell-signature: v=<ms>,d=<hex>` over `body + v`, with a freshness window.
//! - [`hmac_sha256`]: any shared-secret HMAC-SHA256 scheme (Vapi HMAC credentials and others).
//!
//! A wrong signature is `false` (or `Ok(false)`); only a header that cannot be read at all is an
//! error. Every comparison of secret-derived bytes goes through [`subtle::ConstantTimeEq`].

use crate::{Error, Result};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use std::time::Duration;
use subtle::ConstantTimeEq;

/// How a signature is written in its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureEncoding {
    /// Lower- or upper-case hexadecimal.
    Hex,
    /// Standard base64 with padding.
    Base64,
}

/// Retell's freshness window: a signature older or newer than this is refused.
pub const RETELL_TOLERANCE: Duration = Duration::from_secs(5 * 60);

/// Verify Twilio's `X-Twilio-Signature` for a form-encoded webhook.
///
/// The signed text is the full URL Twilio requested, followed by every parameter name in
/// sorted order, each followed by its values (sorted; repeated identical pairs count once).
/// Because Twilio's signing side is inconsistent about default ports, the URL is also tried
/// with the scheme's default port added (`:443` for https, `:80` for http) when it has none, and
/// without it when it has one; other ports are kept as written.
pub fn twilio_form(
    auth_token: &str,
    url: &str,
    params: &[(String, String)],
    signature_b64: &str,
) -> bool {
    let Some(given) = decode_base64(signature_b64) else {
        return false;
    };
    let signed_params = sorted_params(params);
    let mut ok = subtle::Choice::from(0u8);
    for candidate in url_variants(url) {
        let mut text = candidate;
        text.push_str(&signed_params);
        ok |= hmac_sha1(auth_token.as_bytes(), text.as_bytes()).ct_eq(&given);
    }
    ok.into()
}

/// Verify Twilio's `X-Twilio-Signature` for a JSON body (Event Streams and other JSON
/// webhooks): the URL (with its `bodySHA256` query parameter) is signed with no parameters,
/// and the hex SHA-256 of the raw body must equal `bodySHA256`. Both must hold; a URL without
/// `bodySHA256` fails.
pub fn twilio_json(
    auth_token: &str,
    url_with_body_sha256: &str,
    body: &[u8],
    signature_b64: &str,
) -> bool {
    let Some(claimed) = query_param(url_with_body_sha256, "bodySHA256") else {
        return false;
    };
    let actual = hex(&Sha256::digest(body));
    let body_ok = actual
        .as_bytes()
        .ct_eq(claimed.to_ascii_lowercase().as_bytes());
    let url_ok = subtle::Choice::from(u8::from(twilio_form(
        auth_token,
        url_with_body_sha256,
        &[],
        signature_b64,
    )));
    (body_ok & url_ok).into()
}

/// Verify JustCall's v1 dynamic webhook signature (`x-justcall-signature`, hex).
///
/// Signed text: `secret|encodeURIComponent(webhook_url)|event_type|timestamp`, keyed with the
/// API secret; `timestamp` is the `x-justcall-request-timestamp` header as sent. The body itself
/// is not covered by JustCall's scheme. `encodeURIComponent` keeps ASCII letters, digits and
/// `- _ . ! ~ * ' ( )` and percent-encodes every other UTF-8 byte.
pub fn justcall(
    secret: &str,
    webhook_url: &str,
    event_type: &str,
    timestamp: &str,
    signature_hex: &str,
) -> bool {
    let message = format!(
        "{secret}|{}|{event_type}|{timestamp}",
        utf8_percent_encode(webhook_url, URI_COMPONENT)
    );
    hmac_sha256(
        secret.as_bytes(),
        message.as_bytes(),
        signature_hex,
        SignatureEncoding::Hex,
    )
}

/// Verify Retell's `x-retell-signature` header `v=<unix ms>,d=<hex HMAC-SHA256>`.
///
/// The signed text is the raw body followed by the decimal `v`, keyed with the Retell API key.
/// A header whose `v` is further than `tolerance` from `now_ms` (either way) is `Ok(false)`;
/// use [`RETELL_TOLERANCE`] (5 minutes) unless you have a reason not to. A header that does not
/// have the `v=<digits>,d=<64 hex>` shape is [`Error::Signature`].
pub fn retell(
    api_key: &str,
    body: &[u8],
    header: &str,
    now_ms: u64,
    tolerance: Duration,
) -> Result<bool> {
    let (v, d) = parse_retell_header(header)?;
    let stamp: u64 = v
        .parse()
        .map_err(|_| Error::Signature(format!("retell timestamp {v:?} is out of range")))?;
    let age_ms = u128::from(now_ms.abs_diff(stamp));
    if age_ms > tolerance.as_millis() {
        return Ok(false);
    }
    let mut message = Vec::with_capacity(body.len() + v.len());
    message.extend_from_slice(body);
    message.extend_from_slice(v.as_bytes());
    Ok(hmac_sha256(
        api_key.as_bytes(),
        &message,
        d,
        SignatureEncoding::Hex,
    ))
}

/// Verify a generic HMAC-SHA256 shared-secret signature of `payload`, written in `encoding`.
///
/// The caller builds the signed payload (for example Vapi's `{timestamp}.{body}`) and strips any
/// prefix such as `sha256=` from the header. A signature that does not decode is `false`.
pub fn hmac_sha256(
    secret: &[u8],
    payload: &[u8],
    signature: &str,
    encoding: SignatureEncoding,
) -> bool {
    let given = match encoding {
        SignatureEncoding::Hex => decode_hex(signature.trim()),
        SignatureEncoding::Base64 => decode_base64(signature),
    };
    let Some(given) = given else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return false;
    };
    mac.update(payload);
    mac.finalize().into_bytes().as_slice().ct_eq(&given).into()
}

/// `encodeURIComponent`'s set: everything but ASCII alphanumerics and `- _ . ! ~ * ' ( )`.
const URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

fn hmac_sha1(key: &[u8], message: &[u8]) -> Vec<u8> {
    match Hmac::<Sha1>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(message);
            mac.finalize().into_bytes().to_vec()
        }
        // HMAC accepts keys of any length; this arm is unreachable in practice.
        Err(_) => Vec::new(),
    }
}

/// Names sorted, each followed by its distinct values sorted: `name1value1name1value2name2...`.
fn sorted_params(params: &[(String, String)]) -> String {
    let mut pairs: Vec<(&str, &str)> = params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let mut out = String::new();
    for (k, v) in pairs {
        out.push_str(k);
        out.push_str(v);
    }
    out
}

/// The URL as given, plus the default-port variant Twilio may have signed instead.
fn url_variants(url: &str) -> Vec<String> {
    let mut out = vec![url.to_string()];
    let Some((scheme, rest)) = url.split_once("://") else {
        return out;
    };
    let default_port = match scheme.to_ascii_lowercase().as_str() {
        "https" => "443",
        "http" => "80",
        _ => return out,
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let host_start = authority.rfind('@').map_or(0, |i| i + 1);
    let host_port = &authority[host_start..];
    // A colon after the last `]` (IPv6 literal) separates the port.
    let bracket_end = host_port.rfind(']').map_or(0, |i| i + 1);
    let port_sep = host_port[bracket_end..]
        .rfind(':')
        .map(|i| host_start + bracket_end + i);
    match port_sep {
        Some(sep) => {
            let port = &authority[sep + 1..];
            if port == default_port {
                out.push(format!("{scheme}://{}{tail}", &authority[..sep]));
            }
        }
        None => out.push(format!("{scheme}://{authority}:{default_port}{tail}")),
    }
    out
}

/// The first value of a query parameter of `url`, percent-decoded.
fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or("");
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn parse_retell_header(header: &str) -> Result<(&str, &str)> {
    let bad = || {
        Error::Signature(
            "x-retell-signature must look like v=<unix ms>,d=<64 hex digits>".to_string(),
        )
    };
    let (v_part, d_part) = header.trim().split_once(',').ok_or_else(bad)?;
    let v = v_part.trim().strip_prefix("v=").ok_or_else(bad)?;
    let d = d_part.trim().strip_prefix("d=").ok_or_else(bad)?;
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    if d.len() != 64 || !d.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    Ok((v, d))
}

fn decode_base64(text: &str) -> Option<Vec<u8>> {
    BASE64.decode(text.trim()).ok()
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    let digit = |b: u8| (b as char).to_digit(16);
    text.as_bytes()
        .chunks_exact(2)
        .map(|pair| match pair {
            [hi, lo] => Some((digit(*hi)? * 16 + digit(*lo)?) as u8),
            _ => None,
        })
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    // twilio-python tests/unit/test_request_validator.py (PROVIDERS.md 2.2).
    const TOKEN: &str = "12345";
    const URL: &str = "https://mycompany.com/myapp.php?foo=1&bar=2";
    const SIG: &str = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";
    const BODY: &[u8] = br#"{"property": "value", "boolean": true}"#;
    const BODY_HASH: &str = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620";

    fn twilio_params() -> Vec<(String, String)> {
        pairs(&[
            ("CallSid", "CA1234567890ABCDE"),
            ("Digits", "1234"),
            ("From", "+14158675309"),
            ("To", "+18005551212"),
            ("Caller", "+14158675309"),
        ])
    }

    #[test]
    fn twilio_form_vendor_vector() {
        assert!(twilio_form(TOKEN, URL, &twilio_params(), SIG));
        // Parameter order in the body does not matter.
        let mut reversed = twilio_params();
        reversed.reverse();
        assert!(twilio_form(TOKEN, URL, &reversed, SIG));
    }

    #[test]
    fn twilio_form_refuses_tampering() {
        assert!(!twilio_form("54321", URL, &twilio_params(), SIG));
        assert!(!twilio_form(
            TOKEN,
            "https://mycompany.com/myapp.php?foo=1&bar=3",
            &twilio_params(),
            SIG
        ));
        let mut tampered = twilio_params();
        tampered[1].1 = "9999".into();
        assert!(!twilio_form(TOKEN, URL, &tampered, SIG));
        assert!(!twilio_form(
            TOKEN,
            URL,
            &twilio_params(),
            "RSOYDt4T1cUTdK1PDd93/VVr8B9="
        ));
        assert!(!twilio_form(TOKEN, URL, &twilio_params(), "not base64!"));
        assert!(!twilio_form(TOKEN, URL, &twilio_params(), ""));
    }

    #[test]
    fn twilio_form_port_variants() {
        // The vendor vector was signed without a port: the request URL with :443 still passes.
        assert!(twilio_form(
            TOKEN,
            "https://mycompany.com:443/myapp.php?foo=1&bar=2",
            &twilio_params(),
            SIG
        ));
        // Signed with :443 (computed with Python's hmac/base64 over the :443 URL), received without.
        assert!(twilio_form(
            TOKEN,
            URL,
            &twilio_params(),
            "kvajT1Ptam85bY51eRf/AJRuM3w="
        ));
        // A non-default port is part of the signed URL, never dropped.
        assert!(!twilio_form(
            TOKEN,
            "https://mycompany.com:8443/myapp.php?foo=1&bar=2",
            &twilio_params(),
            SIG
        ));
        // http's default port is 80, not 443.
        assert!(!twilio_form(
            TOKEN,
            "http://mycompany.com:443/myapp.php?foo=1&bar=2",
            &twilio_params(),
            SIG
        ));
    }

    #[test]
    fn url_variants_by_scheme() {
        assert_eq!(
            url_variants("https://a.example/x"),
            vec!["https://a.example/x", "https://a.example:443/x"]
        );
        assert_eq!(
            url_variants("http://a.example:80?q=1"),
            vec!["http://a.example:80?q=1", "http://a.example?q=1"]
        );
        assert_eq!(
            url_variants("https://u:p@[::1]:443/"),
            vec!["https://u:p@[::1]:443/", "https://u:p@[::1]/"]
        );
        assert_eq!(
            url_variants("https://[::1]/"),
            vec!["https://[::1]/", "https://[::1]:443/"]
        );
        assert_eq!(url_variants("not a url"), vec!["not a url"]);
    }

    #[test]
    fn twilio_form_multi_valued_params() {
        // a=[2,1,1], b=x signs "https://example.com/hook" + "a1" + "a2" + "bx" (the duplicate
        // a=1 counts once); expected value computed with Python's hmac/base64.
        let params = pairs(&[("b", "x"), ("a", "2"), ("a", "1"), ("a", "1")]);
        assert!(twilio_form(
            "tok",
            "https://example.com/hook",
            &params,
            "m1mUhOHjs8UoCpCirQ7nAp0ohRw="
        ));
        let fewer = pairs(&[("b", "x"), ("a", "2")]);
        assert!(!twilio_form(
            "tok",
            "https://example.com/hook",
            &fewer,
            "m1mUhOHjs8UoCpCirQ7nAp0ohRw="
        ));
    }

    #[test]
    fn twilio_json_body_hash_and_url() {
        let url = format!("https://mycompany.com/myapp.php?bodySHA256={BODY_HASH}");
        // URL signature computed with Python: base64(HMAC-SHA1("12345", url)).
        let sig = "y77kIzt2vzLz71DgmJGsen2scGs=";
        assert!(twilio_json(TOKEN, &url, BODY, sig));
        // Tampered body: the hash no longer matches even though the URL signature does.
        assert!(!twilio_json(
            TOKEN,
            &url,
            br#"{"property": "value", "boolean": false}"#,
            sig
        ));
        // Wrong signature with the right body.
        assert!(!twilio_json(TOKEN, &url, BODY, SIG));
        // No bodySHA256 parameter at all.
        assert!(!twilio_json(TOKEN, URL, BODY, sig));
        // Upper-case hex in the URL is the same hash, but the URL (signed text) differs.
        let upper = format!(
            "https://mycompany.com/myapp.php?bodySHA256={}",
            BODY_HASH.to_uppercase()
        );
        assert!(!twilio_json(TOKEN, &upper, BODY, sig));
    }

    #[test]
    fn body_hash_matches_vendor_vector() {
        assert_eq!(hex(&Sha256::digest(BODY)), BODY_HASH);
    }

    #[test]
    fn justcall_vendor_vector() {
        let secret = "ea39089c40790e9dc7a080ec95e849b8fa0fa5fb";
        let url = "https://webhook.site/3bcea770-370a-4b09-8b66-426f687e08a4";
        let sig = "56761bae5b27a784a3ddd2af828bc5def7176bc0a8650199b04c737bd39bbecf";
        assert!(justcall(
            secret,
            url,
            "call.completed",
            "2024-03-21 17:08:22",
            sig
        ));
        assert!(justcall(
            secret,
            url,
            "call.completed",
            "2024-03-21 17:08:22",
            &sig.to_uppercase()
        ));
        assert!(!justcall(
            secret,
            url,
            "call.updated",
            "2024-03-21 17:08:22",
            sig
        ));
        assert!(!justcall(
            secret,
            url,
            "call.completed",
            "2024-03-21 17:08:23",
            sig
        ));
        assert!(!justcall(
            "wrong",
            url,
            "call.completed",
            "2024-03-21 17:08:22",
            sig
        ));
        assert!(!justcall(
            secret,
            url,
            "call.completed",
            "2024-03-21 17:08:22",
            "zz"
        ));
    }

    #[test]
    fn uri_component_set() {
        let enc =
            utf8_percent_encode("https://a.b/c?d=e f&g=(h)!~*'_-.é", URI_COMPONENT).to_string();
        assert_eq!(
            enc,
            "https%3A%2F%2Fa.b%2Fc%3Fd%3De%20f%26g%3D(h)!~*'_-.%C3%A9"
        );
    }

    const RETELL_BODY: &[u8] = br#"{"event":"call_ended"}"#;
    const RETELL_HEADER: &str =
        "v=1700000000000,d=07024cabe7dd8f6d1c6e4a8324ca92c812e6ad4a7ee506c04f7e462e3321823e";

    #[test]
    fn retell_vendor_vector() {
        let now = 1_700_000_000_000;
        assert!(
            retell(
                "test-api-key",
                RETELL_BODY,
                RETELL_HEADER,
                now,
                RETELL_TOLERANCE
            )
            .unwrap()
        );
        // 4 min 59 s later is still fresh; 5 min 1 s (either way) is stale.
        assert!(
            retell(
                "test-api-key",
                RETELL_BODY,
                RETELL_HEADER,
                now + 299_000,
                RETELL_TOLERANCE
            )
            .unwrap()
        );
        assert!(
            !retell(
                "test-api-key",
                RETELL_BODY,
                RETELL_HEADER,
                now + 301_000,
                RETELL_TOLERANCE
            )
            .unwrap()
        );
        assert!(
            !retell(
                "test-api-key",
                RETELL_BODY,
                RETELL_HEADER,
                now - 301_000,
                RETELL_TOLERANCE
            )
            .unwrap()
        );
    }

    #[test]
    fn retell_refuses_tampering() {
        let now = 1_700_000_000_000;
        assert!(
            !retell(
                "other-key",
                RETELL_BODY,
                RETELL_HEADER,
                now,
                RETELL_TOLERANCE
            )
            .unwrap()
        );
        assert!(
            !retell(
                "test-api-key",
                br#"{"event":"call_started"}"#,
                RETELL_HEADER,
                now,
                RETELL_TOLERANCE
            )
            .unwrap()
        );
        // Same d with a shifted v: the timestamp is signed too.
        let shifted = RETELL_HEADER.replace("v=1700000000000", "v=1700000000001");
        assert!(!retell("test-api-key", RETELL_BODY, &shifted, now, RETELL_TOLERANCE).unwrap());
    }

    #[test]
    fn retell_malformed_headers_are_errors() {
        for header in [
            "",
            "v=1700000000000",
            "d=07024cabe7dd8f6d1c6e4a8324ca92c812e6ad4a7ee506c04f7e462e3321823e",
            "v=abc,d=07024cabe7dd8f6d1c6e4a8324ca92c812e6ad4a7ee506c04f7e462e3321823e",
            "v=1700000000000,d=07024cab",
            "v=1700000000000,d=g7024cabe7dd8f6d1c6e4a8324ca92c812e6ad4a7ee506c04f7e462e3321823e",
            "v=99999999999999999999999,d=07024cabe7dd8f6d1c6e4a8324ca92c812e6ad4a7ee506c04f7e462e3321823e",
        ] {
            let err = retell("k", RETELL_BODY, header, 0, RETELL_TOLERANCE).unwrap_err();
            assert_eq!(err.code(), "Signature", "{header}");
        }
    }

    #[test]
    fn generic_hmac_sha256_hex_and_base64() {
        // Python: hmac.new(b"s3cret", b"payload", sha256)
        let hexsig = "ca981e262c89fa9bf971f04e7ce6353515a2e00da34add385b8f0e1b86414e3e";
        let b64sig = "ypgeJiyJ+pv5cfBOfOY1NRWi4A2jSt04W48OG4ZBTj4=";
        assert!(hmac_sha256(
            b"s3cret",
            b"payload",
            hexsig,
            SignatureEncoding::Hex
        ));
        assert!(hmac_sha256(
            b"s3cret",
            b"payload",
            b64sig,
            SignatureEncoding::Base64
        ));
        assert!(!hmac_sha256(
            b"s3cret",
            b"payload",
            b64sig,
            SignatureEncoding::Hex
        ));
        assert!(!hmac_sha256(
            b"s3cret",
            b"payload",
            hexsig,
            SignatureEncoding::Base64
        ));
        assert!(!hmac_sha256(
            b"s3cret",
            b"payload!",
            hexsig,
            SignatureEncoding::Hex
        ));
        assert!(!hmac_sha256(
            b"other",
            b"payload",
            hexsig,
            SignatureEncoding::Hex
        ));
        // A truncated signature never matches.
        assert!(!hmac_sha256(
            b"s3cret",
            b"payload",
            &hexsig[..62],
            SignatureEncoding::Hex
        ));
        assert!(!hmac_sha256(
            b"s3cret",
            b"payload",
            "",
            SignatureEncoding::Hex
        ));
    }

    #[test]
    fn hex_round_trip() {
        assert_eq!(decode_hex("00ff7A"), Some(vec![0, 255, 122]));
        assert_eq!(decode_hex("0"), None);
        assert_eq!(decode_hex("zz"), None);
        assert_eq!(hex(&[0, 255, 122]), "00ff7a");
    }
}
