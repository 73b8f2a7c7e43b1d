//! A small JSON reader for the typed fast lanes, faster than `serde_json` on API list pages
//! because it does less: the lane structs are read straight from it ([`LaneFill`],
//! [`fill_str`]: entries, scalars, options, lists, skipped values), and it gives up —
//! [`fill_str`] returns `None` — on anything it does not handle exactly as `serde_json` does:
//! `\u` escapes, escaped keys, nesting deeper than 100, invalid JSON of any kind. The caller then
//! reads the text with `serde_json`, so the result never depends on this reader: when it
//! answers, the value is the one `serde_json` gives (tested against its serde reading, which
//! makes the same visitor calls as `serde_json` with the same values, and against `serde_json`
//! itself, on generated and mutated texts).
//!
//! Strings are scanned eight bytes at a time for a quote, a backslash or a control character
//! (past their first 32 bytes searched with `memchr`); unescaped strings are borrowed from the
//! input. A lane struct's keys, and each entry's head (separator, indentation, key, colon), are
//! known by their bytes where they come as in the last object of the same kind the thread read
//! ([`Shape`]), and indentation after a line break is skipped eight bytes at a time. Numbers
//! that are not plain non-negative integers are handed to `serde_json` itself, so their values
//! (and range errors) are exact.

use crate::providers::json::{List, MAX_LIST, Scalar, ScalarVisitor, Scalars, Seen, Spare};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
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

/// `T` read from `text` (one JSON value and whitespace) through serde, or `None` when the
/// reader gives up. The lanes read with [`fill_str`]; this is the reference the tests hold it
/// to (and the reader of any JSON value, which the tests check against `serde_json`).
#[cfg(test)]
pub(crate) fn from_str<'de, T: de::Deserialize<'de>>(text: &'de str) -> Option<T> {
    read_whole(text, |reader| T::deserialize(reader))
}

/// `T` read from `text` as `from_str` (the tests' serde reference) reads it (the same value,
/// or `None` where it gives none), through [`LaneFill`]: without serde's visitors.
pub(crate) fn fill_str<'de, T: LaneFill<'de> + Default>(text: &'de str) -> Option<T> {
    read_whole(text, |reader| {
        let mut value = T::default();
        value.lane_fill(reader).map(|()| value)
    })
}

/// What `read` reads from the start of `text`, when `text` holds nothing more but whitespace.
fn read_whole<'de, T>(
    text: &'de str,
    read: impl FnOnce(&mut Reader<'de>) -> Result<T, Bail>,
) -> Option<T> {
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        depth: 0,
        shapes: SHAPES.take(),
    };
    let value = read(&mut reader);
    reader.skip_ws();
    let whole = reader.pos == reader.bytes.len();
    SHAPES.set(reader.shapes);
    value.ok().filter(|_| whole)
}

/// The reader of one document (its state is private: [`LaneFill`] implementations call
/// its reading steps).
pub(crate) struct Reader<'de> {
    text: &'de str,
    bytes: &'de [u8],
    pos: usize,
    depth: u32,
    /// The keys of each kind of struct as last read (kept by the thread between documents).
    shapes: Vec<Shape>,
}

thread_local! {
    /// The thread's [`Shape`]s, lent to each [`Reader`] it runs.
    static SHAPES: std::cell::Cell<Vec<Shape>> = const { std::cell::Cell::new(Vec::new()) };
}

/// Most kinds of struct whose keys a thread remembers, and most keys remembered of each: a
/// bound on what [`SHAPES`] can hold whatever the input (192 bytes a key: 24 KiB a kind,
/// 768 KiB a thread).
const MAX_SHAPES: usize = 32;
const MAX_SHAPE_KEYS: usize = 128;
/// Words of a remembered key with its closing quote (longer keys are not remembered).
const KEY_WORDS: usize = 4;
/// Words of a remembered entry head (longer heads are not remembered).
const HEAD_WORDS: usize = 6;

