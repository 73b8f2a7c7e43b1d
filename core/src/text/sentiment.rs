//! VADER sentiment, at parity with the reference Python implementation vaderSentiment 3.3.2.
//!
//! The rules (negation, boosters and dampeners, `but`, capitals, `!`/`?` emphasis, the `no`,
//! `least` and `kind of` special cases, idioms, emoji descriptions) follow vaderSentiment's
//! documented behaviour, including its quirks, so that the compound score is identical to four
//! decimals. The lexicon is pluggable: [`SentimentLexicon`] holds the word valences, emoji
//! descriptions, negation words and boosters, and can be built for any language.
//!
//! The English lexicon files `vader_lexicon.txt` and `emoji_utf8_lexicon.txt` are embedded from
//! `core/data/vader/` (MIT license, copyright C.J. Hutto, see `core/data/vader/LICENSE.txt`).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

const VADER_LEXICON: &str = include_str!("../../data/vader/vader_lexicon.txt");
const VADER_EMOJI_LEXICON: &str = include_str!("../../data/vader/emoji_utf8_lexicon.txt");

/// Mean intensity increase of a booster word.
const B_INCR: f64 = 0.293;
/// Mean intensity decrease of a dampener word.
const B_DECR: f64 = -0.293;
/// Intensity increase of an ALL-CAPS word among mixed-case words.
const C_INCR: f64 = 0.733;
/// Negation scalar.
const N_SCALAR: f64 = -0.74;
/// Normalization constant of the compound score.
const ALPHA: f64 = 15.0;

#[rustfmt::skip]
const ENGLISH_NEGATIONS: &[&str] = &[
    "aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt", "ain't", "aren't",
    "can't", "couldn't", "daren't", "didn't", "doesn't", "dont", "hadnt", "hasnt", "havent",
    "isnt", "mightnt", "mustnt", "neither", "don't", "hadn't", "hasn't", "haven't", "isn't",
    "mightn't", "mustn't", "neednt", "needn't", "never", "none", "nope", "nor", "not", "nothing",
    "nowhere", "oughtnt", "shant", "shouldnt", "uhuh", "wasnt", "werent", "oughtn't", "shan't",
    "shouldn't", "uh-uh", "wasn't", "weren't", "without", "wont", "wouldnt", "won't", "wouldn't",
    "rarely", "seldom", "despite",
];

#[rustfmt::skip]
const ENGLISH_BOOSTERS_UP: &[&str] = &[
    "absolutely", "amazingly", "awfully", "completely", "considerable", "considerably",
    "decidedly", "deeply", "effing", "enormous", "enormously", "entirely", "especially",
    "exceptional", "exceptionally", "extreme", "extremely", "fabulously", "flipping", "flippin",
    "frackin", "fracking", "fricking", "frickin", "frigging", "friggin", "fully", "fuckin",
    "fucking", "fuggin", "fugging", "greatly", "hella", "highly", "hugely", "incredible",
    "incredibly", "intensely", "major", "majorly", "more", "most", "particularly", "purely",
    "quite", "really", "remarkably", "so", "substantially", "thoroughly", "total", "totally",
    "tremendous", "tremendously", "uber", "unbelievably", "unusually", "utter", "utterly", "very",
];

#[rustfmt::skip]
const ENGLISH_BOOSTERS_DOWN: &[&str] = &[
    "almost", "barely", "hardly", "just enough", "kind of", "kinda", "kindof", "kind-of", "less",
    "little", "marginal", "marginally", "occasional", "occasionally", "partly", "scarce",
    "scarcely", "slight", "slightly", "somewhat", "sort of", "sorta", "sortof", "sort-of",
];

/// Idioms and phrases that contain lexicon words and override their valence.
const SPECIAL_CASES: &[(&str, &str, &str, f64)] = &[
    // (first, second, third or "", valence); "badass" is a single word and never matches a
    // two- or three-word sequence, exactly as in the reference.
    ("the", "shit", "", 3.0),
    ("the", "bomb", "", 3.0),
    ("bad", "ass", "", 1.5),
    ("bus", "stop", "", 0.0),
    ("yeah", "right", "", -2.0),
    ("kiss", "of", "death", -1.5),
    ("to", "die", "for", 3.0),
    ("beating", "heart", "", 3.5),
];

