//! A small JSON reader for the typed fast lanes, faster than `serde_json` on API list pages
//! because it does less: it serves only the serde calls the lane structs make (maps, sequences,
//! strings, options, scalars) and gives up — [`from_str`] returns `None` — on anything it does
//! not handle exactly as `serde_json` does: `\u` escapes, escaped keys, nesting deeper than
//! 100, invalid JSON of any kind. The caller then reads the text with `serde_json`, so the
//! result never depends on this reader: when it answers, the value is the one `serde_json`
//! gives (the same visitor calls with the same values; tested against `serde_json` on
//! generated and mutated texts).
//!
//! Strings are scanned eight bytes at a time for a quote, a backslash or a control character;
//! unescaped strings are borrowed from the input. Numbers that are not plain non-negative
//! integers are handed to `serde_json` itself, so their values (and range errors) are exact.

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// Why the reader gave up (never shown: the caller falls back to `serde_json`).
#[derive(Debug)]
pub(crate) struct Bail;

impl fmt::Display for Bail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not read by the fast JSON reader")
    }
}

impl std::error::Error for Bail {}

impl de::Error for Bail {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Bail
    }
}

/// Deepest nesting read (serde_json's limit is 128; deeper texts are left to it).
const MAX_DEPTH: u32 = 100;

/// `T` read from `text` (one JSON value and whitespace), or `None` when the reader gives up.
pub(crate) fn from_str<'de, T: de::Deserialize<'de>>(text: &'de str) -> Option<T> {
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        depth: 0,
    };
    let value = T::deserialize(&mut reader).ok()?;
    reader.skip_ws();
    (reader.pos == reader.bytes.len()).then_some(value)
}

struct Reader<'de> {
    text: &'de str,
    bytes: &'de [u8],
    pos: usize,
    depth: u32,
}

/// A string as read: borrowed when it has no escapes.
enum Text<'de> {
    Borrowed(&'de str),
    Owned(String),
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// A mask with the high bit of each byte of `w` (read little-endian) that is a quote, a
/// backslash or below 0x20 set; bytes above the first such byte may be marked falsely, so
/// only its lowest set bit is exact.
#[inline]
fn special(w: u64) -> u64 {
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let below_space = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
    zero(w ^ (ONES * u64::from(b'"'))) | zero(w ^ (ONES * u64::from(b'\\'))) | below_space
}

/// How many bytes `b` starts with that are not a quote, a backslash or below 0x20 (all of
/// `b` when none is): eight bytes at a time, then byte by byte.
#[inline]
fn plain_len(b: &[u8]) -> usize {
    let mut chunks = b.chunks_exact(8);
    let mut n = 0;
    for chunk in &mut chunks {
        let Ok(word) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let mask = special(u64::from_le_bytes(word));
        if mask != 0 {
            // the first special byte of the chunk
            return n + (mask.trailing_zeros() / 8) as usize;
        }
        n += 8;
    }
    let rest = chunks.remainder();
    n + rest
        .iter()
        .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
        .unwrap_or(rest.len())
}

impl<'de> Reader<'de> {
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    #[inline]
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.pos += 1;
        }
    }

    /// Consume `b` after whitespace.
    #[inline]
    fn expect(&mut self, b: u8) -> Result<(), Bail> {
        self.skip_ws();
        if self.peek() == Some(b) {
            self.pos += 1;
            Ok(())
        } else {
            Err(Bail)
        }
    }

    /// A string after its opening quote, through its closing quote.
    #[inline]
    fn string(&mut self) -> Result<Text<'de>, Bail> {
        let start = self.pos;
        self.skip_plain();
        // the scan stops only at a quote, a backslash, a control character or the end
        match self.peek() {
            Some(b'"') => {
                let s = self.text.get(start..self.pos).ok_or(Bail)?;
                self.pos += 1;
                Ok(Text::Borrowed(s))
            }
            Some(b'\\') => self.escaped_from(start),
            _ => Err(Bail),
        }
    }

    /// Move past the bytes that are neither a quote, a backslash nor a control character.
    fn skip_plain(&mut self) {
        self.pos += plain_len(self.bytes.get(self.pos..).unwrap_or_default());
    }

    /// A string that starts at `start` and has a backslash at the reading position (rare:
    /// kept out of the inlined [`Reader::string`]).
    #[cold]
    #[inline(never)]
    fn escaped_from(&mut self, start: usize) -> Result<Text<'de>, Bail> {
        let mut out = self.text.get(start..self.pos).ok_or(Bail)?.to_owned();
        self.escaped(&mut out).map(|()| Text::Owned(out))
    }

    /// The rest of a string from its first backslash, decoded into `out`.
    fn escaped(&mut self, out: &mut String) -> Result<(), Bail> {
        loop {
            let run = self.pos;
            self.skip_plain();
            out.push_str(self.text.get(run..self.pos).ok_or(Bail)?);
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    let decoded = match self.bytes.get(self.pos + 1) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        // `\u` escapes (and surrogate rules) are left to serde_json
                        _ => return Err(Bail),
                    };
                    out.push(decoded);
                    self.pos += 2;
                }
                _ => return Err(Bail),
            }
        }
    }

    /// A number's text, checked against the JSON grammar.
    fn number(&mut self) -> Result<&'de str, Bail> {
        let start = self.pos;
        let digits = |r: &mut Self| {
            let from = r.pos;
            while let Some(b'0'..=b'9') = r.peek() {
                r.pos += 1;
            }
            r.pos - from
        };
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                digits(self);
            }
            _ => return Err(Bail),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if digits(self) == 0 {
                return Err(Bail);
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if digits(self) == 0 {
                return Err(Bail);
            }
        }
        self.text.get(start..self.pos).ok_or(Bail)
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), Bail> {
        if self.bytes.get(self.pos..self.pos + word.len()) == Some(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(Bail)
        }
    }

    fn enter(&mut self) -> Result<(), Bail> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Bail);
        }
        Ok(())
    }
}

