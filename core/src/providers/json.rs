//! Small helpers to read JSON objects with paths for error messages.

use serde::de::{Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::borrow::Cow;
use std::fmt;

/// A JSON value with the path it was found at.
#[derive(Debug, Clone, Copy)]
pub struct Node<'a> {
    /// The value.
    pub value: &'a Value,
    path: &'a str,
}

impl<'a> Node<'a> {
    /// Wrap a value found at `path`.
    pub fn new(value: &'a Value, path: &'a str) -> Self {
        Node { value, path }
    }

    /// The object map, if the value is an object.
    pub fn obj(&self) -> Option<&'a Map<String, Value>> {
        self.value.as_object()
    }

    /// The raw child value.
    pub fn raw(&self, key: &str) -> Option<&'a Value> {
        self.value.get(key)
    }

    /// The path of a child.
    pub fn path_of(&self, key: &str) -> String {
        child_path(self.path, key)
    }

    /// A non-empty string child (numbers and booleans are written as text).
    pub fn string(&self, key: &str) -> Option<String> {
        as_text(self.value.get(key)?)
    }

    /// A child object with its path, for descending. The path string is returned alongside
    /// because a [`Node`] borrows its path.
    pub fn child(&self, key: &str) -> Option<(&'a Value, String)> {
        let v = self.value.get(key)?;
        (!v.is_null()).then(|| (v, self.path_of(key)))
    }

    /// The node's path.
    pub fn path(&self) -> &str {
        self.path
    }
}

/// A value as text: strings trimmed and non-empty, numbers and booleans printed.
pub fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => {
            let t = trimmed(s);
            (!t.is_empty()).then(|| t.to_string())
        }
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// `s.trim()`, without decoding characters when both ends are visible ASCII (most values):
/// every Unicode white space character is either ASCII at or below the space or not ASCII.
#[inline]
pub(crate) fn trimmed(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(0x21..=0x7e), Some(0x21..=0x7e)) => s,
        _ => s.trim(),
    }
}

/// Copy every field of `obj` whose key is not in `used` into `extra`.
pub fn keep_rest(obj: &Map<String, Value>, used: &[&str], extra: &mut Map<String, Value>) {
    if extra.is_empty() {
        // room for the fields not used at once (fewer when `used` names absent fields)
        *extra = Map::with_capacity(obj.len().saturating_sub(used.len()));
    }
    for (k, v) in obj {
        if !used.contains(&k.as_str()) {
            extra.insert(k.clone(), v.clone());
        }
    }
}

/// The path of `key` under `base`: `base.key`, or `base["key"]` for a key that is not a plain
/// name.
pub fn child_path(base: &str, key: &str) -> String {
    if key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        format!("{base}.{key}")
    } else {
        format!("{base}[{key:?}]")
    }
}

/// The path of element `index` of the array at `key` under `base`: `base.key[index]`.
pub fn element_path(base: &str, key: &str, index: usize) -> String {
    let mut path = String::with_capacity(base.len() + key.len() + 24);
    element_path_in(&mut path, base, key, index);
    path
}

/// [`element_path`], written into `path` (cleared first).
pub(crate) fn element_path_in(path: &mut String, base: &str, key: &str, index: usize) {
    use std::fmt::Write;
    path.clear();
    path.push_str(base);
    path.push('.');
    path.push_str(key);
    path.push('[');
    let _ = write!(path, "{index}");
    path.push(']');
}

/// A JSON path built only when a message needs it: `base`, then up to two child keys.
#[derive(Debug, Clone, Copy)]
pub struct At<'a> {
    base: &'a str,
    keys: [Option<&'a str>; 2],
}

impl<'a> At<'a> {
    /// The path `base.key`.
    pub fn child(base: &'a str, key: &'a str) -> Self {
        At {
            base,
            keys: [Some(key), None],
        }
    }

    /// The path `base.outer.key`.
    pub fn grandchild(base: &'a str, outer: &'a str, key: &'a str) -> Self {
        At {
            base,
            keys: [Some(outer), Some(key)],
        }
    }

    /// The path as text.
    pub fn render(&self) -> String {
        let mut path = self.base.to_string();
        for key in self.keys.into_iter().flatten() {
            path = child_path(&path, key);
        }
        path
    }
}