/// The keys of the last object read as one kind of struct (named by its key list), in their
/// order, each with its place in the list: API pages repeat one order call after call, so a
/// key that is where it was last time is known by comparing its bytes, a word at a time,
/// without scanning it as a string or looking it up among the struct's keys. Each key also
/// remembers the bytes from the end of the value before it to its own value (its entry's
/// head: the comma, the line break and indentation, the quoted key, the colon and the space
/// after it): where the next object repeats them, the whole head is known at once, so the
/// reading position moves past it in one step instead of one per separator, whitespace run,
/// key and colon, each waiting on the one before.
struct Shape {
    keys_of: &'static [&'static str],
    seen: Vec<Known>,
}

/// Bytes to recognize at the reading position: up to `W` little-endian words, compared
/// under a mask (zero past the bytes).
struct Pattern<const W: usize> {
    words: [u64; W],
    masks: [u64; W],
    /// How many bytes.
    len: usize,
}

impl<const W: usize> Pattern<W> {
    /// `bytes` as a pattern, unless they are more than `W` words or none.
    fn new(bytes: &[u8]) -> Option<Self> {
        if bytes.is_empty() || bytes.len() > W * 8 {
            return None;
        }
        let (mut words, mut masks) = ([0u64; W], [0u64; W]);
        for (i, &b) in bytes.iter().enumerate() {
            words[i / 8] |= u64::from(b) << (8 * (i % 8));
            masks[i / 8] |= 0xff << (8 * (i % 8));
        }
        Some(Pattern {
            words,
            masks,
            len: bytes.len(),
        })
    }

    /// Whether `bytes` start with the pattern (`false` when fewer than `W` words are left:
    /// the words are read whole, and compared all before one test).
    #[inline(always)]
    fn starts(&self, bytes: &[u8]) -> bool {
        let Some(head) = bytes.get(..W * 8) else {
            return false;
        };
        let mut differ = 0u64;
        for (i, chunk) in head.chunks_exact(8).enumerate() {
            let word = <[u8; 8]>::try_from(chunk).map_or(0, u64::from_le_bytes);
            differ |= (word ^ self.words[i]) & self.masks[i];
        }
        differ == 0
    }
}

/// A remembered key.
struct Known {
    /// The key's bytes and its closing quote.
    key: Pattern<KEY_WORDS>,
    /// Its place in the struct's keys (their number for a key the struct does not name).
    place: usize,
    /// The head of the key's entry in the last object read through [`Reader::fill_struct`],
    /// when it was short enough.
    head: Option<Pattern<HEAD_WORDS>>,
}

impl Known {
    /// `key`, at `place`, unless it is too long to remember.
    fn new(key: &str, place: usize) -> Option<Known> {
        let mut quoted = [0u8; KEY_WORDS * 8];
        let bytes = quoted.get_mut(..key.len() + 1)?;
        let (text, quote) = bytes.split_at_mut(key.len());
        text.copy_from_slice(key.as_bytes());
        quote.fill(b'"');
        Some(Known {
            key: Pattern::new(bytes)?,
            place,
            head: None,
        })
    }

    /// The key's length in bytes (without its quote).
    fn len(&self) -> usize {
        self.key.len - 1
    }
}