/// FNV-1a: a fast hasher for the short keys of the lexicon (no HashDoS concern: the keys are
/// fixed data, and a query only looks up).
#[derive(Debug, Clone, Copy)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut hash = self.0;
        for byte in bytes {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }
}

/// The hash builder of the text maps.
pub type FnvBuild = BuildHasherDefault<Fnv>;

/// A sentiment lexicon: word valences (-4 to +4), emoji descriptions, negation words, boosters.
///
/// [`SentimentLexicon::english`] is VADER's. For another language, build one with
/// [`SentimentLexicon::from_vader_text`] (VADER's tab-separated format) or deserialize it from
/// JSON (`{"words": {...}, "negations": [...], "boosters": {...}, "emojis": {...},
/// "contrast": "pero"}`). Words are matched in lower case.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SentimentLexicon {
    /// Word (lower case) -> valence.
    pub words: HashMap<String, f64, FnvBuild>,
    /// Emoji character -> its textual description (scored with `words`). Fill it before the
    /// first scoring: whether any key is ASCII is remembered then.
    pub emojis: HashMap<char, String, FnvBuild>,
    /// Negation words (lower case). Words containing `n't` also negate.
    pub negations: HashSet<String, FnvBuild>,
    /// Booster (positive) and dampener (negative) words and two-word phrases, lower case.
    pub boosters: HashMap<String, f64, FnvBuild>,
    /// The contrastive conjunction (`but`): sentiment before it counts half, after it 1.5 times.
    pub contrast: String,
    /// Whether an emoji key is ASCII (then ASCII texts must be scanned too); computed once.
    #[serde(skip)]
    ascii_emoji: OnceLock<bool>,
}

impl SentimentLexicon {
    /// Builds a lexicon from VADER-format text: one `word<TAB>valence[<TAB>...]` per line, and
    /// one `emoji<TAB>description` per line. Negations and boosters start empty; `contrast` is
    /// `but`. Lines that do not parse are skipped.
    pub fn from_vader_text(lexicon: &str, emoji_lexicon: &str) -> Self {
        let mut words = HashMap::default();
        // like the reference: strip each line, the first two tab fields, a later duplicate wins
        for line in lexicon.trim_end_matches('\n').split('\n') {
            let line = py_strip(line);
            if line.is_empty() {
                continue;
            }
            let mut fields = line.split('\t');
            if let (Some(word), Some(measure)) = (fields.next(), fields.next())
                && let Ok(value) = measure.trim().parse::<f64>()
            {
                words.insert(word.to_string(), value);
            }
        }
        let mut emojis = HashMap::default();
        for line in emoji_lexicon.trim_end_matches('\n').split('\n') {
            let mut fields = py_strip(line).split('\t');
            if let (Some(emoji), Some(description)) = (fields.next(), fields.next()) {
                // the reference looks emojis up one character at a time: only one-character
                // keys can ever match
                let mut chars = emoji.chars();
                if let (Some(c), None) = (chars.next(), chars.next()) {
                    emojis.insert(c, description.to_string());
                }
            }
        }
        SentimentLexicon {
            words,
            emojis,
            negations: HashSet::default(),
            boosters: HashMap::default(),
            contrast: "but".to_string(),
            ascii_emoji: OnceLock::new(),
        }
    }

    /// VADER's English lexicon, emoji descriptions, negations and boosters (built once).
    pub fn english() -> &'static SentimentLexicon {
        static ENGLISH: OnceLock<SentimentLexicon> = OnceLock::new();
        ENGLISH.get_or_init(|| {
            let mut lexicon = SentimentLexicon::from_vader_text(VADER_LEXICON, VADER_EMOJI_LEXICON);
            lexicon.negations = ENGLISH_NEGATIONS.iter().map(|w| w.to_string()).collect();
            lexicon.boosters = ENGLISH_BOOSTERS_UP
                .iter()
                .map(|w| (w.to_string(), B_INCR))
                .chain(
                    ENGLISH_BOOSTERS_DOWN
                        .iter()
                        .map(|w| (w.to_string(), B_DECR)),
                )
                .collect();
            lexicon
        })
    }

    fn valence(&self, word: &str) -> Option<f64> {
        self.words.get(word).copied()
    }

    fn has(&self, word: &str) -> bool {
        self.words.contains_key(word)
    }

    fn booster(&self, word: &str) -> Option<f64> {
        self.boosters.get(word).copied()
    }

    fn booster_pair(&self, first: &str, second: &str) -> Option<f64> {
        if self.boosters.is_empty() {
            return None;
        }
        // "first second" in a stack buffer: this runs for most lexicon words
        let mut buffer = [0u8; 64];
        let length = first.len() + 1 + second.len();
        let key = buffer.get_mut(..length)?;
        key[..first.len()].copy_from_slice(first.as_bytes());
        key[first.len()] = b' ';
        key[first.len() + 1..].copy_from_slice(second.as_bytes());
        std::str::from_utf8(key)
            .ok()
            .and_then(|key| self.booster(key))
    }

    fn negated(&self, word_lower: &str) -> bool {
        self.negations.contains(word_lower) || word_lower.contains("n't")
    }
}