/// A borrowed view of one JSON value that a provider mapping reads, whether it came from a
/// [`serde_json::Value`] (the general path) or from a typed fast-lane field ([`Scalar`]).
/// Every method answers exactly as the same operation on the `Value` would.
#[derive(Debug, Clone, Copy)]
pub enum Field<'a> {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number.
    Num(&'a Number),
    /// A string.
    Str(&'a str),
    /// An array or an object (only from a `Value`).
    Other(&'a Value),
}

impl<'a> Field<'a> {
    /// The view of a value.
    pub fn of(value: &'a Value) -> Self {
        match value {
            Value::Null => Field::Null,
            Value::Bool(b) => Field::Bool(*b),
            Value::Number(n) => Field::Num(n),
            Value::String(s) => Field::Str(s),
            Value::Array(_) | Value::Object(_) => Field::Other(value),
        }
    }

    /// The child `key` of a value (none when the value is not an object).
    pub fn get(value: &'a Value, key: &str) -> Option<Self> {
        value.get(key).map(Field::of)
    }

    /// As [`as_text`]: strings trimmed and non-empty, numbers and booleans printed.
    pub fn text(self) -> Option<String> {
        match self {
            Field::Str(s) => {
                let t = trimmed(s);
                (!t.is_empty()).then(|| t.to_string())
            }
            Field::Num(n) => Some(n.to_string()),
            Field::Bool(b) => Some(b.to_string()),
            Field::Null => None,
            Field::Other(v) => as_text(v),
        }
    }

    /// As [`Field::text`], borrowed from the value where it is a string.
    pub fn text_ref(self) -> Option<Cow<'a, str>> {
        match self {
            Field::Str(s) => {
                let t = trimmed(s);
                (!t.is_empty()).then_some(Cow::Borrowed(t))
            }
            Field::Bool(b) => Some(Cow::Borrowed(if b { "true" } else { "false" })),
            other => other.text().map(Cow::Owned),
        }
    }

    /// Append [`Field::text`] to `out`; false (and `out` unchanged) when there is none.
    pub(crate) fn write_text(self, out: &mut String) -> bool {
        use std::fmt::Write;
        match self {
            Field::Num(n) => write!(out, "{n}").is_ok(),
            other => match other.text_ref() {
                Some(t) => {
                    out.push_str(&t);
                    true
                }
                None => false,
            },
        }
    }

    /// The string, if the value is one (`Value::as_str`).
    pub fn as_str(self) -> Option<&'a str> {
        match self {
            Field::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Whether the value is `null`.
    pub fn is_null(self) -> bool {
        matches!(self, Field::Null)
    }

    /// The value itself.
    pub fn to_value(self) -> Value {
        match self {
            Field::Null => Value::Null,
            Field::Bool(b) => Value::Bool(b),
            Field::Num(n) => Value::Number(n.clone()),
            Field::Str(s) => Value::String(s.to_string()),
            Field::Other(v) => v.clone(),
        }
    }

    /// The short printable form of [`super::short`].
    pub fn short(self) -> String {
        match self {
            Field::Other(v) => super::short(v),
            other => super::short(&other.to_value()),
        }
    }
}

/// A scalar JSON value read by a typed fast-lane struct, borrowing from the input where the
/// text has no escapes. Anything else (an array, an object) fails deserialization, which
/// sends the document to the general path.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Scalar<'a> {
    /// The key was not in the object.
    #[default]
    Absent,
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number, as `serde_json::Value` holds it.
    Num(Number),
    /// A string.
    Str(Cow<'a, str>),
}

impl Scalar<'_> {
    /// The view of the value, `None` when the key was absent (as `Value::get`).
    pub fn field(&self) -> Option<Field<'_>> {
        match self {
            Scalar::Absent => None,
            Scalar::Null => Some(Field::Null),
            Scalar::Bool(b) => Some(Field::Bool(*b)),
            Scalar::Num(n) => Some(Field::Num(n)),
            Scalar::Str(s) => Some(Field::Str(s)),
        }
    }

    /// Whether the key was in the object (`Map::contains_key`).
    pub fn present(&self) -> bool {
        !matches!(self, Scalar::Absent)
    }
}

impl<'de> Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ScalarVisitor)
    }
}

/// A JSON array of scalars read by a fast-lane struct, its first [`Scalars::INLINE`]
/// elements held inline: a short list (JustCall's `call_traits`) allocates nothing. An
/// element that is not a scalar fails deserialization, as for `Vec<Scalar>`.
#[derive(Debug, Default, PartialEq)]
pub struct Scalars<'a> {
    inline: [Scalar<'a>; Scalars::INLINE],
    len: usize,
    more: Vec<Scalar<'a>>,
}

impl<'a> Scalars<'a> {
    /// Elements held without an allocation.
    pub const INLINE: usize = 4;

    /// The elements, in order.
    pub fn iter(&self) -> impl Iterator<Item = &Scalar<'a>> {
        self.inline
            .iter()
            .take(self.len.min(Self::INLINE))
            .chain(&self.more)
    }

    pub(crate) fn push(&mut self, s: Scalar<'a>) {
        match self.inline.get_mut(self.len) {
            Some(slot) => *slot = s,
            None => self.more.push(s),
        }
        self.len += 1;
    }
}

impl<'de> Deserialize<'de> for Scalars<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ListVisitor;
        impl<'de> Visitor<'de> for ListVisitor {
            type Value = Scalars<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of JSON strings, numbers, booleans or nulls")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut list = Scalars::default();
                while let Some(s) = seq.next_element::<Scalar<'de>>()? {
                    list.push(s);
                }
                Ok(list)
            }
        }
        deserializer.deserialize_seq(ListVisitor)
    }
}

/// The visitor of [`Scalar`]: what `Value`'s visitor does for scalars.
#[derive(Debug, Clone, Copy)]
pub struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON string, number, boolean or null")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Scalar::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Scalar::Num(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Scalar::Num(v.into()))
    }
    // as `Value`'s visitor: a float that is not finite becomes null
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Number::from_f64(v).map_or(Scalar::Null, Scalar::Num))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v.to_string())))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v)))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Null)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Null)
    }
}