/// Visit a number as serde_json does: a plain non-negative integer that fits `u64` as
/// `u64`, anything else through serde_json's own number parser (integer, negative or float).
fn visit_number<'de, V: Visitor<'de>>(text: &str, visitor: V) -> Result<V::Value, Bail> {
    if text.len() <= 19 && text.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(n) = text.parse::<u64>() {
            return visitor.visit_u64(n);
        }
    }
    let n: serde_json::Number = serde_json::from_str(text).map_err(|_| Bail)?;
    if let Some(u) = n.as_u64() {
        visitor.visit_u64(u)
    } else if let Some(i) = n.as_i64() {
        visitor.visit_i64(i)
    } else {
        visitor.visit_f64(n.as_f64().ok_or(Bail)?)
    }
}

impl<'de> Deserializer<'de> for &mut Reader<'de> {
    type Error = Bail;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Bail> {
        self.skip_ws();
        match self.peek() {
            Some(b'{') => self.deserialize_map(visitor),
            Some(b'[') => self.deserialize_seq(visitor),
            Some(b'"') => self.deserialize_str(visitor),
            Some(b't') => {
                self.literal(b"true")?;
                visitor.visit_bool(true)
            }
            Some(b'f') => {
                self.literal(b"false")?;
                visitor.visit_bool(false)
            }
            Some(b'n') => {
                self.literal(b"null")?;
                visitor.visit_unit()
            }
            Some(b'-' | b'0'..=b'9') => {
                let text = self.number()?;
                visit_number(text, visitor)
            }
            _ => Err(Bail),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Bail> {
        self.expect(b'{')?;
        self.enter()?;
        let mut access = Entries {
            reader: self,
            first: true,
            done: false,
        };
        let value = visitor.visit_map(&mut access)?;
        if !access.done {
            return Err(Bail);
        }
        self.depth -= 1;
        Ok(value)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Bail> {
        self.expect(b'[')?;
        self.enter()?;
        let mut access = Elements {
            reader: self,
            first: true,
            done: false,
        };
        let value = visitor.visit_seq(&mut access)?;
        if !access.done {
            return Err(Bail);
        }
        self.depth -= 1;
        Ok(value)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Bail> {
        self.expect(b'"')?;
        match self.string()? {
            Text::Borrowed(s) => visitor.visit_borrowed_str(s),
            Text::Owned(s) => visitor.visit_str(&s),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Bail> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Bail> {
        self.skip_ws();
        if self.peek() == Some(b'n') {
            self.literal(b"null")?;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Bail> {
        self.deserialize_map(visitor)
    }

    // Not called by the lane structs; serde_json's behaviour for them is not reproduced, so
    // they give up.
    fn deserialize_ignored_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Bail> {
        Err(Bail)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Bail> {
        Err(Bail)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char bytes byte_buf unit
        unit_struct newtype_struct tuple tuple_struct identifier
    }
}

/// The entries of an object.
struct Entries<'a, 'de> {
    reader: &'a mut Reader<'de>,
    first: bool,
    done: bool,
}

impl<'de> MapAccess<'de> for Entries<'_, 'de> {
    type Error = Bail;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Bail> {
        let r = &mut *self.reader;
        r.skip_ws();
        match r.peek() {
            Some(b'}') => {
                r.pos += 1;
                self.done = true;
                return Ok(None);
            }
            Some(b',') if !self.first => {
                r.pos += 1;
                r.skip_ws();
            }
            _ if self.first => {}
            _ => return Err(Bail),
        }
        self.first = false;
        if r.peek() != Some(b'"') {
            return Err(Bail);
        }
        r.pos += 1;
        match r.string()? {
            Text::Borrowed(key) => seed
                .deserialize(de::value::BorrowedStrDeserializer::<Bail>::new(key))
                .map(Some),
            // escaped keys are left to serde_json
            Text::Owned(_) => Err(Bail),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Bail> {
        self.reader.expect(b':')?;
        seed.deserialize(&mut *self.reader)
    }
}

/// The elements of an array.
struct Elements<'a, 'de> {
    reader: &'a mut Reader<'de>,
    first: bool,
    done: bool,
}

impl<'de> SeqAccess<'de> for Elements<'_, 'de> {
    type Error = Bail;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Bail> {
        let r = &mut *self.reader;
        r.skip_ws();
        match r.peek() {
            Some(b']') => {
                r.pos += 1;
                self.done = true;
                return Ok(None);
            }
            Some(b',') if !self.first => r.pos += 1,
            _ if self.first => {}
            _ => return Err(Bail),
        }
        self.first = false;
        seed.deserialize(&mut *r).map(Some)
    }

    /// A guess for a list at the top of a document (an API list page's calls): one element
    /// per KiB of text left, so that the list is allocated once instead of growing (serde
    /// caps what it allocates on a hint at 1 MiB). Deeper lists give no hint.
    fn size_hint(&self) -> Option<usize> {
        let r = &*self.reader;
        (self.first && r.depth <= 2).then(|| r.bytes.len().saturating_sub(r.pos) / 1024)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::Value;

    /// When the reader answers, serde_json answers the same.
    fn agrees(text: &str) -> bool {
        match from_str::<Value>(text) {
            Some(v) => {
                let expected: Value = serde_json::from_str(text)
                    .unwrap_or_else(|e| panic!("the lane read {text:?} but serde_json fails: {e}"));
                assert_eq!(v, expected, "{text:?}");
                true
            }
            None => false,
        }
    }

    #[test]
    fn plain_documents_are_read_as_serde_json_reads_them() {
        for text in [
            r#"{"a": 1, "b": [true, false, null], "c": {"d": "e"}}"#,
            r#"  {"calls": [{"sid": "CA1", "duration": "15", "price": -0.0085}], "page": 0}  "#,
            r#"{"n": [0, -0, 1.5, -2e3, 1E+2, 18446744073709551615, 18446744073709551616, -9223372036854775808]}"#,
            r#"{"s": "tab\tquote\" slash\/ back\\ nl\n", "e": "", "u": "Zoë مرحبا"}"#,
            r#"{"dup": 1, "dup": 2}"#,
            "[]",
            "{}",
            r#""text""#,
            "12",
            "null",
        ] {
            assert!(agrees(text), "the lane gave up on {text:?}");
        }
    }

    #[test]
    fn what_it_does_not_handle_or_serde_json_rejects_gives_none() {
        for text in [
            r#"{"a": "\u00e9"}"#,
            r#"{"\"k": 1}"#,
            r#"{"a": 1,}"#,
            r#"[1,]"#,
            r#"{"a" 1}"#,
            r#"{"a": 01}"#,
            r#"{"a": 1.}"#,
            r#"{"a": .5}"#,
            r#"{"a": 1e}"#,
            r#"{"a": 1e400}"#,
            r#"{"a": tru}"#,
            "{\"a\": \"raw\u{1}control\"}",
            r#"{"a": "\x"}"#,
            r#"{"a": 1} x"#,
            r#"{"a": 1}{"b": 2}"#,
            r#"{"a": "unterminated}"#,
            "",
            "   ",
        ] {
            assert!(from_str::<Value>(text).is_none(), "{text:?}");
        }
        let deep = "[".repeat(150) + &"]".repeat(150);
        assert!(from_str::<Value>(&deep).is_none());
    }

    fn json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            (-1e12f64..1e12).prop_map(Value::from),
            "[a-z \"\\\\/\t\n\u{e9}]{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec(("[a-z_]{0,6}", inner), 0..6)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn generated_documents_read_the_same(v in json(), pretty in any::<bool>()) {
            let text = if pretty {
                serde_json::to_string_pretty(&v).unwrap()
            } else {
                serde_json::to_string(&v).unwrap()
            };
            // the reference is serde_json's reading of the text (its float parsing does not
            // always give back the written float), not `v`; serde_json writes no `\u` escape
            // for these characters, so the lane reads every such text
            prop_assert!(agrees(&text), "the lane gave up on {:?}", text);
        }

        #[test]
        fn mutated_documents_never_disagree(v in json(), at in any::<prop::sample::Index>(), byte in prop::sample::select(b"{}[],:\"\\ 0-.eE\tatfnu".to_vec())) {
            let mut bytes = serde_json::to_string(&v).unwrap().into_bytes();
            if !bytes.is_empty() {
                let i = at.index(bytes.len());
                bytes[i] = byte;
            }
            if let Ok(text) = std::str::from_utf8(&bytes) {
                agrees(text);
            }
        }

        #[test]
        fn arbitrary_text_never_disagrees(text in "[{}\\[\\],:\" a-z0-9.eE+\\-\\\\\t\n]{0,40}") {
            agrees(&text);
        }

        #[test]
        fn plain_len_stops_at_the_first_special_byte(
            bytes in prop::collection::vec(prop::sample::select(b"ab\"\\\x00\x1f\x20\x7f\x80\xff".to_vec()), 0..40),
            plain in 0usize..20,
        ) {
            // a run of plain bytes first, so that the special byte lands at every offset
            let mut text = vec![b'x'; plain];
            text.extend(bytes);
            let naive = text.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20).unwrap_or(text.len());
            prop_assert_eq!(plain_len(&text), naive);
        }
    }
}