/// The four VADER scores of a text.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Polarity {
    /// Normalized sum of valences in [-1, 1], rounded to 4 decimals (Python `round`).
    pub compound: f64,
    /// Share of positive sentiment, rounded to 3 decimals.
    pub pos: f64,
    /// Share of neutral words, rounded to 3 decimals.
    pub neu: f64,
    /// Share of negative sentiment, rounded to 3 decimals.
    pub neg: f64,
}

impl Polarity {
    /// `positive` (compound >= 0.05), `negative` (<= -0.05) or `neutral`.
    pub fn label(&self) -> SentimentLabel {
        SentimentLabel::of(self.compound)
    }
}

/// The sentiment class of a compound score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SentimentLabel {
    /// compound >= 0.05
    Positive,
    /// -0.05 < compound < 0.05
    Neutral,
    /// compound <= -0.05
    Negative,
}

impl SentimentLabel {
    /// The label of a compound score.
    pub fn of(compound: f64) -> Self {
        if compound >= 0.05 {
            SentimentLabel::Positive
        } else if compound <= -0.05 {
            SentimentLabel::Negative
        } else {
            SentimentLabel::Neutral
        }
    }

    /// `positive`, `neutral` or `negative`.
    pub fn as_str(self) -> &'static str {
        match self {
            SentimentLabel::Positive => "positive",
            SentimentLabel::Neutral => "neutral",
            SentimentLabel::Negative => "negative",
        }
    }
}

/// Scores a text with VADER's English lexicon (same as vaderSentiment's `polarity_scores`).
pub fn polarity_scores(text: &str) -> Polarity {
    polarity_scores_with(SentimentLexicon::english(), text)
}

/// Scores a text with the given lexicon.
pub fn polarity_scores_with(lexicon: &SentimentLexicon, text: &str) -> Polarity {
    let replaced = replace_emojis(lexicon, text);
    let text = py_strip(&replaced);
    let words: Vec<&str> = text
        .split(py_is_space)
        .filter(|w| !w.is_empty())
        .map(strip_punc_if_word)
        .collect();
    let lower: Vec<Cow<'_, str>> = words.iter().map(|w| py_lower(w)).collect();
    let lower: Vec<&str> = lower.iter().map(|w| w.as_ref()).collect();
    let is_cap_diff = allcap_differential(&words);

    let mut sentiments: Vec<f64> = Vec::with_capacity(words.len());
    for i in 0..words.len() {
        let item = lower[i];
        if lexicon.booster(item).is_some()
            || (item == "kind" && lower.get(i + 1).is_some_and(|next| *next == "of"))
        {
            sentiments.push(0.0);
            continue;
        }
        sentiments.push(word_valence(lexicon, &words, &lower, i, is_cap_diff));
    }
    but_check(lexicon, &lower, &mut sentiments);
    score_valence(&sentiments, text)
}