/// Any JSON value, read through the same parser calls as a [`Value`] (so it is validated
/// exactly as the general path validates it: UTF-8, escapes, number range, nesting depth) but
/// not kept. serde's `IgnoredAny` would skip without those checks.
#[derive(Debug, Clone, Copy, Default)]
pub struct Skip;

impl<'de> Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SkipVisitor;
        impl<'de> Visitor<'de> for SkipVisitor {
            type Value = Skip;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_bool<E>(self, _: bool) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_str<E>(self, _: &str) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_unit<E>(self) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_none<E>(self) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Skip, A::Error> {
                while seq.next_element::<Skip>()?.is_some() {}
                Ok(Skip)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Skip, A::Error> {
                while map.next_key::<Skip>()?.is_some() {
                    map.next_value::<Skip>()?;
                }
                Ok(Skip)
            }
        }
        deserializer.deserialize_any(SkipVisitor)
    }
}

/// Whether a key was in an object, whatever its value (`Map::contains_key`); the value is
/// validated as [`Skip`] does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Seen(pub bool);

impl<'de> Deserialize<'de> for Seen {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Skip::deserialize(deserializer).map(|_| Seen(true))
    }
}

/// Where a fast lane keeps the memory of its last list of calls (a thread-local cell), so that
/// each page's list reuses it: the lane structs are hundreds of bytes each, and a list grown
/// afresh for every page copies them each time it doubles and touches new memory.
pub(crate) trait Spare: 'static {
    /// The element, borrowing from the text read.
    type Item<'a>;
    /// This thread's spare list (empty).
    fn spare() -> &'static std::thread::LocalKey<std::cell::Cell<Vec<Self::Item<'static>>>>;
}

/// `spare_list!(Name, Item)`: a [`Spare`] marker `Name` for lists of `Item<'a>`, with its own
/// thread-local list.
macro_rules! spare_list {
    ($(#[$meta:meta])* $name:ident, $item:ident) => {
        $(#[$meta])*
        struct $name;

        impl $crate::providers::json::Spare for $name {
            type Item<'a> = $item<'a>;
            fn spare() -> &'static std::thread::LocalKey<std::cell::Cell<Vec<$item<'static>>>> {
                thread_local! {
                    static SPARE: std::cell::Cell<Vec<$item<'static>>> =
                        const { std::cell::Cell::new(Vec::new()) };
                }
                &SPARE
            }
        }
    };
}
pub(crate) use spare_list;

/// A JSON list read into the spare list of `L` ([`Spare`]), which gets the memory back when
/// this is dropped.
pub(crate) struct List<'a, L: Spare>(pub Vec<L::Item<'a>>);

impl<L: Spare> fmt::Debug for List<'_, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "List({} elements)", self.0.len())
    }
}

/// Most elements a lane reads into one list: every real API page has far fewer (Twilio's
/// largest page is 1,000 calls; 2^18 JustCall calls of ~1.2 KB would be past the 256 MiB
/// document limit). A longer list is an error, so the lane and serde_json both give up and
/// the general path reads the document: a hostile page of empty objects (`[{}, {}, ...]`,
/// 3 bytes each) would otherwise become ~800 bytes of struct per object.
pub(crate) const MAX_LIST: usize = 1 << 18;

/// Bytes of list memory a thread keeps for the next page ([`Spare`]).
const SPARE_BYTES: usize = 4 << 20;

impl<L: Spare> Drop for List<'_, L> {
    fn drop(&mut self) {
        let list = std::mem::take(&mut self.0);
        if list
            .capacity()
            .saturating_mul(std::mem::size_of::<L::Item<'_>>())
            <= SPARE_BYTES
        {
            L::spare().set(relaid(list));
        }
    }
}

/// `list` emptied, as a list of another element type in the same memory when the two types
/// have the same size and alignment (the standard library collects such a list in place; a
/// lane's struct and the same struct of another lifetime always do).
fn relaid<A, B>(mut list: Vec<A>) -> Vec<B> {
    list.clear();
    list.into_iter().filter_map(|_| None).collect()
}

impl<L: Spare> Default for List<'_, L> {
    /// An empty list in this thread's spare memory.
    fn default() -> Self {
        List(relaid(L::spare().take()))
    }
}

impl<'de, L: Spare> Fill<'de> for List<'de, L>
where
    L::Item<'de>: Fill<'de> + Default,
{
    fn fill<D: Deserializer<'de>>(&mut self, deserializer: D) -> Result<(), D::Error> {
        struct ListVisitor<'p, 'de, L: Spare>(&'p mut List<'de, L>);
        impl<'de, L: Spare> Visitor<'de> for ListVisitor<'_, 'de, L>
        where
            L::Item<'de>: Fill<'de> + Default,
        {
            type Value = ();
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON array")
            }
            fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<(), S::Error> {
                self.0.reserve_for(seq.size_hint().unwrap_or(0));
                while seq.next_element_seed(Push(&mut self.0.0))?.is_some() {
                    if self.0.0.len() > MAX_LIST {
                        return Err(serde::de::Error::custom(format!(
                            "a list of more than {MAX_LIST} elements is left to the general path"
                        )));
                    }
                }
                Ok(())
            }
        }
        self.0.clear();
        deserializer.deserialize_seq(ListVisitor::<L>(self))
    }
}

