//! A compact copy of a draft, held between parsing and folding.
//!
//! Every parsed item waits in memory until the whole input is read (a call's items may come
//! from any page or file). A [`CallDraft`] is ~900 bytes inline plus one allocation per text
//! field; most drafts set a dozen scalar and text fields, so [`PackedDraft::Compact`] writes
//! the set scalars, every text and the item's path into one exact-size byte buffer (one
//! allocation; 247 bytes on average over a page of the generated Twilio calls, legs
//! included, when lengths took four bytes; a length below 64 now takes one, [`put_len`]).
//! `extra` values are written in a small tagged form that gives back the same JSON value
//! (numbers keep their kind and bits: no text round trip), so a Twilio
//! `<Dial>` leg with its summary object packs as small as a call. Drafts with
//! transcripts, transfers, quality, warnings or `extra` values nested deeper than
//! [`MAX_DEPTH`] stay whole ([`PackedDraft::Full`]).
//! Unpacking gives back an equal draft.

use crate::model::buffers::{Buffers, slot};
use crate::model::{Agent, CallDraft, EndedReason, EndedReasonCategory, Provider};
use crate::model::{Direction, Outcome};
use chrono::{DateTime, Utc};
use serde_json::Value;

/// A draft waiting to be folded, with the path of its item: 16 bytes (two variants, so that
/// the compact form's pointer tells them apart), which every waiting item holds.
#[derive(Debug)]
pub(crate) enum PackedDraft {
    /// Everything in one buffer (see [`PackedDraft::pack_from`] for its layout). Empty: an
    /// item done with ([`PackedDraft::taken`]: an empty draft, no provider, no call id, no
    /// path).
    Compact(Box<[u8]>),
    /// Anything the compact form does not hold.
    Full(Box<Whole>),
}

/// A draft kept whole, and the path of its item when it was packed with one.
#[derive(Debug)]
pub(crate) struct Whole {
    draft: CallDraft,
    path: Option<String>,
}

/// The texts of a compact draft, in [`slot`] order, each present or not.
const TEXTS: usize = slot::COUNT;
const CALL_ID: usize = slot::CALL_ID;

/// Bit of `present` for "agent is `Some`" (its three texts may still all be absent).
const AGENT: u32 = 1 << TEXTS;
/// Bit of `present` for "the item's path follows the extras".
const PATH: u32 = 1 << (TEXTS + 1);

/// Bytes before the scalars: provider, direction, outcome and ended-reason category codes
/// (0 for none, else 1 + the place in the type's `ALL`), `present`, precedence, tag and
/// extra counts (little-endian), and a byte of scalar bits.
const HEADER: usize = 25;
/// Bits of the scalar byte: the three instants, then the five numbers.
const TIMES: usize = 3;
const NUMBERS: usize = 5;
/// Bytes of a present instant (seconds since the epoch `i64`, nanoseconds `u32`) and number
/// (`f64` bits).
const TIME_BYTES: usize = 12;
const NUMBER_BYTES: usize = 8;

/// 0 for none, else 1 + the place of `x` in `all`.
fn code<T: PartialEq>(x: Option<T>, all: &[T]) -> u8 {
    x.and_then(|x| all.iter().position(|a| *a == x))
        .map_or(0, |i| (i + 1) as u8)
}

/// The value of [`code`].
fn decode<T: Copy>(c: u8, all: &[T]) -> Option<T> {
    usize::from(c)
        .checked_sub(1)
        .and_then(|i| all.get(i))
        .copied()
}

impl PackedDraft {
    /// Pack a draft (whole when the compact form cannot hold it).
    #[cfg(test)]
    pub(crate) fn pack(mut draft: CallDraft) -> Self {
        Self::pack_from(&mut draft, None)
    }