/// The valence of word `i` in its context (VADER's `sentiment_valence`).
fn word_valence(
    lexicon: &SentimentLexicon,
    words: &[&str],
    lower: &[&str],
    i: usize,
    is_cap_diff: bool,
) -> f64 {
    let item = lower[i];
    let Some(base) = lexicon.valence(item) else {
        return 0.0;
    };
    let at = |k: usize| -> &str { lower.get(k).copied().unwrap_or("") };
    let mut valence = base;
    // "no" before another lexicon word negates that word instead of counting itself
    if item == "no" && i + 1 < words.len() && lexicon.has(at(i + 1)) {
        valence = 0.0;
    }
    if (i > 0 && at(i - 1) == "no")
        || (i > 1 && at(i - 2) == "no")
        || (i > 2 && at(i - 3) == "no" && (at(i - 1) == "or" || at(i - 1) == "nor"))
    {
        valence = base * N_SCALAR;
    }
    if is_cap_diff && py_is_upper(words[i]) {
        if valence > 0.0 {
            valence += C_INCR;
        } else {
            valence -= C_INCR;
        }
    }
    for start_i in 0..3usize {
        if i > start_i && !lexicon.has(at(i - start_i - 1)) {
            let previous = i - start_i - 1;
            let mut scalar =
                scalar_inc_dec(lexicon, words[previous], at(previous), valence, is_cap_diff);
            if start_i == 1 && scalar != 0.0 {
                scalar *= 0.95;
            }
            if start_i == 2 && scalar != 0.0 {
                scalar *= 0.9;
            }
            valence += scalar;
            valence = negation_check(lexicon, valence, lower, start_i, i);
            if start_i == 2 {
                valence = special_idioms_check(lexicon, valence, lower, i);
            }
        }
    }
    least_check(lexicon, valence, lower, i)
}

fn scalar_inc_dec(
    lexicon: &SentimentLexicon,
    word: &str,
    word_lower: &str,
    valence: f64,
    is_cap_diff: bool,
) -> f64 {
    let Some(mut scalar) = lexicon.booster(word_lower) else {
        return 0.0;
    };
    if valence < 0.0 {
        scalar = -scalar;
    }
    if is_cap_diff && py_is_upper(word) {
        if valence > 0.0 {
            scalar += C_INCR;
        } else {
            scalar -= C_INCR;
        }
    }
    scalar
}

fn negation_check(
    lexicon: &SentimentLexicon,
    valence: f64,
    lower: &[&str],
    start_i: usize,
    i: usize,
) -> f64 {
    let at = |k: usize| -> &str { lower.get(k).copied().unwrap_or("") };
    match start_i {
        0 => {
            if lexicon.negated(at(i - 1)) {
                return valence * N_SCALAR;
            }
        }
        1 => {
            if at(i - 2) == "never" && (at(i - 1) == "so" || at(i - 1) == "this") {
                return valence * 1.25;
            } else if at(i - 2) == "without" && at(i - 1) == "doubt" {
                return valence;
            } else if lexicon.negated(at(i - 2)) {
                return valence * N_SCALAR;
            }
        }
        _ => {
            // the reference's precedence: (never and (so or this)) or (so or this right before)
            if (at(i - 3) == "never" && (at(i - 2) == "so" || at(i - 2) == "this"))
                || (at(i - 1) == "so" || at(i - 1) == "this")
            {
                return valence * 1.25;
            } else if at(i - 3) == "without" && (at(i - 2) == "doubt" || at(i - 1) == "doubt") {
                return valence;
            } else if lexicon.negated(at(i - 3)) {
                return valence * N_SCALAR;
            }
        }
    }
    valence
}

fn special_idioms_check(
    lexicon: &SentimentLexicon,
    mut valence: f64,
    lower: &[&str],
    i: usize,
) -> f64 {
    let at = |k: usize| -> &str { lower.get(k).copied().unwrap_or("") };
    let (w3, w2, w1, w0) = (at(i - 3), at(i - 2), at(i - 1), at(i));
    let pair = |a: &str, b: &str| {
        SPECIAL_CASES
            .iter()
            .find(|(x, y, z, _)| z.is_empty() && *x == a && *y == b)
            .map(|case| case.3)
    };
    let triple = |a: &str, b: &str, c: &str| {
        SPECIAL_CASES
            .iter()
            .find(|(x, y, z, _)| !z.is_empty() && *x == a && *y == b && *z == c)
            .map(|case| case.3)
    };
    // first match of: onezero, twoonezero, twoone, threetwoone, threetwo
    if let Some(value) = pair(w1, w0)
        .or_else(|| triple(w2, w1, w0))
        .or_else(|| pair(w2, w1))
        .or_else(|| triple(w3, w2, w1))
        .or_else(|| pair(w3, w2))
    {
        valence = value;
    }
    if lower.len() > i + 1
        && let Some(value) = pair(w0, at(i + 1))
    {
        valence = value;
    }
    if lower.len() > i + 2
        && let Some(value) = triple(w0, at(i + 1), at(i + 2))
    {
        valence = value;
    }
    // two-word boosters such as "kind of" (a three-word sequence never is one)
    if let Some(value) = lexicon.booster_pair(w3, w2) {
        valence += value;
    }
    if let Some(value) = lexicon.booster_pair(w2, w1) {
        valence += value;
    }
    valence
}