impl<L: Spare> List<'_, L> {
    /// Room for `hint` more elements, as serde makes for a `Vec` on a size hint: never more
    /// than 1 MiB on the hint's word.
    pub(crate) fn reserve_for(&mut self, hint: usize) {
        let cap = (1 << 20) / std::mem::size_of::<L::Item<'_>>().max(1);
        self.0.reserve(hint.min(cap));
    }
}

/// Reading a value into a place that holds `Default::default()`, instead of returning it: the
/// lane structs are large (a JustCall call is ~800 bytes), and a struct returned through
/// each level of the reader is copied at each level. What is read is what
/// [`Deserialize::deserialize`] would give.
///
/// `fill` replaces what `self` held, except for the lane structs (`json_object!`), which must
/// hold their default value: they are only read through `deserialize`, an `Option` or a
/// [`List`], which give them one.
pub(crate) trait Fill<'de> {
    /// Read into `self`.
    fn fill<D: Deserializer<'de>>(&mut self, deserializer: D) -> Result<(), D::Error>;
}

/// Small values are read and moved into place.
macro_rules! fill_by_value {
    ($($ty:ty),*) => {
        $(
            impl<'de> $crate::providers::json::Fill<'de> for $ty {
                fn fill<D: serde::Deserializer<'de>>(&mut self, deserializer: D) -> Result<(), D::Error> {
                    *self = serde::Deserialize::deserialize(deserializer)?;
                    Ok(())
                }
            }
        )*
    };
}
pub(crate) use fill_by_value;

fill_by_value!(Scalar<'de>, Scalars<'de>, Seen);

/// `null` reads as `None`, anything else is read into a default `T`.
impl<'de, T: Fill<'de> + Default> Fill<'de> for Option<T> {
    fn fill<D: Deserializer<'de>>(&mut self, deserializer: D) -> Result<(), D::Error> {
        struct OptionVisitor<'p, T>(&'p mut Option<T>);
        impl<'de, T: Fill<'de> + Default> Visitor<'de> for OptionVisitor<'_, T> {
            type Value = ();
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an optional value")
            }
            fn visit_none<E>(self) -> Result<(), E> {
                *self.0 = None;
                Ok(())
            }
            fn visit_unit<E>(self) -> Result<(), E> {
                *self.0 = None;
                Ok(())
            }
            fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
                self.0.insert(T::default()).fill(deserializer)
            }
        }
        deserializer.deserialize_option(OptionVisitor(self))
    }
}

/// The seed that reads a value into `.0` ([`Fill`]).
pub(crate) struct FillSeed<'p, T>(pub &'p mut T);

impl<'de, T: Fill<'de>> DeserializeSeed<'de> for FillSeed<'_, T> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        self.0.fill(deserializer)
    }
}

/// The seed that reads a list element into a default value pushed onto `.0`.
struct Push<'p, T>(&'p mut Vec<T>);

impl<'de, T: Fill<'de> + Default> DeserializeSeed<'de> for Push<'_, T> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        self.0.push(T::default());
        match self.0.last_mut() {
            Some(element) => element.fill(deserializer),
            None => Ok(()),
        }
    }
}

/// The seed of an object key in a `json_object!` struct: the key's place in `.0` (the
/// struct's keys in field order), or `.0.len()` for a key the struct does not name. A reader
/// that knows the place already (the lane's, for keys in the order it saw last,
/// `providers::lane`) gives it as `visit_u64`; any other gives the key's text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeyIndex(pub &'static [&'static str]);

impl<'de> DeserializeSeed<'de> for KeyIndex {
    type Value = usize;
    #[inline]
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        struct KeyVisitor(&'static [&'static str]);
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = usize;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            #[inline]
            fn visit_u64<E>(self, v: u64) -> Result<usize, E> {
                Ok(usize::try_from(v).map_or(self.0.len(), |i| i.min(self.0.len())))
            }
            fn visit_str<E>(self, v: &str) -> Result<usize, E> {
                Ok(key_index(self.0, v))
            }
        }
        deserializer.deserialize_identifier(KeyVisitor(self.0))
    }
}

/// The place of `key` in `keys` (the first, when a key is named twice), or `keys.len()`.
pub(crate) fn key_index(keys: &[&str], key: &str) -> usize {
    keys.iter().position(|k| *k == key).unwrap_or(keys.len())
}