    /// Pack a draft found at `path` (kept with it when given): its texts are copied (and
    /// left in `draft`, whose strings can then be reused, [`Buffers::recycle_draft`]), or,
    /// when the compact form cannot hold it, the whole draft is moved out (`draft` is left
    /// empty) and kept with a copy of the path.
    ///
    /// The compact layout: [`HEADER`]; each set instant and number in field order; each
    /// present text, the tags, the `extra` keys and values ([`put`], [`put_value`]); the path.
    pub(crate) fn pack_from(draft: &mut CallDraft, path: Option<&str>) -> Self {
        let texts = texts(draft);
        if !compactable(draft, &texts) || path.is_some_and(|p| u32::try_from(p.len()).is_err()) {
            return PackedDraft::Full(Box::new(Whole {
                draft: std::mem::take(draft),
                path: path.map(str::to_owned),
            }));
        }
        let draft = &*draft;
        let times = [draft.started_at, draft.answered_at, draft.ended_at];
        let numbers = [
            draft.duration_s,
            draft.talk_s,
            draft.wait_s,
            draft.wrap_up_s,
            draft.cost,
        ];
        // the exact size: one allocation, no growing
        let size = |t: &str| len_size(t.len() as u64) + t.len();
        let bytes = HEADER
            + times.iter().flatten().count() * TIME_BYTES
            + numbers.iter().flatten().count() * NUMBER_BYTES
            + texts.iter().flatten().map(|t| size(t)).sum::<usize>()
            + draft.tags.iter().map(|t| size(t)).sum::<usize>()
            + draft
                .extra
                .iter()
                .map(|(k, v)| size(k) + value_size(v))
                .sum::<usize>()
            + path.map_or(0, size);
        let mut present = 0u32;
        for (i, t) in texts.iter().enumerate() {
            if t.is_some() {
                present |= 1 << i;
            }
        }
        if draft.agent.is_some() {
            present |= AGENT;
        }
        if path.is_some() {
            present |= PATH;
        }
        let mut scalars = 0u8;
        for (i, set) in times
            .iter()
            .map(Option::is_some)
            .chain(numbers.iter().map(Option::is_some))
            .enumerate()
        {
            if set {
                scalars |= 1 << i;
            }
        }
        let mut out = Vec::with_capacity(bytes);
        out.extend_from_slice(&[
            code(draft.provider, Provider::ALL),
            code(draft.direction, Direction::ALL),
            code(draft.outcome, Outcome::ALL),
            code(
                draft.ended_reason.as_ref().map(|e| e.category),
                EndedReasonCategory::ALL,
            ),
        ]);
        out.extend_from_slice(&present.to_le_bytes());
        out.extend_from_slice(&draft.precedence.to_le_bytes());
        out.extend_from_slice(&(draft.tags.len() as u32).to_le_bytes());
        out.extend_from_slice(&(draft.extra.len() as u32).to_le_bytes());
        out.push(scalars);
        for t in times.iter().flatten() {
            out.extend_from_slice(&t.timestamp().to_le_bytes());
            out.extend_from_slice(&t.timestamp_subsec_nanos().to_le_bytes());
        }
        for x in numbers.iter().flatten() {
            out.extend_from_slice(&x.to_bits().to_le_bytes());
        }
        for t in texts.iter().flatten() {
            put(&mut out, t);
        }
        for tag in &draft.tags {
            put(&mut out, tag);
        }
        for (k, v) in &draft.extra {
            put(&mut out, k);
            put_value(&mut out, v);
        }
        if let Some(path) = path {
            put(&mut out, path);
        }
        PackedDraft::Compact(out.into_boxed_slice())
    }

    /// The draft back, equal to the one packed, its texts written into `buffers`: moved out
    /// of a whole draft (left empty), decoded from a compact one (which stays, with its
    /// path, until it is dropped or replaced by [`PackedDraft::taken`]). A call's items are
    /// finished where they lie, in a slice of all items.
    pub(crate) fn take(&mut self, buffers: &mut Buffers) -> CallDraft {
        match self {
            PackedDraft::Full(whole) => std::mem::take(&mut whole.draft),
            other => other.peek(buffers),
        }
    }

    /// The draft back, equal to the one packed, leaving this one as it is (a whole draft is
    /// cloned): for a first look at a call whose items are finished again later.
    pub(crate) fn peek(&self, buffers: &mut Buffers) -> CallDraft {
        match self {
            PackedDraft::Full(whole) => whole.draft.clone(),
            PackedDraft::Compact(c) => unpack_compact(c, buffers),
        }
    }

    /// The draft back, equal to the one packed.
    #[cfg(test)]
    pub(crate) fn unpack(mut self) -> CallDraft {
        self.take(&mut Buffers::default())
    }

    /// What is left of an item whose draft is done with: an empty compact draft, which
    /// holds no memory.
    pub(crate) fn taken() -> Self {
        PackedDraft::Compact(Box::default())
    }

    /// The draft's provider.
    pub(crate) fn provider(&self) -> Option<Provider> {
        match self {
            PackedDraft::Compact(c) => decode(c.first().copied().unwrap_or(0), Provider::ALL),
            PackedDraft::Full(whole) => whole.draft.provider,
        }
    }

    /// The first byte of a compact draft's bytes (0 for a whole one): a load that brings the
    /// draft's first bytes into the cache.
    pub(crate) fn first_byte(&self) -> u8 {
        match self {
            PackedDraft::Compact(c) => c.first().copied().unwrap_or(0),
            PackedDraft::Full(_) => 0,
        }
    }

    /// The draft's provider call id.
    pub(crate) fn call_id(&self) -> Option<&str> {
        match self {
            PackedDraft::Compact(c) => {
                let mut r = Reader::after_scalars(c);
                (r.present & (1 << CALL_ID) != 0).then(|| r.next_str())
            }
            PackedDraft::Full(whole) => whole.draft.provider_call_id.as_deref(),
        }
    }

    /// The bytes of the draft's provider call id, not checked as UTF-8 (for hashing: the
    /// fingerprint of a call finished early under a window).
    pub(crate) fn call_id_bytes(&self) -> Option<&[u8]> {
        match self {
            PackedDraft::Compact(c) => {
                let mut r = Reader::after_scalars(c);
                (r.present & (1 << CALL_ID) != 0).then(|| r.next_raw())
            }
            PackedDraft::Full(whole) => whole.draft.provider_call_id.as_deref().map(str::as_bytes),
        }
    }

    /// The path of the item, when it was packed with it.
    pub(crate) fn path(&self) -> Option<&str> {
        let c = match self {
            PackedDraft::Compact(c) => c,
            PackedDraft::Full(whole) => return whole.path.as_deref(),
        };
        let mut r = Reader::after_scalars(c);
        if r.present & PATH == 0 {
            return None;
        }
        for i in 0..TEXTS {
            if r.present & (1 << i) != 0 {
                r.next_str();
            }
        }
        for _ in 0..r.tags {
            r.next_str();
        }
        for _ in 0..r.extra {
            r.next_str();
            r.skip_value(0);
        }
        Some(r.next_str())
    }
}