fn least_check(lexicon: &SentimentLexicon, valence: f64, lower: &[&str], i: usize) -> f64 {
    let at = |k: usize| -> &str { lower.get(k).copied().unwrap_or("") };
    if i > 0 && at(i - 1) == "least" && !lexicon.has("least") {
        if i > 1 {
            if at(i - 2) != "at" && at(i - 2) != "very" {
                return valence * N_SCALAR;
            }
        } else {
            return valence * N_SCALAR;
        }
    }
    valence
}

/// The contrastive-conjunction rule, reproducing the reference's list walk exactly: each
/// element is located by *value* (the first equal element), so repeated values are scaled at
/// the first position that holds them.
fn but_check(lexicon: &SentimentLexicon, lower: &[&str], sentiments: &mut [f64]) {
    let Some(bi) = lower.iter().position(|w| *w == lexicon.contrast) else {
        return;
    };
    for k in 0..sentiments.len() {
        let value = sentiments[k];
        let si = sentiments.iter().position(|s| *s == value).unwrap_or(k);
        if si < bi {
            sentiments[si] = value * 0.5;
        } else if si > bi {
            sentiments[si] = value * 1.5;
        }
    }
}

fn score_valence(sentiments: &[f64], text: &str) -> Polarity {
    if sentiments.is_empty() {
        return Polarity {
            compound: 0.0,
            pos: 0.0,
            neu: 0.0,
            neg: 0.0,
        };
    }
    // plain left-to-right addition, as CPython's sum() up to 3.11
    let mut sum_s = sentiments.iter().fold(0.0f64, |acc, s| acc + s);
    let punct = punctuation_emphasis(text);
    if sum_s > 0.0 {
        sum_s += punct;
    } else if sum_s < 0.0 {
        sum_s -= punct;
    }
    let compound = normalize(sum_s);
    let (mut pos_sum, mut neg_sum, mut neu_count) = (0.0f64, 0.0f64, 0u32);
    for &s in sentiments {
        if s > 0.0 {
            pos_sum += s + 1.0;
        }
        if s < 0.0 {
            neg_sum += s - 1.0;
        }
        if s == 0.0 {
            neu_count += 1;
        }
    }
    if pos_sum > neg_sum.abs() {
        pos_sum += punct;
    } else if pos_sum < neg_sum.abs() {
        neg_sum -= punct;
    }
    let total = pos_sum + neg_sum.abs() + f64::from(neu_count);
    Polarity {
        compound: py_round(compound, 4),
        pos: py_round((pos_sum / total).abs(), 3),
        neu: py_round((f64::from(neu_count) / total).abs(), 3),
        neg: py_round((neg_sum / total).abs(), 3),
    }
}

fn punctuation_emphasis(text: &str) -> f64 {
    let (mut exclamations, mut questions) = (0u32, 0u32);
    for byte in text.bytes() {
        match byte {
            b'!' => exclamations += 1,
            b'?' => questions += 1,
            _ => {}
        }
    }
    let ep = f64::from(exclamations.min(4)) * 0.292;
    let qm = if questions > 1 {
        if questions <= 3 {
            f64::from(questions) * 0.18
        } else {
            0.96
        }
    } else {
        0.0
    };
    ep + qm
}

fn normalize(score: f64) -> f64 {
    (score / (score * score + ALPHA).sqrt()).clamp(-1.0, 1.0)
}

/// Python's `round(x, digits)` on a float: the exact binary value rounded to `digits`
/// decimals, exact ties to even. Rust's fixed-precision formatting rounds the same way.
pub fn py_round(x: f64, digits: usize) -> f64 {
    if !x.is_finite() {
        return x;
    }
    format!("{x:.digits$}").parse().unwrap_or(x)
}