/// A typed view of a JSON object for a fast lane: the named keys go to their fields, every
/// other key's value is validated and dropped (and `other_keys` set). A repeated key keeps its
/// last value, as a [`Value`] object does. Only an object deserializes (not an array).
macro_rules! json_object {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident<$lt:lifetime> {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty = $key:literal ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Default)]
        $vis struct $name<$lt> {
            $( $(#[$fmeta])* pub $field: $ty, )*
            /// Whether the object had keys the struct does not name.
            pub other_keys: bool,
            _borrow: std::marker::PhantomData<&$lt str>,
        }

        impl<$lt> serde::Deserialize<$lt> for $name<$lt> {
            fn deserialize<D: serde::Deserializer<$lt>>(deserializer: D) -> Result<Self, D::Error> {
                let mut out = $name::default();
                $crate::providers::json::Fill::fill(&mut out, deserializer)?;
                Ok(out)
            }
        }

        impl<$lt> $crate::providers::json::Fill<$lt> for $name<$lt> {
            fn fill<D: serde::Deserializer<$lt>>(&mut self, deserializer: D) -> Result<(), D::Error> {
                struct ObjectVisitor<'p, $lt>(&'p mut $name<$lt>);
                impl<$lt> serde::de::Visitor<$lt> for ObjectVisitor<'_, $lt> {
                    type Value = ();
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str("a JSON object")
                    }
                    fn visit_map<M: serde::de::MapAccess<$lt>>(
                        self,
                        mut map: M,
                    ) -> Result<(), M::Error> {
                        let out = self.0;
                        while let Some(at) = map.next_key_seed($crate::providers::json::KeyIndex($name::KEYS))? {
                            // the field at place `at` of KEYS (a repeated key: its last value,
                            // as each field's `fill` replaces what the field held)
                            let mut place = 0usize;
                            $(
                                if at == place {
                                    map.next_value_seed($crate::providers::json::FillSeed(&mut out.$field))?;
                                    continue;
                                }
                                place += 1;
                            )*
                            let _ = place;
                            out.other_keys = true;
                            map.next_value::<$crate::providers::json::Skip>()?;
                        }
                        Ok(())
                    }
                }
                deserializer.deserialize_struct(stringify!($name), Self::KEYS, ObjectVisitor(self))
            }
        }

        impl<$lt> $crate::providers::lane::LaneFill<$lt> for $name<$lt> {
            fn lane_fill(
                &mut self,
                r: &mut $crate::providers::lane::Reader<$lt>,
            ) -> Result<(), $crate::providers::lane::Bail> {
                r.fill_struct(Self::KEYS, |r, at| {
                    // as `fill` above, straight from the lane's reader
                    let mut place = 0usize;
                    $(
                        if at == place {
                            return $crate::providers::lane::LaneFill::lane_fill(&mut self.$field, r);
                        }
                        place += 1;
                    )*
                    let _ = place;
                    self.other_keys = true;
                    r.skip_value()
                })
            }
        }

        impl<$lt> $name<$lt> {
            /// The keys the struct names, in field order.
            const KEYS: &'static [&'static str] = &[$($key),*];
        }
    };
}
pub(crate) use json_object;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    spare_list!(Numbers, Scalar);

    json_object! {
        struct Inner<'a> {
            a: Scalar<'a> = "a",
            b: Scalar<'a> = "b",
        }
    }

    json_object! {
        struct Outer<'a> {
            inner: Option<Inner<'a>> = "inner",
            list: Option<List<'a, Inners>> = "list",
            seen: Seen = "seen",
        }
    }

    spare_list!(Inners, Inner);

    /// `a` and `b` of an `Inner`.
    type Pair<'a> = (Scalar<'a>, Scalar<'a>);
    /// What an `Outer` holds: `inner`, the list, `seen`, `other_keys`.
    type OuterView<'a> = (Option<Pair<'a>>, Option<Vec<Pair<'a>>>, bool, bool);

    fn outer_view<'a>(o: &Outer<'a>) -> OuterView<'a> {
        let pair = |i: &Inner<'a>| (i.a.clone(), i.b.clone());
        (
            o.inner.as_ref().map(pair),
            o.list.as_ref().map(|l| l.0.iter().map(pair).collect()),
            o.seen.0,
            o.other_keys,
        )
    }

    #[test]
    fn structs_read_in_place_keep_the_last_value_of_a_repeated_key() {
        let s = |v: &'static str| Scalar::Str(v.into());
        let cases: Vec<(&str, OuterView<'_>)> = vec![
            // the second object replaces the first: `a` is gone
            (
                r#"{"inner": {"a": "1"}, "inner": {"b": "2"}}"#,
                (Some((Scalar::Absent, s("2"))), None, false, false),
            ),
            (
                r#"{"inner": {"a": "1"}, "inner": null}"#,
                (None, None, false, false),
            ),
            (
                r#"{"inner": null, "inner": {"a": 1}}"#,
                (
                    Some((Scalar::Num(1.into()), Scalar::Absent)),
                    None,
                    false,
                    false,
                ),
            ),
            // the second list replaces the first
            (
                r#"{"list": [{"a": "x"}, {"b": "y"}], "list": [{"b": "z"}]}"#,
                (None, Some(vec![(Scalar::Absent, s("z"))]), false, false),
            ),
            (
                r#"{"list": [{"a": "x"}], "list": null, "seen": 0, "other": 1}"#,
                (None, None, true, true),
            ),
            (
                r#"{"list": [], "inner": {}}"#,
                (
                    Some((Scalar::Absent, Scalar::Absent)),
                    Some(vec![]),
                    false,
                    false,
                ),
            ),
        ];
        for (text, want) in cases {
            let by_serde_json: Outer<'_> = serde_json::from_str(text).unwrap();
            assert_eq!(outer_view(&by_serde_json), want, "{text}");
            let by_lane: Outer<'_> = crate::providers::lane::from_str(text).unwrap();
            assert_eq!(outer_view(&by_lane), want, "{text}");
            let by_fill: Outer<'_> = crate::providers::lane::fill_str(text).unwrap();
            assert_eq!(outer_view(&by_fill), want, "{text}");
        }
        // a value of the wrong type is an error, as for a derived struct
        for text in [
            r#"{"inner": 1}"#,
            r#"{"list": {}}"#,
            r#"{"list": [1]}"#,
            r#"{"inner": {"a": []}}"#,
        ] {
            assert!(serde_json::from_str::<Outer<'_>>(text).is_err(), "{text}");
            assert!(
                crate::providers::lane::from_str::<Outer<'_>>(text).is_none(),
                "{text}"
            );
            assert!(
                crate::providers::lane::fill_str::<Outer<'_>>(text).is_none(),
                "{text}"
            );
        }
    }

    json_object! {
        struct Keyed<'a> {
            a: Scalar<'a> = "a",
            ab: Scalar<'a> = "ab",
            b: Scalar<'a> = "b",
            c: Seen = "c",
            // keys whose text and closing quote fill one to four words exactly
            seven: Scalar<'a> = "abcdefg",
            longest: Scalar<'a> = "abcdefghijklmnopqrstuvwxyz01234",
        }
    }

    spare_list!(Keyeds, Keyed);

    json_object! {
        struct KeyedPage<'a> {
            list: Option<List<'a, Keyeds>> = "list",
        }
    }

    /// What a `Keyed` holds: `a`, `ab`, `b`, `seven`, `longest`, `c` seen, `other_keys`.
    type KeyedView<'a> = ([Scalar<'a>; 5], bool, bool);

    fn keyed_view<'a>(page: &KeyedPage<'a>) -> Option<Vec<KeyedView<'a>>> {
        page.list.as_ref().map(|l| {
            l.0.iter()
                .map(|k| {
                    let scalars = [&k.a, &k.ab, &k.b, &k.seven, &k.longest].map(Clone::clone);
                    (scalars, k.c.0, k.other_keys)
                })
                .collect()
        })
    }

    #[test]
    fn keys_in_a_new_order_or_a_longer_key_are_not_taken_for_the_last_order() {
        let n = |v: i64| Scalar::Num(v.into());
        // the first object teaches the order a, b; the second starts with "ab" (whose first
        // byte is the learned "a") and swaps the order; the third has a key the struct does
        // not name where "a" was
        let text = r#"{"list": [{"a": 1, "b": 2}, {"ab": 3, "b": 4, "a": 5}, {"d": 6, "b": 7}, {"a": 8, "b": 9}]}"#;
        let no = || Scalar::Absent;
        let want = vec![
            ([n(1), no(), n(2), no(), no()], false, false),
            ([n(5), n(3), n(4), no(), no()], false, false),
            ([no(), no(), n(7), no(), no()], false, true),
            ([n(8), no(), n(9), no(), no()], false, false),
        ];
        let by_serde_json: KeyedPage<'_> = serde_json::from_str(text).unwrap();
        assert_eq!(keyed_view(&by_serde_json), Some(want.clone()));
        // twice: the second reading starts with the order the first one left
        for _ in 0..2 {
            let by_lane: KeyedPage<'_> = crate::providers::lane::from_str(text).unwrap();
            assert_eq!(keyed_view(&by_lane), Some(want.clone()));
            let by_fill: KeyedPage<'_> = crate::providers::lane::fill_str(text).unwrap();
            assert_eq!(keyed_view(&by_fill), Some(want.clone()));
        }
    }

    proptest! {
        #[test]
        fn objects_with_keys_in_any_order_read_as_serde_json_reads_them(
            objects in prop::collection::vec(
                prop::collection::vec(
                    (prop::sample::select(vec![
                        "a", "ab", "b", "c", "d", "b ", "abcdefg", "abcdefgh", "abcdef",
                        "abcdefghijklmnopqrstuvwxyz01234", "abcdefghijklmnopqrstuvwxyz012345",
                        "abcdefghijklmnopqrstuvwxyz0123",
                    ]), 0i64..100),
                    0..8,
                ),
                0..8,
            )
        ) {
            let object = |entries: &Vec<(&str, i64)>| {
                let inner: Vec<String> =
                    entries.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
                format!("{{{}}}", inner.join(", "))
            };
            let list: Vec<String> = objects.iter().map(object).collect();
            let text = format!("{{\"list\": [{}]}}", list.join(", "));
            let by_serde_json: KeyedPage<'_> = serde_json::from_str(&text).unwrap();
            let by_lane: KeyedPage<'_> = crate::providers::lane::from_str(&text).unwrap();
            prop_assert_eq!(keyed_view(&by_lane), keyed_view(&by_serde_json));
            let by_fill: KeyedPage<'_> = crate::providers::lane::fill_str(&text).unwrap();
            prop_assert_eq!(keyed_view(&by_fill), keyed_view(&by_serde_json));
        }
    }

    proptest! {
        /// Entry heads (separator, whitespace, key, colon) remembered from one object and
        /// met again, or met with other spacing, a key in another place, or near the end of
        /// the text: the direct reading gives what serde_json gives.
        #[test]
        fn entries_spaced_any_way_read_as_serde_json_reads_them(
            objects in prop::collection::vec(
                prop::collection::vec(
                    (
                        prop::sample::select(vec!["a", "ab", "b", "c", "abcdefg", "abcdefghijklmnopqrstuvwxyz01234"]),
                        prop::sample::select(vec![",", ", ", ",\n    ", ",\n      ", " ,\t", ",\n\n  "]),
                        prop::sample::select(vec![":", ": ", " :", ":\n ", " : "]),
                        0i64..100,
                    ),
                    0..6,
                ),
                1..6,
            ),
            repeat in 1usize..3,
        ) {
            let object = |entries: &Vec<(&str, &str, &str, i64)>| {
                let mut text = String::from("{");
                for (i, (key, comma, colon, value)) in entries.iter().enumerate() {
                    if i > 0 {
                        text.push_str(comma);
                    }
                    text.push_str(&format!("\n  \"{key}\"{colon}{value}"));
                }
                text + "}"
            };
            // each object as generated, `repeat` times in a row: heads are learned, then met
            let list: Vec<String> = objects
                .iter()
                .flat_map(|o| std::iter::repeat_n(object(o), repeat))
                .collect();
            let text = format!("{{\"list\": [{}]}}", list.join(", "));
            let by_serde_json: KeyedPage<'_> = serde_json::from_str(&text).unwrap();
            let by_fill: KeyedPage<'_> = crate::providers::lane::fill_str(&text).unwrap();
            prop_assert_eq!(keyed_view(&by_fill), keyed_view(&by_serde_json));
            // one object alone (its last entries near the end of the text)
            let last = format!("{{\"list\": [{}]}}", list.last().cloned().unwrap_or_default());
            let by_serde_json: KeyedPage<'_> = serde_json::from_str(&last).unwrap();
            let by_fill: KeyedPage<'_> = crate::providers::lane::fill_str(&last).unwrap();
            prop_assert_eq!(keyed_view(&by_fill), keyed_view(&by_serde_json));
        }
    }

    json_object! {
        /// Every kind of field a lane struct has.
        struct Mixed<'a> {
            a: Scalar<'a> = "a",
            b: Scalar<'a> = "b",
            inner: Option<Inner<'a>> = "inner",
            list: Option<List<'a, Inners>> = "list",
            scalars: Option<Scalars<'a>> = "scalars",
            seen: Seen = "seen",
        }
    }

    /// What a `Mixed` holds, printed (a list's elements one by one).
    fn mixed_view(m: &Mixed<'_>) -> String {
        let list = m
            .list
            .as_ref()
            .map(|l| l.0.iter().map(|i| format!("{i:?}")).collect::<Vec<_>>());
        format!(
            "{:?} {:?} {:?} {list:?} {:?} {:?} {}",
            m.a, m.b, m.inner, m.scalars, m.seen, m.other_keys
        )
    }

    /// Any JSON value, small, its objects keyed by some of `Mixed`'s keys.
    fn any_json() -> impl Strategy<Value = Value> {
        let keys =
            prop::sample::select(vec!["a", "b", "x", "list", "inner"]).prop_map(String::from);
        crate::providers::lane::json_keyed(keys, 3, 24)
    }

    #[test]
    fn the_direct_reading_gives_up_where_the_serde_reading_does() {
        let deep = format!(r#"{{"seen": {}{}}}"#, "[".repeat(120), "]".repeat(120));
        let cases = [
            (r#"{"other": {"k\n": 1}, "a": 1}"#, false),
            (r#"{"other": ["x", {"k": "\u00e9"}]}"#, false),
            (r#"{"seen": 1e400}"#, false),
            (
                r#"{"seen": {"a": [1, {"b": null}], "c": -2.5e3}, "a": "x", "b": false}"#,
                true,
            ),
            (
                r#"{"seen": -5, "a": 2.5, "other": [true, null, "\t"]}"#,
                true,
            ),
            (r#"{"a": {"x": 1}}"#, false),
            (r#"{"a": [1]}"#, false),
            (r#"{"inner": null, "list": null, "scalars": null}"#, true),
            (
                r#"{"scalars": [1, "a", null, true, false, 2.5, 3, 4], "list": [{"a": 1}, {"b": "\t"}]}"#,
                true,
            ),
            (r#"{"scalars": [[1]]}"#, false),
            (r#"{"other": tru}"#, false),
            (r#"{"other": [1,]}"#, false),
            (&deep, false),
        ];
        for (text, reads) in cases {
            let by_serde: Option<Mixed<'_>> = crate::providers::lane::from_str(text);
            let by_fill: Option<Mixed<'_>> = crate::providers::lane::fill_str(text);
            assert_eq!(by_fill.is_some(), reads, "{text}");
            assert_eq!(
                by_fill.as_ref().map(mixed_view),
                by_serde.as_ref().map(mixed_view),
                "{text}"
            );
        }
    }

    proptest! {
        /// The lane's direct reading ([`lane::fill_str`]) gives what its serde reading gives,
        /// and gives up where it gives up, on objects with every kind of field holding any
        /// value (of the right type or not), laid out compactly or pretty, and mutated.
        #[test]
        fn the_direct_reading_is_the_serde_reading(
            entries in prop::collection::vec(
                (prop::sample::select(vec!["a", "b", "inner", "list", "scalars", "seen", "other"]), any_json()),
                0..8,
            ),
            pretty in any::<bool>(),
            mutate in prop::option::of((any::<prop::sample::Index>(), prop::sample::select(b"{}[],:\"\\ 0-.eEtfnu".to_vec()))),
        ) {
            let object = Value::Object(entries.into_iter().map(|(k, v)| (k.to_string(), v)).collect());
            let text = if pretty {
                serde_json::to_string_pretty(&object).unwrap()
            } else {
                serde_json::to_string(&object).unwrap()
            };
            let mut bytes = text.into_bytes();
            if let Some((at, byte)) = mutate {
                let i = at.index(bytes.len());
                bytes[i] = byte;
            }
            let Ok(text) = std::str::from_utf8(&bytes) else {
                return Ok(());
            };
            let by_serde: Option<Mixed<'_>> = crate::providers::lane::from_str(text);
            let by_fill: Option<Mixed<'_>> = crate::providers::lane::fill_str(text);
            prop_assert_eq!(by_fill.as_ref().map(mixed_view), by_serde.as_ref().map(mixed_view), "{}", text);
            if let Some(read) = &by_fill {
                let reference: Mixed<'_> = serde_json::from_str(text).unwrap();
                prop_assert_eq!(mixed_view(read), mixed_view(&reference));
            }
        }
    }

    #[test]
    fn a_list_reads_as_a_vec_and_its_memory_is_reused() {
        fn read(text: &str) -> Result<List<'_, Numbers>, serde_json::Error> {
            let mut list = List::default();
            list.fill(&mut serde_json::Deserializer::from_str(text))?;
            Ok(list)
        }
        let text = String::from(r#"["a", 1, null, "b"]"#);
        let list = read(&text).unwrap();
        let want: Vec<Scalar<'_>> = serde_json::from_str(&text).unwrap();
        assert_eq!(list.0, want);
        let (at, capacity) = (list.0.as_ptr() as usize, list.0.capacity());
        drop(list);
        // the next list, of a text that lives less long, starts in the same memory
        let shorter = String::from("[true]");
        let next = read(&shorter).unwrap();
        assert_eq!(next.0, vec![Scalar::Bool(true)]);
        assert_eq!(
            (next.0.as_ptr() as usize, next.0.capacity()),
            (at, capacity)
        );
        assert!(read(r#"{"a": 1}"#).is_err());
    }

    #[test]
    fn a_list_longer_than_max_list_is_refused_by_both_readers() {
        let list = |n: usize| format!("[{}]", vec!["1"; n].join(","));
        let fits = list(MAX_LIST);
        let mut by_serde_json = List::<Numbers>::default();
        by_serde_json
            .fill(&mut serde_json::Deserializer::from_str(&fits))
            .unwrap();
        assert_eq!(by_serde_json.0.len(), MAX_LIST);
        let too_long = list(MAX_LIST + 1);
        let mut again = List::<Numbers>::default();
        assert!(
            again
                .fill(&mut serde_json::Deserializer::from_str(&too_long))
                .is_err()
        );
        // through the lane, inside an object as a page holds it
        let page = |items: &str| format!(r#"{{"list": {items}}}"#);
        assert!(crate::providers::lane::from_str::<Outer<'_>>(&page("[{}]")).is_some());
        assert!(crate::providers::lane::fill_str::<Outer<'_>>(&page("[{}]")).is_some());
        let hostile = page(&format!("[{}]", vec!["{}"; MAX_LIST + 1].join(",")));
        assert!(crate::providers::lane::from_str::<Outer<'_>>(&hostile).is_none());
        assert!(crate::providers::lane::fill_str::<Outer<'_>>(&hostile).is_none());
        assert!(serde_json::from_str::<Outer<'_>>(&hostile).is_err());
    }

    #[test]
    fn scalars_keep_every_element_in_order_inline_or_not() {
        fn read(text: &str) -> Result<Vec<Scalar<'_>>, serde_json::Error> {
            let list: Scalars<'_> = serde_json::from_str(text)?;
            Ok(list.iter().cloned().collect())
        }
        assert_eq!(read("[]").unwrap(), Vec::new());
        let six = read(r#"[1, "a", null, true, "b", "c"]"#).unwrap();
        let want: Vec<Scalar<'_>> =
            serde_json::from_str(r#"[1, "a", null, true, "b", "c"]"#).unwrap();
        assert_eq!(six.len(), 6);
        assert_eq!(six, want);
        assert_eq!(six[4], Scalar::Str("b".into()));
        // not a scalar, or not an array: an error, as for a Vec of scalars
        assert!(read(r#"["a", {}]"#).is_err());
        assert!(read(r#""a""#).is_err());
    }

    #[test]
    fn trimmed_is_trim() {
        for (s, want) in [
            ("", ""),
            ("a", "a"),
            ("  a b  ", "a b"),
            ("\ta\n", "a"),
            ("\u{a0}a\u{3000}", "a"),
            ("\u{2028}", ""),
            ("~x~", "~x~"),
            ("\u{7f}x", "\u{7f}x"),
            ("é ", "é"),
        ] {
            assert_eq!(trimmed(s), want, "{s:?}");
        }
    }

    proptest! {
        #[test]
        fn trimmed_agrees_with_trim(s in "[ \t\n\r\u{b}\u{c}\u{85}\u{a0}\u{2000}-\u{200b}\u{3000}a-z~!\u{7f}é]{0,8}") {
            prop_assert_eq!(trimmed(&s), s.trim());
        }
    }
}