impl Shape {
    /// Remember `key`, at `place`, as the `at`-th key (forgetting those seen after it), while
    /// the bounds allow and the keys before it are remembered. (What is remembered decides
    /// only how fast a key is read: a key is taken for a remembered one only when its bytes
    /// are the same.)
    fn learn(&mut self, at: usize, key: &str, place: usize) {
        if at > self.seen.len() {
            return;
        }
        self.seen.truncate(at);
        if at < MAX_SHAPE_KEYS {
            self.seen.extend(Known::new(key, place));
        }
    }
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
/// `b` when none is): the first [`WORD_SCAN`] bytes eight at a time (most values end there),
/// the rest with [`memchr::memchr2`] for the quote or backslash (SIMD) and one pass over the
/// bytes before it for a control character.
#[inline]
fn plain_len(b: &[u8]) -> usize {
    let mut n = 0;
    for chunk in b.chunks_exact(8).take(WORD_SCAN / 8) {
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
    let rest = b.get(n..).unwrap_or_default();
    if n < WORD_SCAN {
        // fewer than eight bytes were left
        return n + rest
            .iter()
            .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
            .unwrap_or(rest.len());
    }
    n + long_plain_len(rest)
}

/// Bytes [`plain_len`] reads a word at a time before it searches (all of them on wasm32,
/// where memchr has no SIMD search without the `simd128` target feature).
const WORD_SCAN: usize = if cfg!(target_arch = "wasm32") {
    usize::MAX
} else {
    32
};

/// [`plain_len`] of a string's bytes after its first [`WORD_SCAN`] (kept out of line: long
/// values are few, URLs and texts).
#[inline(never)]
fn long_plain_len(rest: &[u8]) -> usize {
    let end = memchr::memchr2(b'"', b'\\', rest).unwrap_or(rest.len());
    let before = rest.get(..end).unwrap_or_default();
    // (a fold, not `any`: no early exit, so the compiler compares many bytes at once)
    if before
        .iter()
        .fold(false, |control, &c| control | (c < 0x20))
    {
        before.iter().position(|&c| c < 0x20).unwrap_or(end)
    } else {
        end
    }
}

impl<'de> Reader<'de> {
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    #[inline]
    fn skip_ws(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\r' | b'\t') => self.pos += 1,
                Some(b'\n') => {
                    self.pos += 1;
                    self.skip_indent();
                }
                _ => return,
            }
        }
    }

    /// Move past the spaces that indent a line of a pretty-printed document, eight at a time.
    #[inline]
    fn skip_indent(&mut self) {
        const SPACES: u64 = ONES * b' ' as u64;
        while let Some(word) = self
            .bytes
            .get(self.pos..self.pos + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
        {
            let other = u64::from_le_bytes(word) ^ SPACES;
            if other != 0 {
                self.pos += (other.trailing_zeros() / 8) as usize;
                return;
            }
            self.pos += 8;
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

    /// A number's text, checked against the JSON grammar, and its value when it is a plain
    /// non-negative integer of at most 19 digits (which always fits a `u64`), read on the way.
    fn number(&mut self) -> Result<(&'de str, Option<u64>), Bail> {
        let start = self.pos;
        let digits = |r: &mut Self| {
            let from = r.pos;
            while let Some(b'0'..=b'9') = r.peek() {
                r.pos += 1;
            }
            r.pos - from
        };
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        let mut value = 0u64;
        let integer = self.pos;
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                // (19 digits never overflow; the value of a longer number is not used)
                while let Some(&d @ b'0'..=b'9') = self.bytes.get(self.pos) {
                    value = value.wrapping_mul(10).wrapping_add(u64::from(d - b'0'));
                    self.pos += 1;
                }
            }
            _ => return Err(Bail),
        }
        let mut plain = !negative && self.pos - integer <= 19;
        if self.peek() == Some(b'.') {
            plain = false;
            self.pos += 1;
            if digits(self) == 0 {
                return Err(Bail);
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            plain = false;
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if digits(self) == 0 {
                return Err(Bail);
            }
        }
        let text = self.text.get(start..self.pos).ok_or(Bail)?;
        Ok((text, plain.then_some(value)))
    }

    /// The key between `start` and `end` for its seed.
    #[inline]
    fn key_text(&self, start: usize, end: usize, place: Option<usize>) -> KeyText<'de> {
        KeyText {
            text: self.text,
            start,
            end,
            place,
        }
    }

    /// An object key after its opening quote (escaped keys are left to serde_json).
    #[inline]
    fn key(&mut self) -> Result<&'de str, Bail> {
        match self.string()? {
            Text::Borrowed(key) => Ok(key),
            Text::Owned(_) => Err(Bail),
        }
    }