/// Replaces each emoji by its description, separated by a space from a preceding non-space.
fn replace_emojis<'a>(lexicon: &SentimentLexicon, text: &'a str) -> Cow<'a, str> {
    let ascii_emoji = || lexicon.emojis.keys().any(char::is_ascii);
    if lexicon.emojis.is_empty()
        || (text.is_ascii() && !*lexicon.ascii_emoji.get_or_init(ascii_emoji))
        || !text.chars().any(|c| lexicon.emojis.contains_key(&c))
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 32);
    let mut prev_space = true;
    for c in text.chars() {
        if let Some(description) = lexicon.emojis.get(&c) {
            if !prev_space {
                out.push(' ');
            }
            out.push_str(description);
            prev_space = false;
        } else {
            out.push(c);
            prev_space = c == ' ';
        }
    }
    Cow::Owned(out)
}

/// Python's `str.isspace` for one character (`str.split()` and `str.strip()` use it): Rust's
/// White_Space plus the ASCII information separators U+001C to U+001F.
fn py_is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

fn py_strip(text: &str) -> &str {
    text.trim_matches(py_is_space)
}

/// Python's `token.strip(string.punctuation)`, keeping the token when two or fewer characters
/// would remain (emoticons such as `:)`).
fn strip_punc_if_word(token: &str) -> &str {
    let stripped = token.trim_matches(|c: char| c.is_ascii_punctuation());
    if stripped.chars().nth(2).is_none() {
        token
    } else {
        stripped
    }
}

/// Python's `str.lower` (full Unicode lower-casing; borrowed when nothing changes).
fn py_lower(word: &str) -> Cow<'_, str> {
    if word.is_ascii() {
        if word.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(word.to_ascii_lowercase())
        } else {
            Cow::Borrowed(word)
        }
    } else if word.chars().any(|c| c.is_uppercase() || is_titlecase(c)) {
        Cow::Owned(word.to_lowercase())
    } else {
        Cow::Borrowed(word)
    }
}

/// Python's `str.isupper`: at least one upper-case character and no lower- or title-case one.
pub(crate) fn py_is_upper(word: &str) -> bool {
    let mut cased = false;
    for c in word.chars() {
        if c.is_lowercase() || is_titlecase(c) {
            return false;
        }
        if c.is_uppercase() {
            cased = true;
        }
    }
    cased
}

/// Unicode general category Lt.
fn is_titlecase(c: char) -> bool {
    matches!(c,
        '\u{01C5}' | '\u{01C8}' | '\u{01CB}' | '\u{01F2}'
        | '\u{1F88}'..='\u{1F8F}' | '\u{1F98}'..='\u{1F9F}' | '\u{1FA8}'..='\u{1FAF}'
        | '\u{1FBC}' | '\u{1FCC}' | '\u{1FFC}')
}