/// A compact draft back, its texts written into `buffers`.
fn unpack_compact(c: &[u8], buffers: &mut Buffers) -> CallDraft {
    let header = |i: usize| c.get(i).copied().unwrap_or(0);
    let mut r = Reader::checked(c);
    let scalars = header(HEADER - 1);
    let mut at = HEADER;
    let mut times: [Option<DateTime<Utc>>; TIMES] = [None; TIMES];
    for (i, t) in times.iter_mut().enumerate() {
        if scalars & (1 << i) != 0 {
            let secs = i64::from_le_bytes(bytes_at(c, at));
            let nanos = u32::from_le_bytes(bytes_at(c, at + 8));
            *t = DateTime::from_timestamp(secs, nanos);
            at += TIME_BYTES;
        }
    }
    let mut numbers: [Option<f64>; NUMBERS] = [None; NUMBERS];
    for (i, x) in numbers.iter_mut().enumerate() {
        if scalars & (1 << (TIMES + i)) != 0 {
            *x = Some(f64::from_bits(u64::from_le_bytes(bytes_at(c, at))));
            at += NUMBER_BYTES;
        }
    }
    let present = r.present;
    let mut t: [Option<String>; TEXTS] = Default::default();
    for (i, slot) in t.iter_mut().enumerate() {
        if present & (1 << i) != 0 {
            *slot = Some(buffers.text(i, r.next_str()));
        }
    }
    let mut tags = buffers.tag_list();
    for _ in 0..r.tags {
        tags.push(buffers.tag(r.next_str()));
    }
    // sized at once (an entry takes at least a byte: a bad count cannot ask for much)
    let mut extra = crate::model::Extra::with_capacity((r.extra as usize).min(c.len()));
    for _ in 0..r.extra {
        let k = r.next_str().to_owned();
        let v = r.next_value(0);
        extra.insert(k, v);
    }
    let [
        provider_call_id,
        tenant,
        raw_status,
        agent_id,
        agent_email,
        agent_name,
        assistant,
        queue,
        customer_number,
        business_number,
        customer_name,
        ended_raw,
        disposition,
        notes,
        summary,
        intent,
        recording_url,
        language,
    ] = t;
    let [started_at, answered_at, ended_at] = times;
    let [duration_s, talk_s, wait_s, wrap_up_s, cost] = numbers;
    let precedence = u64::from_le_bytes(bytes_at(c, 8));
    CallDraft {
        provider: decode(header(0), Provider::ALL),
        provider_call_id,
        precedence,
        tenant,
        direction: decode(header(1), Direction::ALL),
        outcome: decode(header(2), Outcome::ALL),
        raw_status,
        started_at,
        answered_at,
        ended_at,
        duration_s,
        talk_s,
        wait_s,
        wrap_up_s,
        agent: (present & AGENT != 0).then_some(Agent {
            id: agent_id,
            email: agent_email,
            name: agent_name,
        }),
        assistant,
        queue,
        customer_number,
        business_number,
        customer_name,
        ended_reason: decode(header(3), EndedReasonCategory::ALL).map(|category| EndedReason {
            category,
            raw: ended_raw.unwrap_or_default(),
        }),
        disposition,
        notes,
        tags,
        transfers: Vec::new(),
        summary,
        intent,
        transcript: Vec::new(),
        recording_url,
        quality: None,
        cost,
        language,
        extra,
        warnings: Vec::new(),
    }
}

/// The texts of a draft in [`PackedDraft::Compact`] order (agent texts `None` without an agent).
fn texts(draft: &CallDraft) -> [Option<&str>; TEXTS] {
    let agent = draft.agent.as_ref();
    [
        draft.provider_call_id.as_deref(),
        draft.tenant.as_deref(),
        draft.raw_status.as_deref(),
        agent.and_then(|a| a.id.as_deref()),
        agent.and_then(|a| a.email.as_deref()),
        agent.and_then(|a| a.name.as_deref()),
        draft.assistant.as_deref(),
        draft.queue.as_deref(),
        draft.customer_number.as_deref(),
        draft.business_number.as_deref(),
        draft.customer_name.as_deref(),
        draft.ended_reason.as_ref().map(|e| e.raw.as_str()),
        draft.disposition.as_deref(),
        draft.notes.as_deref(),
        draft.summary.as_deref(),
        draft.intent.as_deref(),
        draft.recording_url.as_deref(),
        draft.language.as_deref(),
    ]
}

/// Whether [`PackedDraft::Compact`] holds everything of `draft`, whose texts are `texts`.
fn compactable(draft: &CallDraft, texts: &[Option<&str>; TEXTS]) -> bool {
    let fits = |s: &str| u32::try_from(s.len()).is_ok();
    draft.transfers.is_empty()
        && draft.transcript.is_empty()
        && draft.quality.is_none()
        && draft.warnings.is_empty()
        && u32::try_from(draft.tags.len()).is_ok()
        && u32::try_from(draft.extra.len()).is_ok()
        && draft.extra.iter().all(|(k, v)| fits(k) && value_fits(v, 0))
        && draft.tags.iter().all(|t| fits(t))
        && texts.iter().all(|t| t.is_none_or(fits))
}

// A draft with every unmapped field kept (`callscope ingest`: ~17 `extra` entries for a
// Twilio call, a nested object among them) packs too. Until round 8 a draft with more than 8
// entries stayed whole, to save the encoding's time; whole, such a draft took ~6 KB while it
// waited (100k Twilio calls: 627 MB after reading, against 211 MB packed), and reading took no
// longer packed (1.62 / 1.66 s of user time).