    /// The place of the [`Shape`] of structs with the keys `keys_of` (a new one when the
    /// thread has none yet and the bound allows).
    fn shape_of(&mut self, keys_of: &'static [&'static str]) -> Option<usize> {
        let same = |s: &Shape| std::ptr::eq(s.keys_of, keys_of);
        if let Some(i) = self.shapes.iter().position(same) {
            return Some(i);
        }
        (self.shapes.len() < MAX_SHAPES).then(|| {
            self.shapes.push(Shape {
                keys_of,
                seen: Vec::new(),
            });
            self.shapes.len() - 1
        })
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), Bail> {
        if self.bytes.get(self.pos..self.pos + word.len()) == Some(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(Bail)
        }
    }

    /// An object for `visitor`, read as a struct with the keys `fields` when given.
    fn object<V: Visitor<'de>>(
        &mut self,
        fields: Option<&'static [&'static str]>,
        visitor: V,
    ) -> Result<V::Value, Bail> {
        self.expect(b'{')?;
        self.enter()?;
        let shape = fields.and_then(|f| self.shape_of(f)).map(|i| (i, 0));
        let mut access = Entries {
            reader: self,
            first: true,
            done: false,
            shape,
        };
        let value = visitor.visit_map(&mut access)?;
        if !access.done {
            return Err(Bail);
        }
        self.depth -= 1;
        Ok(value)
    }

    /// Before an object's next entry (`first`: none read yet): true when a key follows (its
    /// opening quote consumed), false at the closing brace (consumed).
    #[inline(always)]
    fn entry_follows(&mut self, first: bool) -> Result<bool, Bail> {
        if !first && self.bytes.get(self.pos..self.pos + 2) == Some(b",\n") {
            // what a pretty printer writes between two entries: the comma, a newline and the
            // next line's indentation (anything after it as `skip_ws` reads it)
            self.pos += 2;
            self.skip_indent();
            self.skip_ws();
        } else {
            self.skip_ws();
            match self.peek() {
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(false);
                }
                Some(b',') if !first => {
                    self.pos += 1;
                    self.skip_ws();
                }
                _ if first => {}
                _ => return Err(Bail),
            }
        }
        if self.peek() != Some(b'"') {
            return Err(Bail);
        }
        self.pos += 1;
        Ok(true)
    }

    /// The key of a struct's entry after its opening quote, through its closing quote: where
    /// its text lies and its place in the struct's keys, known from the struct's [`Shape`]
    /// (`shape`, of which `at` keys were read) where it repeats the last order.
    #[inline(always)]
    fn struct_key(&mut self, shape: usize, at: &mut usize) -> Result<(usize, usize, usize), Bail> {
        let start = self.pos;
        if let Some(k) = self.shapes.get(shape).and_then(|s| s.seen.get(*at)) {
            if k.key.starts(self.bytes.get(start..).unwrap_or_default()) {
                let (end, place) = (start + k.len(), k.place);
                self.pos = end + 1;
                *at += 1;
                return Ok((start, end, place));
            }
        }
        let key = self.key()?;
        let Some(s) = self.shapes.get_mut(shape) else {
            return Err(Bail);
        };
        let place = crate::providers::json::key_index(s.keys_of, key);
        s.learn(*at, key, place);
        *at += 1;
        Ok((start, start + key.len(), place))
    }

    /// The colon after a key: `": "` at once (what pretty printers write), else any
    /// whitespace around it.
    #[inline(always)]
    fn colon(&mut self) -> Result<(), Bail> {
        if self.bytes.get(self.pos..self.pos + 2) == Some(b": ") {
            self.pos += 2;
            Ok(())
        } else {
            self.expect(b':')
        }
    }

    /// An array's opening bracket, one level deeper; gives the [`Reader::list_hint`].
    fn open_array(&mut self) -> Result<usize, Bail> {
        self.expect(b'[')?;
        self.enter()?;
        Ok(self.list_hint())
    }

    /// Before an array's next element (`first`: none read yet): true when one follows (its
    /// comma consumed), false at the closing bracket (consumed).
    #[inline(always)]
    fn element_follows(&mut self, first: bool) -> Result<bool, Bail> {
        self.skip_ws();
        match self.peek() {
            Some(b']') => {
                self.pos += 1;
                Ok(false)
            }
            Some(b',') if !first => {
                self.pos += 1;
                Ok(true)
            }
            _ if first => Ok(true),
            _ => Err(Bail),
        }
    }

    /// A guess, at an array's start, of its length for a list at the top of a document (an
    /// API list page's calls): one element per KiB of text left, so that the list is
    /// allocated once instead of growing (serde caps what it allocates on a hint at 1 MiB).
    /// Deeper lists get 0.
    fn list_hint(&self) -> usize {
        if self.depth <= 2 {
            self.bytes.len().saturating_sub(self.pos) / 1024
        } else {
            0
        }
    }

    /// Whether the next value is `null` (then read).
    #[inline(always)]
    fn null(&mut self) -> Result<bool, Bail> {
        self.skip_ws();
        if self.peek() == Some(b'n') {
            self.literal(b"null")?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    /// Whether the next value is an object (nothing of it read but the whitespace before).
    pub(crate) fn object_follows(&mut self) -> bool {
        self.skip_ws();
        self.peek() == Some(b'{')
    }

    /// A scalar, as [`ScalarVisitor`] takes it from `deserialize_any`; an array or an object
    /// gives up, as that visitor refuses them.
    #[inline]
    pub(crate) fn scalar(&mut self) -> Result<Scalar<'de>, Bail> {
        self.skip_ws();
        match self.peek() {
            Some(b'"') => {
                self.pos += 1;
                Ok(Scalar::Str(match self.string()? {
                    Text::Borrowed(s) => Cow::Borrowed(s),
                    Text::Owned(s) => Cow::Owned(s),
                }))
            }
            Some(b'-' | b'0'..=b'9') => match self.number()? {
                (_, Some(n)) => Ok(Scalar::Num(n.into())),
                (text, None) => visit_number(text, ScalarVisitor),
            },
            Some(b't') => self.literal(b"true").map(|()| Scalar::Bool(true)),
            Some(b'f') => self.literal(b"false").map(|()| Scalar::Bool(false)),
            Some(b'n') => self.literal(b"null").map(|()| Scalar::Null),
            _ => Err(Bail),
        }
    }

    /// A value checked as [`Skip`](crate::providers::json::Skip) checks it through this reader (the same steps and
    /// give-ups: an escaped key, a number serde_json refuses, nesting past [`MAX_DEPTH`]),
    /// and dropped.
    pub(crate) fn skip_value(&mut self) -> Result<(), Bail> {
        self.skip_ws();
        match self.peek() {
            Some(b'"') => {
                self.pos += 1;
                self.string().map(drop)
            }
            Some(b'-' | b'0'..=b'9') => match self.number()? {
                (_, Some(_)) => Ok(()),
                (text, None) => visit_number(text, de::IgnoredAny).map(drop),
            },
            Some(b'{') => {
                self.pos += 1;
                self.enter()?;
                let mut first = true;
                while self.entry_follows(first)? {
                    first = false;
                    self.key()?;
                    self.colon()?;
                    self.skip_value()?;
                }
                self.depth -= 1;
                Ok(())
            }
            Some(b'[') => {
                self.pos += 1;
                self.enter()?;
                let mut first = true;
                while self.element_follows(first)? {
                    first = false;
                    self.skip_value()?;
                }
                self.depth -= 1;
                Ok(())
            }
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            _ => Err(Bail),
        }
    }

    /// An object read into a struct with the keys `keys` (what `deserialize_struct` reads):
    /// `each` reads each entry's value, given the key's place in `keys` (`keys.len()` for a
    /// key they do not name).
    #[inline]
    pub(crate) fn fill_struct(
        &mut self,
        keys: &'static [&'static str],
        mut each: impl FnMut(&mut Self, usize) -> Result<(), Bail>,
    ) -> Result<(), Bail> {
        self.expect(b'{')?;
        self.enter()?;
        let shape = self.shape_of(keys);
        let (mut first, mut at) = (true, 0);
        loop {
            // the entry's head as the last object of this kind had it at this place: the same
            // bytes read the same way (the same key, so the same place)
            if let Some(place) = shape.and_then(|shape| self.known_head(shape, at)) {
                first = false;
                at += 1;
                each(self, place)?;
                continue;
            }
            let head = self.pos;
            if !self.entry_follows(first)? {
                break;
            }
            first = false;
            let place = match shape {
                Some(shape) => {
                    let place = self.struct_key(shape, &mut at)?.2;
                    self.colon()?;
                    self.learn_head(shape, at - 1, head);
                    place
                }
                None => {
                    let place = crate::providers::json::key_index(keys, self.key()?);
                    self.colon()?;
                    place
                }
            };
            each(self, place)?;
        }
        self.depth -= 1;
        Ok(())
    }

    /// The place of the key whose remembered entry head (the `at`-th of `shape`) the text at
    /// the reading position starts with, the position moved past it.
    #[inline(always)]
    fn known_head(&mut self, shape: usize, at: usize) -> Option<usize> {
        let known = self.shapes.get(shape)?.seen.get(at)?;
        let head = known.head.as_ref()?;
        if !head.starts(self.bytes.get(self.pos..)?) {
            return None;
        }
        self.pos += head.len;
        Some(known.place)
    }

    /// Remember the text from `from` to the reading position as the head of the `at`-th
    /// entry of `shape`, when that key is remembered (it was just read there).
    #[cold]
    fn learn_head(&mut self, shape: usize, at: usize, from: usize) {
        let head = self.bytes.get(from..self.pos).and_then(Pattern::new);
        if let Some(known) = self.shapes.get_mut(shape).and_then(|s| s.seen.get_mut(at)) {
            known.head = head;
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

/// A value read straight from a [`Reader`], without serde's visitors: the value
/// [`Fill::fill`](crate::providers::json::Fill) reads with the reader as its deserializer, and
/// a give-up wherever that gives up. A lane struct's fields know their types, so the reader is
/// asked at once for a scalar, an object or a list instead of through a seed, a visitor and a
/// `Result` at each level.
pub(crate) trait LaneFill<'de> {
    /// Read into `self`, replacing what it held (a lane struct, `json_object!`, must hold its
    /// default value, as for `Fill`).
    fn lane_fill(&mut self, r: &mut Reader<'de>) -> Result<(), Bail>;
}

impl<'de> LaneFill<'de> for Scalar<'de> {
    // (always: round 24's lean branches in the Twilio mapping tipped LLVM into calling this
    // wrapper from the Twilio call struct's reader, 1.3% more instructions on Twilio pages)
    #[inline(always)]
    fn lane_fill(&mut self, r: &mut Reader<'de>) -> Result<(), Bail> {
        *self = r.scalar()?;
        Ok(())
    }
}

impl<'de> LaneFill<'de> for Seen {
    fn lane_fill(&mut self, r: &mut Reader<'de>) -> Result<(), Bail> {
        r.skip_value()?;
        *self = Seen(true);
        Ok(())
    }
}

impl<'de> LaneFill<'de> for Scalars<'de> {
    fn lane_fill(&mut self, r: &mut Reader<'de>) -> Result<(), Bail> {
        let mut list = Scalars::default();
        r.open_array()?;
        let mut first = true;
        while r.element_follows(first)? {
            first = false;
            list.push(r.scalar()?);
        }
        r.depth -= 1;
        *self = list;
        Ok(())
    }
}