fn allcap_differential(words: &[&str]) -> bool {
    let upper = words.iter().filter(|w| py_is_upper(w)).count();
    let differential = words.len() - upper;
    0 < differential && differential < words.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compound(text: &str) -> f64 {
        polarity_scores(text).compound
    }

    #[test]
    fn reference_examples() {
        // values printed by vaderSentiment 3.3.2 for its own demo sentences
        let cases = [
            (
                "VADER is smart, handsome, and funny.",
                0.8316,
                0.746,
                0.254,
                0.0,
            ),
            (
                "VADER is smart, handsome, and funny!",
                0.8439,
                0.752,
                0.248,
                0.0,
            ),
            (
                "VADER is very smart, handsome, and funny.",
                0.8545,
                0.701,
                0.299,
                0.0,
            ),
            (
                "VADER is VERY SMART, handsome, and FUNNY.",
                0.9227,
                0.754,
                0.246,
                0.0,
            ),
            (
                "VADER is VERY SMART, handsome, and FUNNY!!!",
                0.9342,
                0.767,
                0.233,
                0.0,
            ),
            (
                "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!",
                0.9469,
                0.706,
                0.294,
                0.0,
            ),
            (
                "VADER is not smart, handsome, nor funny.",
                -0.7424,
                0.0,
                0.354,
                0.646,
            ),
            ("The book was good.", 0.4404, 0.492, 0.508, 0.0),
            (
                "At least it isn't a horrible book.",
                0.431,
                0.322,
                0.678,
                0.0,
            ),
            ("The book was only kind of good.", 0.3832, 0.303, 0.697, 0.0),
            ("Today SUX!", -0.5461, 0.0, 0.221, 0.779),
            (
                "Today only kinda sux! But I'll get by, lol",
                0.5249,
                0.317,
                0.556,
                0.127,
            ),
            ("Make sure you :) or :D today!", 0.8633, 0.706, 0.294, 0.0),
            (
                "Catch utf-8 emoji such as 💘 and 💋 and 😁",
                0.875,
                0.417,
                0.583,
                0.0,
            ),
            ("Not bad at all", 0.431, 0.487, 0.513, 0.0),
        ];
        for (text, c, pos, neu, neg) in cases {
            let p = polarity_scores(text);
            assert_eq!(
                (p.compound, p.pos, p.neu, p.neg),
                (c, pos, neu, neg),
                "{text}"
            );
        }
    }

    #[test]
    fn hand_computed_scores() {
        // "good": 1.9 -> 1.9 / sqrt(1.9^2 + 15) = 1.9 / 4.3139 = 0.4404 (rounded 4)
        assert_eq!(compound("good"), 0.4404);
        // "not good": 1.9 * -0.74 = -1.406 -> -1.406 / sqrt(1.976836 + 15) = -0.3412
        assert_eq!(compound("not good"), -0.3412);
        assert_eq!(compound(""), 0.0);
        assert_eq!(compound("   "), 0.0);
    }

    #[test]
    fn python_round_half_even() {
        assert_eq!(py_round(0.125, 2), 0.12);
        assert_eq!(py_round(0.375, 2), 0.38);
        assert_eq!(py_round(2.5, 0), 2.0);
        assert_eq!(py_round(-0.00004, 4), 0.0);
    }

    #[test]
    fn python_string_semantics() {
        assert!(py_is_upper("SUX!"));
        assert!(!py_is_upper("123"));
        assert!(!py_is_upper("ǅA"));
        assert_eq!(strip_punc_if_word(":)"), ":)");
        assert_eq!(strip_punc_if_word("'good!'"), "good");
        assert_eq!(strip_punc_if_word("(ok)"), "(ok)");
        assert!(py_is_space('\u{1f}'));
    }

    #[test]
    fn but_check_walks_by_value() {
        // "good but good": sentiments [1.9, 0, 1.9], but at 1; the walk finds 1.9 at index 0
        // twice: 1.9*0.5 = 0.95 first; then 0 at 1 (the but) unchanged; then the third value
        // 1.9 is found at index 2 -> 2.85.
        let lexicon = SentimentLexicon::english();
        let mut s = [1.9, 0.0, 1.9];
        but_check(lexicon, &["good", "but", "good"], &mut s);
        assert_eq!(s, [0.95, 0.0, 1.9 * 1.5]);
        // equal values before and after: [0, 2, 0] with but at 2 -> the trailing 0 is found at 0
        let mut s = [1.0, 0.0, 0.0, 1.0];
        but_check(lexicon, &["a", "x", "but", "a"], &mut s);
        // k=0: 1.0 at 0 -> 0.5; k=1: 0 at 1 -> 0; k=2: 0 at 1 -> 0; k=3: 1.0 at 3 -> 1.5
        assert_eq!(s, [0.5, 0.0, 0.0, 1.5]);
    }

    #[test]
    fn labels() {
        assert_eq!(SentimentLabel::of(0.05), SentimentLabel::Positive);
        assert_eq!(SentimentLabel::of(-0.05), SentimentLabel::Negative);
        assert_eq!(SentimentLabel::of(0.0499), SentimentLabel::Neutral);
    }

    #[test]
    fn pluggable_lexicon() {
        let mut lexicon = SentimentLexicon::from_vader_text("bueno\t1.9\nmalo\t-2.5\n", "");
        lexicon.negations.insert("nunca".into());
        lexicon.contrast = "pero".into();
        // "nunca bueno": negated (1.9 * -0.74) -> -1.406 -> -0.3412, as "not good" in English
        assert_eq!(
            polarity_scores_with(&lexicon, "nunca bueno").compound,
            -0.3412
        );
        // "malo pero bueno": -2.5 * 0.5 + 1.9 * 1.5 = 1.6 -> 1.6 / sqrt(2.56 + 15) = 0.3818
        assert_eq!(
            polarity_scores_with(&lexicon, "malo pero bueno").compound,
            0.3818
        );
        assert!(polarity_scores_with(&lexicon, "muy malo").compound < 0.0);
    }
}