/// Append `s` as its byte length ([`put_len`]) and its bytes (the caller checked the length
/// fits a `u32`).
fn put(out: &mut Vec<u8>, s: &str) {
    put_len(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// Append `n` six bits a byte, low bits first, with bit 6 set on every byte but the last.
/// Every byte is ASCII, so everything after the scalars — lengths, value tags, numbers and
/// texts — is one UTF-8 text, checked once when a draft is unpacked ([`Reader::checked`])
/// instead of text by text.
fn put_len(out: &mut Vec<u8>, mut n: u64) {
    while n >= 64 {
        out.push(0x40 | (n & 0x3f) as u8);
        n >>= 6;
    }
    out.push(n as u8);
}

/// Bytes [`put_len`] writes for `n`.
fn len_size(n: u64) -> usize {
    ((64 - n.leading_zeros()) as usize).div_ceil(6).max(1)
}

/// Deepest nesting of an `extra` value the compact form holds (values from JSON input are
/// at most 128 deep; reading them back recurses once per level).
const MAX_DEPTH: usize = 64;

/// Tags of [`put_value`].
const NULL: u8 = 0;
const FALSE: u8 = 1;
const TRUE: u8 = 2;
const UNSIGNED: u8 = 3;
const NEGATIVE: u8 = 4;
const FLOAT: u8 = 5;
const STRING: u8 = 6;
const ARRAY: u8 = 7;
const OBJECT: u8 = 8;

/// Whether [`put_value`] can write `v` (`depth` levels down): lengths fit a `u32`, nesting
/// is at most [`MAX_DEPTH`].
fn value_fits(v: &Value, depth: usize) -> bool {
    let fits = |n: usize| u32::try_from(n).is_ok();
    match v {
        Value::String(s) => fits(s.len()),
        Value::Array(a) => {
            depth < MAX_DEPTH && fits(a.len()) && a.iter().all(|x| value_fits(x, depth + 1))
        }
        Value::Object(m) => {
            depth < MAX_DEPTH
                && fits(m.len())
                && m.iter()
                    .all(|(k, x)| fits(k.len()) && value_fits(x, depth + 1))
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => true,
    }
}

/// Bytes [`put_value`] writes for `v`.
fn value_size(v: &Value) -> usize {
    let size = |n: usize| len_size(n as u64);
    1 + match v {
        Value::Null | Value::Bool(_) => 0,
        Value::Number(n) => len_size(number_bits(n).1),
        Value::String(s) => size(s.len()) + s.len(),
        Value::Array(a) => size(a.len()) + a.iter().map(value_size).sum::<usize>(),
        Value::Object(m) => {
            size(m.len())
                + m.iter()
                    .map(|(k, x)| size(k.len()) + k.len() + value_size(x))
                    .sum::<usize>()
        }
    }
}

/// The tag and bits of a number as [`put_value`] writes it: its `u64`, `i64` (negative) or
/// `f64` bits, as `serde_json` holds it.
fn number_bits(n: &serde_json::Number) -> (u8, u64) {
    match (n.as_u64(), n.as_i64()) {
        (Some(u), _) => (UNSIGNED, u),
        (None, Some(i)) => (NEGATIVE, i as u64),
        (None, None) => (FLOAT, n.as_f64().unwrap_or_default().to_bits()),
    }
}

/// Append `v` as a tag byte and its payload: a number as its bits ([`number_bits`],
/// [`put_len`]); a string as [`put`]; an array or object as its length ([`put_len`]) and its
/// elements (keys as [`put`]). The caller checked [`value_fits`].
fn put_value(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Null => out.push(NULL),
        Value::Bool(false) => out.push(FALSE),
        Value::Bool(true) => out.push(TRUE),
        Value::Number(n) => {
            let (tag, bits) = number_bits(n);
            out.push(tag);
            put_len(out, bits);
        }
        Value::String(s) => {
            out.push(STRING);
            put(out, s);
        }
        Value::Array(a) => {
            out.push(ARRAY);
            put_len(out, a.len() as u64);
            for x in a {
                put_value(out, x);
            }
        }
        Value::Object(m) => {
            out.push(OBJECT);
            put_len(out, m.len() as u64);
            for (k, x) in m {
                put(out, k);
                put_value(out, x);
            }
        }
    }
}

/// The `N` bytes of `c` at `at` (zeros past the end, which packing never leads to).
fn bytes_at<const N: usize>(c: &[u8], at: usize) -> [u8; N] {
    c.get(at..at + N)
        .and_then(|b| <[u8; N]>::try_from(b).ok())
        .unwrap_or([0; N])
}

/// Reads back a compact draft's texts and values ([`put`], [`put_value`]).
struct Reader<'a> {
    text: &'a [u8],
    /// `text` from the first text on, when checked as UTF-8 at once ([`Reader::checked`]).
    checked: Option<&'a str>,
    /// Where `checked` starts in `text`.
    texts_at: usize,
    at: usize,
    /// From the header: which texts are present, and the tag and extra counts.
    present: u32,
    tags: u32,
    extra: u32,
}

impl<'a> Reader<'a> {
    /// A reader of compact draft `c` at its first text.
    fn after_scalars(c: &'a [u8]) -> Self {
        let scalars = c.get(HEADER - 1).copied().unwrap_or(0);
        let times = (scalars & ((1 << TIMES) - 1)).count_ones() as usize;
        let numbers = (scalars >> TIMES).count_ones() as usize;
        let at = HEADER + times * TIME_BYTES + numbers * NUMBER_BYTES;
        Reader {
            text: c,
            checked: None,
            texts_at: at,
            at,
            present: u32::from_le_bytes(bytes_at(c, 4)),
            tags: u32::from_le_bytes(bytes_at(c, 16)),
            extra: u32::from_le_bytes(bytes_at(c, 20)),
        }
    }

    /// A reader of compact draft `c` at its first text, everything from there on checked as
    /// UTF-8 at once (it is, as packed: [`put_len`]), for reading all of it.
    fn checked(c: &'a [u8]) -> Self {
        let mut r = Reader::after_scalars(c);
        r.checked = c
            .get(r.at..)
            .and_then(|rest| simdutf8::basic::from_utf8(rest).ok());
        r
    }

    /// The next number [`put_len`] wrote (what was read of it past the end, which packing
    /// never leads to).
    fn next_len(&mut self) -> u64 {
        let mut n = 0u64;
        let mut shift = 0;
        while let Some(&b) = self.text.get(self.at) {
            self.at += 1;
            if shift < 64 {
                n |= u64::from(b & 0x3f) << shift;
            }
            if b & 0x40 == 0 {
                break;
            }
            shift += 6;
        }
        n
    }

    /// The next `n` bytes (zeros past the end, which packing never leads to).
    fn next_bytes<const N: usize>(&mut self) -> [u8; N] {
        let bytes = bytes_at(self.text, self.at);
        self.at += N;
        bytes
    }

    /// The next value [`put_value`] wrote, `depth` levels down (`null` past the end or past
    /// [`MAX_DEPTH`], which packing never leads to).
    fn next_value(&mut self, depth: usize) -> Value {
        let [tag] = self.next_bytes::<1>();
        let word = |t: &mut Self| t.next_len();
        let len = |t: &mut Self| usize::try_from(t.next_len()).unwrap_or(usize::MAX);
        match tag {
            FALSE => Value::Bool(false),
            TRUE => Value::Bool(true),
            UNSIGNED => Value::from(word(self)),
            NEGATIVE => Value::from(word(self) as i64),
            FLOAT => serde_json::Number::from_f64(f64::from_bits(word(self)))
                .map_or(Value::Null, Value::Number),
            STRING => Value::String(self.next_str().to_owned()),
            ARRAY if depth < MAX_DEPTH => {
                let n = len(self);
                // at least one byte an element: a bad length cannot ask for much
                let mut a = Vec::with_capacity(n.min(self.text.len()));
                for _ in 0..n {
                    if self.at >= self.text.len() {
                        break;
                    }
                    a.push(self.next_value(depth + 1));
                }
                Value::Array(a)
            }
            OBJECT if depth < MAX_DEPTH => {
                let n = len(self);
                let mut m = serde_json::Map::with_capacity(n.min(self.text.len()));
                for _ in 0..n {
                    if self.at >= self.text.len() {
                        break;
                    }
                    let k = self.next_str().to_owned();
                    let v = self.next_value(depth + 1);
                    m.insert(k, v);
                }
                Value::Object(m)
            }
            _ => Value::Null,
        }
    }

    /// Past the next value [`put_value`] wrote, `depth` levels down (as
    /// [`Reader::next_value`] reads it, without building it).
    fn skip_value(&mut self, depth: usize) {
        let [tag] = self.next_bytes::<1>();
        match tag {
            UNSIGNED | NEGATIVE | FLOAT => {
                self.next_len();
            }
            STRING => {
                self.next_str();
            }
            ARRAY | OBJECT if depth < MAX_DEPTH => {
                let n = self.next_len();
                for _ in 0..n {
                    if self.at >= self.text.len() {
                        break;
                    }
                    if tag == OBJECT {
                        self.next_str();
                    }
                    self.skip_value(depth + 1);
                }
            }
            _ => {}
        }
    }

    /// Where the next text lies in the packed bytes (start, end), the position moved past it.
    fn next_span(&mut self) -> (usize, usize) {
        let len = usize::try_from(self.next_len()).unwrap_or(usize::MAX);
        let start = self.at;
        let end = start.saturating_add(len);
        self.at = end;
        (start, end)
    }

    /// The next text's bytes, not checked as UTF-8 (empty past the end).
    fn next_raw(&mut self) -> &'a [u8] {
        let (start, end) = self.next_span();
        self.text.get(start..end).unwrap_or_default()
    }

    /// The next text ("" past the end, which packing never leads to).
    fn next_str(&mut self) -> &'a str {
        let (start, end) = self.next_span();
        match self.checked {
            Some(texts) => texts.get(start - self.texts_at..end - self.texts_at),
            None => self
                .text
                .get(start..end)
                .and_then(|b| std::str::from_utf8(b).ok()),
        }
        .unwrap_or_default()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use crate::model::{Quality, Transfer};
    use proptest::prelude::*;

    fn roundtrip(draft: &CallDraft) -> CallDraft {
        PackedDraft::pack(draft.clone()).unpack()
    }

    #[test]
    fn numbers_are_written_six_bits_a_byte_and_everything_after_the_scalars_is_utf8() {
        let written = |n: u64| {
            let mut out = Vec::new();
            put_len(&mut out, n);
            assert_eq!(out.len(), len_size(n), "{n}");
            let mut r = Reader::after_scalars(&[]);
            r.text = &out;
            r.at = 0;
            assert_eq!(r.next_len(), n);
            out
        };
        // worked out by hand: low six bits first, bit 6 on all bytes but the last
        assert_eq!(written(0), [0]);
        assert_eq!(written(63), [63]);
        assert_eq!(written(64), [0x40, 1]);
        assert_eq!(written(200), [0x40 | 8, 3]);
        assert_eq!(written(4095), [0x7f, 0x3f]);
        assert_eq!(written(4096), [0x40, 0x40, 1]);
        let mut max = vec![0x7f; 10];
        max.push(0x0f);
        assert_eq!(written(u64::MAX), max);
        // a draft with numbers of every kind among its extra values: all of it after the
        // scalars reads as UTF-8, and comes back
        let mut d = CallDraft {
            provider_call_id: Some("é-1".into()),
            notes: Some("日本".into()),
            ..CallDraft::default()
        };
        for (k, v) in [
            ("f", serde_json::json!(-0.1)),
            ("u", serde_json::json!(u64::MAX)),
            ("i", serde_json::json!(i64::MIN)),
            (
                "nested",
                serde_json::json!({"a": [1.5e300, "ü", null, true]}),
            ),
        ] {
            d.extra.insert(k.into(), v);
        }
        let p = PackedDraft::pack(d.clone());
        let PackedDraft::Compact(c) = &p else {
            panic!("not compact")
        };
        let r = Reader::checked(c);
        assert!(r.checked.is_some());
        assert_eq!(roundtrip(&d), d);
    }

    #[test]
    fn a_full_compact_draft_comes_back_equal() {
        let mut d = CallDraft::new(Provider::JustCall, "881");
        d.precedence = 7;
        d.tenant = Some("acme".into());
        d.direction = Some(Direction::Inbound);
        d.outcome = Some(Outcome::Answered);
        d.raw_status = Some("Answered".into());
        d.started_at = Some("2026-03-02T09:14:03.250Z".parse().unwrap());
        d.answered_at = Some("2026-03-02T09:14:10Z".parse().unwrap());
        d.ended_at = Some("2026-03-02T09:20:00Z".parse().unwrap());
        d.duration_s = Some(356.75);
        d.talk_s = Some(0.0);
        d.wait_s = Some(f64::NAN);
        d.wrap_up_s = Some(-1.0);
        d.cost = Some(0.05);
        d.agent = Some(Agent {
            id: Some("9".into()),
            email: None,
            name: Some("Zoë \"Z\" Ng".into()),
        });
        d.assistant = Some(String::new());
        d.queue = Some("Sales".into());
        d.customer_number = Some("+14155550100".into());
        d.business_number = Some("+14155550199".into());
        d.customer_name = Some("مرحبا".into());
        d.ended_reason = Some(EndedReason {
            category: EndedReasonCategory::CustomerEnded,
            raw: String::new(),
        });
        d.disposition = Some("sale".into());
        d.notes = Some("line one\nline two".into());
        d.summary = Some("summary".into());
        d.intent = Some("billing".into());
        d.recording_url = Some("https://example.com/r.mp3".into());
        d.language = Some("en".into());
        d.tags = vec!["vip".into(), String::new(), "vip".into()];
        d.extra
            .insert("answered_by".into(), Value::String("human".into()));
        d.extra.insert("a".into(), Value::String(String::new()));
        assert!(matches!(
            PackedDraft::pack(d.clone()),
            PackedDraft::Compact(_)
        ));
        let back = roundtrip(&d);
        // NaN is not equal to itself: compare it apart
        assert!(back.wait_s.is_some_and(f64::is_nan));
        let (mut a, mut b) = (d, back);
        a.wait_s = None;
        b.wait_s = None;
        assert_eq!(a, b);
    }

    #[test]
    fn an_agent_without_texts_and_an_empty_draft_come_back_equal() {
        let mut d = CallDraft::default();
        assert_eq!(roundtrip(&d), d);
        d.agent = Some(Agent::default());
        assert_eq!(roundtrip(&d), d);
        d.provider_call_id = Some(String::new());
        let p = PackedDraft::pack(d.clone());
        assert_eq!(p.call_id(), Some(""));
        assert_eq!(p.unpack(), d);
    }

    #[test]
    fn drafts_the_compact_form_cannot_hold_stay_whole() {
        let base = CallDraft::new(Provider::Vapi, "x");
        let mut shapes = Vec::new();
        let mut d = base.clone();
        d.transfers.push(Transfer {
            at: None,
            to_queue: Some("q".into()),
            to_agent: None,
        });
        shapes.push(d);
        let mut d = base.clone();
        d.quality = Some(Quality::default());
        shapes.push(d);
        let mut d = base.clone();
        d.extra.insert("deep".into(), nested(MAX_DEPTH + 1));
        shapes.push(d);
        let mut d = base.clone();
        d.warnings.push(crate::model::FieldIssue {
            path: "$.a".into(),
            reason: "r".into(),
        });
        shapes.push(d);
        for d in shapes {
            // a whole draft keeps a copy of its item's path
            let mut left = d.clone();
            let p = PackedDraft::pack_from(&mut left, Some("$.calls[3]"));
            assert_eq!(p.path(), Some("$.calls[3]"));
            assert_eq!(left, CallDraft::default());
            assert_eq!(PackedDraft::pack(d.clone()).path(), None);
            assert!(matches!(p, PackedDraft::Full(_)));
            assert_eq!(p.provider(), Some(Provider::Vapi));
            assert_eq!(p.call_id(), Some("x"));
            // a look clones a whole draft and leaves it
            assert_eq!(p.peek(&mut Buffers::default()), d);
            assert_eq!(p.unpack(), d);
        }
    }

    /// `[[...[1]...]]`: `levels` arrays around a number.
    fn nested(levels: usize) -> Value {
        (0..levels).fold(Value::from(1), |v, _| Value::Array(vec![v]))
    }

    #[test]
    fn extra_values_of_every_kind_come_back_equal_and_of_the_same_kind() {
        let mut d = CallDraft::new(Provider::Twilio, "CA1");
        let leg = serde_json::json!({
            "sid": "CA2",
            "talk_s": 0.1,
            "cost": -0.0,
            "big": u64::MAX,
            "low": i64::MIN,
            "one": 1,
            "one_float": 1.0,
            "none": null,
            "yes": true,
            "no": false,
            "list": [[], {}, "", "ünï", [1, -2, 2.5e-300]],
        });
        d.extra.insert("leg:CA2".into(), leg.clone());
        d.extra.insert("deepest".into(), nested(MAX_DEPTH));
        let p = PackedDraft::pack(d.clone());
        assert!(matches!(p, PackedDraft::Compact(_)));
        let back = p.unpack();
        assert_eq!(back, d);
        // equal numbers of another kind would compare unequal, but check the kinds plainly
        let leg = &back.extra["leg:CA2"];
        assert!(leg["one"].is_u64() && leg["one_float"].is_f64() && leg["low"].is_i64());
        assert_eq!(leg["big"].as_u64(), Some(u64::MAX));
        assert!(
            leg["cost"]
                .as_f64()
                .is_some_and(|c| c == 0.0 && c.is_sign_negative())
        );
        assert_eq!(
            leg.as_object()
                .map(|m| m.keys().cloned().collect::<Vec<_>>()),
            Some(
                [
                    "sid",
                    "talk_s",
                    "cost",
                    "big",
                    "low",
                    "one",
                    "one_float",
                    "none",
                    "yes",
                    "no",
                    "list"
                ]
                .map(String::from)
                .to_vec()
            )
        );
    }

    #[test]
    fn a_draft_with_many_extra_entries_packs_and_comes_back_equal() {
        // 17: a Twilio call read with every unmapped field kept (until round 8, more than 8
        // entries kept a draft whole)
        for entries in [0, 8, 9, 17, 200] {
            let mut d = CallDraft::new(Provider::Twilio, "CA1");
            for i in 0..entries {
                d.extra
                    .insert(format!("k{i}"), serde_json::json!({"n": i, "s": "x"}));
            }
            let p = PackedDraft::pack(d.clone());
            assert!(matches!(p, PackedDraft::Compact(_)), "{entries}");
            assert_eq!(p.unpack(), d);
        }
    }

    /// Any JSON value (numbers of the three kinds `serde_json` keeps).
    fn json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<u64>().prop_map(Value::from),
            (i64::MIN..0).prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            "[a-z\"é ]{0,6}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec(("[a-z]{0,3}", inner), 0..4)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn random_extra_values_come_back_equal(
            values in prop::collection::vec(("[a-z:]{0,5}", json()), 0..4),
        ) {
            let mut d = CallDraft::new(Provider::Twilio, "CA1");
            d.extra = values.into_iter().collect();
            let p = PackedDraft::pack(d.clone());
            prop_assert!(matches!(p, PackedDraft::Compact(_)));
            prop_assert_eq!(p.unpack(), d);
        }
    }

    fn text() -> impl Strategy<Value = Option<String>> {
        prop::option::of("[a-z\"\\\\é ]{0,12}")
    }

    fn instant() -> impl Strategy<Value = Option<DateTime<Utc>>> {
        prop::option::of((0i64..4_000_000_000, 0u32..1_000_000_000))
            .prop_map(|t| t.and_then(|(s, n)| DateTime::from_timestamp(s, n)))
    }

    fn number() -> impl Strategy<Value = Option<f64>> {
        prop::option::of(-1e12f64..1e12)
    }

    /// A draft with these texts (in [`slot`] order), written through `buffers` as the lanes
    /// write them.
    fn draft_through(
        buffers: &mut Buffers,
        texts: &[Option<String>],
        tags: &[String],
        agent: bool,
    ) -> CallDraft {
        let mut t = |i: usize| texts.get(i).cloned().flatten().map(|s| buffers.text(i, &s));
        let mut d = CallDraft {
            provider: Some(Provider::Twilio),
            provider_call_id: t(slot::CALL_ID),
            tenant: t(slot::TENANT),
            raw_status: t(slot::RAW_STATUS),
            agent: agent.then(|| Agent {
                id: t(slot::AGENT_ID),
                email: t(slot::AGENT_EMAIL),
                name: t(slot::AGENT_NAME),
            }),
            assistant: t(slot::ASSISTANT),
            queue: t(slot::QUEUE),
            customer_number: t(slot::CUSTOMER_NUMBER),
            business_number: t(slot::BUSINESS_NUMBER),
            customer_name: t(slot::CUSTOMER_NAME),
            ended_reason: t(slot::ENDED_RAW).map(|raw| EndedReason {
                category: EndedReasonCategory::CustomerEnded,
                raw,
            }),
            disposition: t(slot::DISPOSITION),
            notes: t(slot::NOTES),
            summary: t(slot::SUMMARY),
            intent: t(slot::INTENT),
            recording_url: t(slot::RECORDING_URL),
            language: t(slot::LANGUAGE),
            ..Default::default()
        };
        let mut list = buffers.tag_list();
        list.extend(tags.iter().map(|tag| buffers.tag(tag)));
        d.tags = list;
        d
    }

    proptest! {
        /// As a lane and a fold use them: drafts written through one set of buffers, packed
        /// in place and recycled; taken through another set, compared and recycled. Every
        /// draft comes back equal to the one written, whatever the previous drafts left in
        /// the buffers.
        #[test]
        fn drafts_through_reused_buffers_come_back_equal(
            calls in prop::collection::vec(
                (
                    prop::collection::vec(text(), 18),
                    prop::collection::vec("[a-zé]{0,5}", 0..4),
                    any::<bool>(),
                ),
                1..6,
            ),
        ) {
            let (mut lane, mut fold) = (Buffers::default(), Buffers::default());
            for (texts, tags, agent) in &calls {
                let expected = draft_through(&mut Buffers::default(), texts, tags, *agent);
                let mut d = draft_through(&mut lane, texts, tags, *agent);
                prop_assert_eq!(&d, &expected);
                let mut p = PackedDraft::pack_from(&mut d, Some("$.calls[7]"));
                lane.recycle_draft(&mut d);
                let mut back = p.take(&mut fold);
                prop_assert_eq!(&back, &expected);
                // read, not moved out: the compact form still tells its path
                prop_assert_eq!(p.path(), Some("$.calls[7]"));
                fold.recycle_draft(&mut back);
            }
        }

        #[test]
        fn random_drafts_come_back_equal(
            texts in prop::collection::vec(text(), 18),
            times in prop::collection::vec(instant(), 3),
            numbers in prop::collection::vec(number(), 5),
            precedence in any::<u64>(),
            agent in any::<bool>(),
            ended in prop::option::of(prop::sample::select(EndedReasonCategory::ALL.to_vec())),
            direction in prop::option::of(prop::sample::select(Direction::ALL.to_vec())),
            outcome in prop::option::of(prop::sample::select(Outcome::ALL.to_vec())),
            provider in prop::option::of(prop::sample::select(Provider::ALL.to_vec())),
            tags in prop::collection::vec("[a-z]{0,5}", 0..4),
            extra in prop::collection::vec(("[a-z_]{1,6}", "[a-z ]{0,6}"), 0..4),
            path in "\\$(\\.[a-z]{1,5}\\[[0-9]{1,3}\\])?",
        ) {
            let t = |i: usize| texts[i].clone();
            let d = CallDraft {
                provider,
                provider_call_id: t(0),
                precedence,
                tenant: t(1),
                direction,
                outcome,
                raw_status: t(2),
                started_at: times[0],
                answered_at: times[1],
                ended_at: times[2],
                duration_s: numbers[0],
                talk_s: numbers[1],
                wait_s: numbers[2],
                wrap_up_s: numbers[3],
                agent: agent.then(|| Agent { id: t(3), email: t(4), name: t(5) }),
                assistant: t(6),
                queue: t(7),
                customer_number: t(8),
                business_number: t(9),
                customer_name: t(10),
                ended_reason: ended.map(|category| EndedReason { category, raw: t(11).unwrap_or_default() }),
                disposition: t(12),
                notes: t(13),
                tags,
                summary: t(14),
                intent: t(15),
                recording_url: t(16),
                cost: numbers[4],
                language: t(17),
                extra: extra.into_iter().map(|(k, v)| (k, Value::String(v))).collect(),
                ..Default::default()
            };
            let mut p = PackedDraft::pack_from(&mut d.clone(), Some(&path));
            prop_assert_eq!(p.provider(), d.provider);
            prop_assert_eq!(p.call_id(), d.provider_call_id.as_deref());
            if let PackedDraft::Compact(c) = &p {
                prop_assert_eq!(p.path(), Some(path.as_str()));
                // sized exactly: a length and the bytes of each text
                // (the agent's texts only with an agent; the ended reason's raw word, maybe
                // empty, only with an ended reason)
                // (a length below 64 takes a byte, below 4096 two)
                let text = |t: &str| if t.len() < 64 { 1 } else { 2 } + t.len();
                let bytes: usize = texts.iter().enumerate().map(|(i, t)| match (i, t) {
                    (3..=5, Some(t)) if agent => text(t),
                    (3..=5, _) => 0,
                    (11, t) if ended.is_some() => text(t.as_deref().unwrap_or_default()),
                    (11, _) => 0,
                    (_, Some(t)) => text(t),
                    (_, None) => 0,
                }).sum::<usize>()
                    + d.tags.iter().map(|t| text(t)).sum::<usize>()
                    + d.extra.iter().map(|(k, v)| text(k) + 1 + text(v.as_str().unwrap_or_default())).sum::<usize>();
                let scalars = times.iter().flatten().count() * TIME_BYTES
                    + numbers.iter().flatten().count() * NUMBER_BYTES;
                prop_assert_eq!(c.len(), HEADER + scalars + bytes + text(&path));
            }
            // a look leaves the draft as it was, compact or whole
            prop_assert_eq!(p.peek(&mut Buffers::default()), d.clone());
            prop_assert_eq!(p.peek(&mut Buffers::default()), d.clone());
            prop_assert_eq!(p.take(&mut Buffers::default()), d.clone());
            // a compact draft is read in place (the same draft again); a whole one is moved
            // out (an empty draft is left)
            let compact = matches!(p, PackedDraft::Compact(_));
            prop_assert_eq!(p.take(&mut Buffers::default()), if compact { d.clone() } else { CallDraft::default() });
            let taken = PackedDraft::taken();
            prop_assert_eq!(taken.provider(), None);
            prop_assert_eq!(taken.call_id(), None);
            prop_assert_eq!(taken.path(), None);
            prop_assert_eq!(PackedDraft::taken().unpack(), CallDraft::default());
        }
    }
}