/// `null` reads as `None`, anything else into a default `T`.
impl<'de, T: LaneFill<'de> + Default> LaneFill<'de> for Option<T> {
    #[inline]
    fn lane_fill(&mut self, r: &mut Reader<'de>) -> Result<(), Bail> {
        if r.null()? {
            *self = None;
            Ok(())
        } else {
            self.insert(T::default()).lane_fill(r)
        }
    }
}

impl<'de, L: Spare> LaneFill<'de> for List<'de, L>
where
    L::Item<'de>: LaneFill<'de> + Default,
{
    fn lane_fill(&mut self, r: &mut Reader<'de>) -> Result<(), Bail> {
        self.0.clear();
        let hint = r.open_array()?;
        self.reserve_for(hint);
        let mut first = true;
        while r.element_follows(first)? {
            first = false;
            self.0.push(L::Item::default());
            if let Some(element) = self.0.last_mut() {
                element.lane_fill(r)?;
            }
            if self.0.len() > MAX_LIST {
                return Err(Bail);
            }
        }
        r.depth -= 1;
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
            Some(b'"') => {
                // (the string at once: whitespace was skipped above)
                self.pos += 1;
                match self.string()? {
                    Text::Borrowed(s) => visitor.visit_borrowed_str(s),
                    Text::Owned(s) => visitor.visit_str(&s),
                }
            }
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
                let (text, plain) = self.number()?;
                if let Some(n) = plain {
                    return visitor.visit_u64(n);
                }
                visit_number(text, visitor)
            }
            _ => Err(Bail),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Bail> {
        self.object(None, visitor)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Bail> {
        self.open_array()?;
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
        if self.null()? {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    /// An object, its keys known by their place in `fields` where they come in the order of
    /// the last object read with the same `fields` ([`Shape`]).
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Bail> {
        self.object(Some(fields), visitor)
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

/// An object key for its seed: where its text lies in the document (an unescaped string),
/// and its place in the struct's keys when known (given to an identifier as `visit_u64`, to
/// anything else as the text, as serde_json gives it).
struct KeyText<'de> {
    text: &'de str,
    start: usize,
    end: usize,
    place: Option<usize>,
}

impl<'de> Deserializer<'de> for KeyText<'de> {
    type Error = Bail;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Bail> {
        visitor.visit_borrowed_str(self.text.get(self.start..self.end).ok_or(Bail)?)
    }

    #[inline]
    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Bail> {
        match self.place {
            Some(place) => visitor.visit_u64(place as u64),
            None => self.deserialize_any(visitor),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        ignored_any
    }
}

/// The entries of an object.
struct Entries<'a, 'de> {
    reader: &'a mut Reader<'de>,
    first: bool,
    done: bool,
    /// For an object read as a struct: its [`Shape`] in the reader's list and how many keys
    /// were read.
    shape: Option<(usize, usize)>,
}

impl<'de> MapAccess<'de> for Entries<'_, 'de> {
    type Error = Bail;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Bail> {
        let r = &mut *self.reader;
        if !r.entry_follows(self.first)? {
            self.done = true;
            return Ok(None);
        }
        self.first = false;
        let key = match self.shape.as_mut() {
            Some((shape, at)) => {
                let (start, end, place) = r.struct_key(*shape, at)?;
                r.key_text(start, end, Some(place))
            }
            None => {
                let start = r.pos;
                let key = r.key()?;
                r.key_text(start, start + key.len(), None)
            }
        };
        seed.deserialize(key).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Bail> {
        let r = &mut *self.reader;
        r.colon()?;
        seed.deserialize(r)
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
        if !r.element_follows(self.first)? {
            self.done = true;
            return Ok(None);
        }
        self.first = false;
        seed.deserialize(&mut *r).map(Some)
    }

    /// A guess for a list at the top of a document (an API list page's calls): one element
    /// per KiB of text left, so that the list is allocated once instead of growing (serde
    /// caps what it allocates on a hint at 1 MiB). Deeper lists give no hint.
    fn size_hint(&self) -> Option<usize> {
        self.first.then(|| self.reader.list_hint())
    }
}

/// Any JSON value (the tests' texts), nested up to `depth` levels and about `size` values, its
/// objects' keys drawn from `keys`.
#[cfg(test)]
pub(crate) fn json_keyed(
    keys: impl proptest::strategy::Strategy<Value = String> + Clone + 'static,
    depth: u32,
    size: u32,
) -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
    use proptest::prelude::*;
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e12f64..1e12).prop_map(Value::from),
        "[a-z \"\\\\/\t\n\u{e9}]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(depth, size, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((keys.clone(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::Value;

    crate::providers::json::json_object! {
        struct Named<'a> {
            a: crate::providers::json::Scalar<'a> = "a",
        }
    }

    #[test]
    fn what_a_thread_remembers_of_keys_is_bounded() {
        // one object with many keys the struct does not name, then the same keys again
        let keys: Vec<String> = (0..1000).map(|i| format!("{i:0>20}")).collect();
        let entries: Vec<String> = keys.iter().map(|k| format!("\"{k}\": 1")).collect();
        let object = format!("{{{}, \"a\": 2}}", entries.join(", "));
        for _ in 0..2 {
            let named: Named<'_> = from_str(&object).unwrap();
            assert!(named.other_keys);
            assert_eq!(named.a, crate::providers::json::Scalar::Num(2.into()));
        }
        let shapes = SHAPES.take();
        let shape = shapes
            .iter()
            .find(|s| s.keys_of == ["a"])
            .expect("a shape of Named");
        // the first MAX_SHAPE_KEYS keys, then nothing (not "a", the 1001st)
        assert_eq!(shape.seen.len(), MAX_SHAPE_KEYS);
        assert!(shape.seen.iter().all(|k| k.len() == 20 && k.place == 1));
        assert!(shapes.len() <= MAX_SHAPES);
        // what the bounds come to (the figures in MAX_SHAPES's comment and the README)
        #[cfg(target_pointer_width = "64")]
        assert_eq!(std::mem::size_of::<Known>(), 192);
        SHAPES.set(shapes);
    }

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
            // integers read while scanned (up to 19 digits) and those left to serde_json
            r#"{"i": [0, 7, 9999999999999999999, 10000000000000000000, 1234567890123456789, 12.0, 3e0, -5]}"#,
            r#"{"s": "tab\tquote\" slash\/ back\\ nl\n", "e": "", "u": "Zoë مرحبا"}"#,
            r#"{"dup": 1, "dup": 2}"#,
            // a comma, a newline, then any whitespace (the pretty printer's layout is read
            // first, the rest as before)
            "{\"a\": 1,\n\t \"b\": 2,\n\n    \"c\": [1,\n 2],\n\"d\": {\"e\": 3,\n      \r\n \"f\": 4}\n}",
            "[]",
            "{}",
            r#""text""#,
            "12",
            "null",
        ] {
            assert!(agrees(text), "the lane gave up on {text:?}");
        }
        // a comma before the end of an object is not JSON: both decline
        for text in ["{\"a\": 1,\n}", "{\"a\": 1,\n    }", "{,\n\"a\": 1}"] {
            assert!(from_str::<Value>(text).is_none(), "{text:?}");
            assert!(serde_json::from_str::<Value>(text).is_err(), "{text:?}");
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
        json_keyed("[a-z_]{0,6}", 4, 48)
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
            plain in 0usize..80,
        ) {
            // a run of plain bytes first, so that the special byte lands at every offset, in
            // the words read first and past them (`WORD_SCAN`)
            let mut text = vec![b'x'; plain];
            text.extend(bytes);
            let naive = text.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20).unwrap_or(text.len());
            prop_assert_eq!(plain_len(&text), naive);
        }
    }
}
