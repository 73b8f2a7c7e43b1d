//! Unsupervised key phrases (YAKE-style) and their aggregation across calls.
//!
//! Per text: sentences and words by Unicode boundaries (UAX #29), stop words of the text's
//! language (NLTK lists for the languages NLTK has, stopwords-iso for the others, from the
//! `stop-words` crate, compiled in), then YAKE's statistical features per word (casing,
//! position, normalized frequency, context dispersion, spread over sentences) combined into a
//! word score, and for each candidate phrase of 1 to 3 words (not opening or closing with a stop
//! word, never across punctuation) the phrase score
//! `S(kw) = prod S(w) / (tf(kw) * (1 + sum S(w)))` over its non-stop words.
//!
//! **Score: lower is more relevant** (YAKE's convention); phrases are listed best first. Stop
//! words inside a phrase ("cancellation of service") are kept in the phrase but do not enter
//! the score (YAKE weighs them by co-occurrence probabilities; we skip that refinement).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

use super::sentiment::{FnvBuild, SentimentLabel, polarity_scores_with};
use super::{TextOptions, call_text};
use crate::CallRecord;

/// One key phrase of a text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Keyword {
    /// The phrase, lower case, words joined by single spaces.
    pub keyword: String,
    /// YAKE score: lower is more relevant.
    pub score: f64,
}

type StopSets = HashMap<&'static str, HashSet<&'static str, FnvBuild>>;

fn stop_sets() -> &'static StopSets {
    static SETS: OnceLock<StopSets> = OnceLock::new();
    SETS.get_or_init(|| {
        stop_words::available_languages()
            .iter()
            .filter_map(|code| {
                stop_words::lookup(code).map(|words| (*code, words.iter().copied().collect()))
            })
            .collect()
    })
}

/// The stop words of a language code (`en`, `es`, `ar`, ...), if the crate has a list.
pub fn stop_words(language: &str) -> Option<&'static HashSet<&'static str, FnvBuild>> {
    stop_sets().get(language)
}

/// A best guess at a text's language among `ar`, `es` and `en`: Arabic when Arabic letters
/// outnumber Latin ones, else Spanish when Spanish stop words outnumber English ones, else
/// English.
pub fn detect_language(text: &str) -> &'static str {
    let (mut arabic, mut latin) = (0usize, 0usize);
    for c in text.chars() {
        if ('\u{0600}'..='\u{06FF}').contains(&c) || ('\u{0750}'..='\u{077F}').contains(&c) {
            arabic += 1;
        } else if c.is_ascii_alphabetic() || ('\u{00C0}'..='\u{024F}').contains(&c) {
            latin += 1;
        }
    }
    if arabic > latin {
        return "ar";
    }
    let (Some(en), Some(es)) = (stop_words("en"), stop_words("es")) else {
        return "en";
    };
    let (mut en_hits, mut es_hits) = (0usize, 0usize);
    for word in text.unicode_words() {
        let lower = word.to_lowercase();
        en_hits += usize::from(en.contains(lower.as_str()));
        es_hits += usize::from(es.contains(lower.as_str()));
    }
    if es_hits > en_hits { "es" } else { "en" }
}

/// Extracts key phrases from texts with fixed options (stop lists resolved once).
#[derive(Debug, Clone)]
pub struct KeywordExtractor {
    extra_stop: HashSet<String, FnvBuild>,
    per_text: usize,
    max_words: usize,
}

struct Token {
    lower: String,
    stop: bool,
    upper_initial: bool,
    acronym: bool,
    sentence: usize,
    first_in_sentence: bool,
}

#[derive(Default)]
struct TermStats {
    tf: f64,
    tf_upper: f64,
    tf_acronym: f64,
    sentences: Vec<usize>,
    left: HashSet<usize, FnvBuild>,
    left_total: f64,
    right: HashSet<usize, FnvBuild>,
    right_total: f64,
}

/// Words of the co-occurrence window on each side (YAKE's default).
const WINDOW: usize = 2;

impl KeywordExtractor {
    /// An extractor for the options' extra stop words, phrases per text and phrase length.
    pub fn new(options: &TextOptions) -> Self {
        KeywordExtractor {
            extra_stop: options
                .extra_stop_words
                .iter()
                .map(|w| w.to_lowercase())
                .collect(),
            per_text: options.keywords_per_call,
            max_words: options.max_phrase_words.max(1),
        }
    }

    /// The best key phrases of a text in a language, best (lowest score) first.
    pub fn extract(&self, text: &str, language: &str) -> Vec<Keyword> {
        let stops = stop_words(language);
        let is_stop = |lower: &str| {
            stops.is_some_and(|s| s.contains(lower))
                || self.extra_stop.contains(lower)
                || lower.chars().count() < 2
                || !lower.chars().any(char::is_alphabetic)
        };
        // chunks: runs of words with no punctuation between them
        let mut tokens: Vec<Token> = Vec::new();
        let mut chunks: Vec<std::ops::Range<usize>> = Vec::new();
        let mut sentence_count = 0usize;
        for (sentence, sentence_text) in text.split_sentence_bounds().enumerate() {
            sentence_count = sentence + 1;
            let mut chunk_start = tokens.len();
            let mut first = true;
            for segment in sentence_text.split_word_bounds() {
                if segment.chars().any(char::is_alphanumeric) {
                    let lower = segment.to_lowercase();
                    let letters = segment.chars().filter(|c| c.is_alphabetic());
                    let upper_initial = segment.chars().next().is_some_and(char::is_uppercase);
                    let acronym = segment.chars().count() > 1
                        && letters.clone().count() > 0
                        && letters.clone().all(char::is_uppercase);
                    tokens.push(Token {
                        stop: is_stop(&lower),
                        lower,
                        upper_initial,
                        acronym,
                        sentence,
                        first_in_sentence: first,
                    });
                    first = false;
                } else if !segment.chars().all(char::is_whitespace) {
                    if tokens.len() > chunk_start {
                        chunks.push(chunk_start..tokens.len());
                    }
                    chunk_start = tokens.len();
                }
            }
            if tokens.len() > chunk_start {
                chunks.push(chunk_start..tokens.len());
            }
        }
        if tokens.is_empty() {
            return Vec::new();
        }

        // word statistics over non-stop words
        let mut term_ids: HashMap<&str, usize, FnvBuild> = HashMap::default();
        let mut stats: Vec<TermStats> = Vec::new();
        let mut token_term: Vec<Option<usize>> = vec![None; tokens.len()];
        for (index, token) in tokens.iter().enumerate() {
            if token.stop {
                continue;
            }
            let next_id = stats.len();
            let id = *term_ids.entry(token.lower.as_str()).or_insert(next_id);
            if id == next_id {
                stats.push(TermStats::default());
            }
            token_term[index] = Some(id);
            if let Some(term) = stats.get_mut(id) {
                term.tf += 1.0;
                if token.acronym {
                    term.tf_acronym += 1.0;
                } else if token.upper_initial && !token.first_in_sentence {
                    term.tf_upper += 1.0;
                }
                term.sentences.push(token.sentence);
            }
        }
        for chunk in &chunks {
            for right_index in chunk.clone() {
                let Some(right_id) = token_term[right_index] else {
                    continue;
                };
                let from = right_index.saturating_sub(WINDOW).max(chunk.start);
                for left_id in token_term[from..right_index].iter().flatten().copied() {
                    if let Some(term) = stats.get_mut(right_id) {
                        term.left.insert(left_id);
                        term.left_total += 1.0;
                    }
                    if let Some(term) = stats.get_mut(left_id) {
                        term.right.insert(right_id);
                        term.right_total += 1.0;
                    }
                }
            }
        }
        let word_scores = word_scores(&mut stats, sentence_count);

        // candidate phrases
        let mut candidates: HashMap<String, (f64, f64, f64, Vec<usize>), FnvBuild> =
            HashMap::default();
        for chunk in &chunks {
            for start in chunk.clone() {
                if tokens[start].stop {
                    continue;
                }
                for end in start..chunk.end.min(start + self.max_words) {
                    if tokens[end].stop {
                        continue;
                    }
                    let words = &tokens[start..=end];
                    let mut key = String::new();
                    let (mut product, mut sum) = (1.0f64, 0.0f64);
                    let mut ids = Vec::new();
                    for (offset, token) in words.iter().enumerate() {
                        if offset > 0 {
                            key.push(' ');
                        }
                        key.push_str(&token.lower);
                        if let Some(id) = token_term[start + offset] {
                            let score = word_scores.get(id).copied().unwrap_or(1.0);
                            product *= score;
                            sum += score;
                            ids.push(id);
                        }
                    }
                    let entry = candidates
                        .entry(key)
                        .or_insert((0.0, product, sum, Vec::new()));
                    entry.0 += 1.0;
                    if entry.3.is_empty() {
                        ids.sort_unstable();
                        entry.3 = ids;
                    }
                }
            }
        }
        let mut ranked: Vec<(String, f64, Vec<usize>)> = candidates
            .into_iter()
            .map(|(key, (tf, product, sum, ids))| (key, product / (tf * (1.0 + sum)), ids))
            .collect();
        ranked.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        let mut chosen: Vec<(String, f64, Vec<usize>)> = Vec::new();
        for candidate in ranked {
            if chosen.len() >= self.per_text {
                break;
            }
            // the same content words in another order or with other stop words between them
            if chosen.iter().any(|c| c.2 == candidate.2) {
                continue;
            }
            chosen.push(candidate);
        }
        chosen
            .into_iter()
            .map(|(keyword, score, _)| Keyword {
                keyword,
                score: round6(score),
            })
            .collect()
    }
}

fn word_scores(stats: &mut [TermStats], sentence_count: usize) -> Vec<f64> {
    if stats.is_empty() {
        return Vec::new();
    }
    let n = stats.len() as f64;
    let mean = stats.iter().map(|t| t.tf).sum::<f64>() / n;
    let variance = stats.iter().map(|t| (t.tf - mean).powi(2)).sum::<f64>() / n;
    let std = variance.sqrt();
    let max_tf = stats.iter().map(|t| t.tf).fold(1.0f64, f64::max);
    let sentences = sentence_count.max(1) as f64;
    stats
        .iter_mut()
        .map(|term| {
            term.sentences.sort_unstable();
            let median = median(&term.sentences);
            let casing = term.tf_upper.max(term.tf_acronym) / (1.0 + term.tf.ln());
            let position = (3.0 + median).ln().ln();
            let frequency = term.tf / (mean + std);
            let dispersion = |distinct: usize, total: f64| {
                if total > 0.0 {
                    distinct as f64 / total
                } else {
                    0.0
                }
            };
            let relatedness = 1.0
                + (dispersion(term.left.len(), term.left_total)
                    + dispersion(term.right.len(), term.right_total))
                    * (term.tf / max_tf);
            term.sentences.dedup();
            let spread = term.sentences.len() as f64 / sentences;
            relatedness * position / (casing + frequency / relatedness + spread / relatedness)
        })
        .collect()
}

fn median(sorted: &[usize]) -> f64 {
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2] as f64,
        n => (sorted[n / 2 - 1] + sorted[n / 2]) as f64 / 2.0,
    }
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// Key phrases of one text with the options (see [`KeywordExtractor`]).
pub fn extract(text: &str, language: &str, options: &TextOptions) -> Vec<Keyword> {
    KeywordExtractor::new(options).extract(text, language)
}

/// One row of the keywords report: how many calls a key phrase came from, the sentiment of
/// those calls' texts, and the latest start of such a call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeywordRow {
    /// The key phrase.
    pub keyword: String,
    /// Calls whose text has it among its key phrases.
    pub count: u64,
    /// Of those, calls whose text is positive.
    pub positive_count: u64,
    /// Of those, neutral.
    pub neutral_count: u64,
    /// Of those, negative.
    pub negative_count: u64,
    /// Mean compound sentiment of those calls' texts, 4 decimals.
    pub avg_sentiment: f64,
    /// The latest `started_at` of those calls.
    pub last_detected_at: Option<DateTime<Utc>>,
}

/// Partial state of one keyword. The compound sum is kept in ten-thousandths (compound
/// scores have 4 decimals) so that merging is exact, hence associative and commutative.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeywordState {
    /// Calls.
    pub count: u64,
    /// Positive calls.
    pub positive: u64,
    /// Neutral calls.
    pub neutral: u64,
    /// Negative calls.
    pub negative: u64,
    /// Sum of compound scores times 10,000.
    pub compound_e4: i64,
    /// Latest call start.
    pub last_detected_at: Option<DateTime<Utc>>,
}

impl KeywordState {
    fn merge(&mut self, other: &KeywordState) {
        self.count += other.count;
        self.positive += other.positive;
        self.neutral += other.neutral;
        self.negative += other.negative;
        self.compound_e4 += other.compound_e4;
        self.last_detected_at = self.last_detected_at.max(other.last_detected_at);
    }
}

/// The mergeable keyword aggregate (SPEC 4.8): build it on any part of the calls, merge parts
/// in any order, serialize it between processes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeywordAggregate {
    /// Key phrase -> state.
    pub keywords: BTreeMap<String, KeywordState>,
}

impl KeywordAggregate {
    /// Adds calls (their text's key phrases and sentiment).
    pub fn add_records<'a>(
        &mut self,
        records: impl IntoIterator<Item = &'a CallRecord>,
        options: &TextOptions,
    ) {
        let extractor = KeywordExtractor::new(options);
        for record in records {
            self.add_record_with(&extractor, record, options);
        }
    }

    /// Adds one call.
    pub fn add_record(&mut self, record: &CallRecord, options: &TextOptions) {
        self.add_records(std::iter::once(record), options);
    }

    pub(crate) fn add_record_with(
        &mut self,
        extractor: &KeywordExtractor,
        record: &CallRecord,
        options: &TextOptions,
    ) {
        let Some(text) = call_text(record) else {
            return;
        };
        let language = options.language_of(record.language.as_deref(), &text);
        let polarity = polarity_scores_with(options.lexicon(&language), &text);
        let label = polarity.label();
        let compound_e4 = (polarity.compound * 1e4).round() as i64;
        for keyword in extractor.extract(&text, &language) {
            let state = self.keywords.entry(keyword.keyword).or_default();
            state.merge(&KeywordState {
                count: 1,
                positive: u64::from(label == SentimentLabel::Positive),
                neutral: u64::from(label == SentimentLabel::Neutral),
                negative: u64::from(label == SentimentLabel::Negative),
                compound_e4,
                last_detected_at: Some(record.started_at),
            });
        }
    }

    /// Merges another part into this one.
    pub fn merge(&mut self, other: &KeywordAggregate) {
        for (keyword, state) in &other.keywords {
            self.keywords
                .entry(keyword.clone())
                .or_default()
                .merge(state);
        }
    }

    /// The `top` rows by count (then keyword).
    pub fn rows(&self, top: usize) -> Vec<KeywordRow> {
        let mut rows: Vec<KeywordRow> = self
            .keywords
            .iter()
            .filter(|(_, s)| s.count > 0)
            .map(|(keyword, s)| KeywordRow {
                keyword: keyword.clone(),
                count: s.count,
                positive_count: s.positive,
                neutral_count: s.neutral,
                negative_count: s.negative,
                avg_sentiment: super::sentiment::py_round(
                    s.compound_e4 as f64 / 1e4 / s.count as f64,
                    4,
                ),
                last_detected_at: s.last_detected_at,
            })
            .collect();
        rows.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.keyword.cmp(&b.keyword))
        });
        rows.truncate(top);
        rows
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::text::test_record;

    fn phrases(text: &str, language: &str) -> Vec<String> {
        extract(text, language, &TextOptions::default())
            .into_iter()
            .map(|k| k.keyword)
            .collect()
    }

    #[test]
    fn english_phrases_skip_stop_words_and_punctuation() {
        let found = phrases(
            "The customer wants a refund for the damaged blender. The blender arrived broken, \
             and the refund was promised last week.",
            "en",
        );
        assert!(found.contains(&"blender".to_string()), "{found:?}");
        assert!(found.contains(&"refund".to_string()), "{found:?}");
        for phrase in &found {
            let words: Vec<&str> = phrase.split(' ').collect();
            for edge in [words[0], words[words.len() - 1]] {
                assert!(!stop_words("en").unwrap().contains(edge), "{phrase}");
            }
            // "broken, and" crosses a comma: never one phrase
            assert!(!phrase.contains("broken and"), "{phrase}");
        }
        assert!(
            !found.iter().any(|p| p.split(' ').any(|w| w == "customer")),
            "{found:?}"
        );
    }

    #[test]
    fn word_scores_by_hand() {
        // one sentence "refund refund": tf 2, one term -> mean 2, std 0, max 2;
        // casing 0; position ln(ln 3) = 0.0940; frequency 2 / 2 = 1;
        // co-occurrence: right token sees the left one -> left {refund} / 1, right {refund} / 1
        // -> relatedness 1 + (1 + 1) * 1 = 3; spread 1/1.
        // S = 3 * 0.0940 / (0 + 1/3 + 1/3) = 0.4231; phrase "refund": tf 2 ->
        // 0.4231 / (2 * 1.4231) = 0.148656 ("refund refund", 0.4231^2 / (1 + 0.8462) = 0.0970,
        // ranks first: YAKE favours longer phrases of well-scored words).
        let found = extract("refund refund", "en", &TextOptions::default());
        let position = 3f64.ln().ln();
        let word = 3.0 * position / (2.0 / 3.0);
        let single = round6(word / (2.0 * (1.0 + word)));
        let double = round6(word * word / (1.0 + 2.0 * word));
        assert_eq!(
            found,
            vec![
                Keyword {
                    keyword: "refund refund".into(),
                    score: double
                },
                Keyword {
                    keyword: "refund".into(),
                    score: single
                },
            ]
        );
    }

    #[test]
    fn spanish_and_arabic() {
        let found = phrases(
            "El cliente quiere cancelar la suscripción por el precio alto.",
            "es",
        );
        assert!(found.iter().any(|p| p.contains("suscripción")), "{found:?}");
        assert!(
            !found.iter().any(|p| p == "el" || p == "la" || p == "por"),
            "{found:?}"
        );
        let found = phrases("العميل يريد إلغاء الاشتراك بسبب ارتفاع السعر", "ar");
        assert!(found.iter().any(|p| p.contains("الاشتراك")), "{found:?}");
        assert_eq!(
            detect_language("Quiero cancelar mi pedido, por favor"),
            "es"
        );
        assert_eq!(detect_language("أريد إلغاء الطلب"), "ar");
        assert_eq!(detect_language("I want to cancel my order"), "en");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
        /// Any split of the calls into three parts, merged in any order, equals the whole.
        #[test]
        fn merging_any_split_equals_the_whole(
            parts in proptest::collection::vec(0usize..3, 8),
            order in proptest::sample::select(vec![[0usize, 1, 2], [2, 1, 0], [1, 0, 2], [2, 0, 1]]),
        ) {
            let texts = [
                "Billing error: charged twice for the March invoice, refund requested.",
                "Router drops the connection every night; technician visit booked.",
                "Very happy with the quick refund, great service!",
                "Angry about the late delivery and the missing package.",
                "Asked about pricing for the premium plan and the annual discount.",
                "Cancel the subscription, the price went up again.",
                "Package delivered to the wrong address, refund or reship.",
                "Password reset email never arrives; account locked.",
            ];
            let records: Vec<CallRecord> = texts
                .iter()
                .enumerate()
                .map(|(i, text)| {
                    test_record(&i.to_string(), &format!("2024-05-0{}T10:00:00Z", i + 1), Some(text))
                })
                .collect();
            let options = TextOptions::default();
            let mut whole = KeywordAggregate::default();
            whole.add_records(&records, &options);
            let mut split = [
                KeywordAggregate::default(),
                KeywordAggregate::default(),
                KeywordAggregate::default(),
            ];
            for (record, part) in records.iter().zip(&parts) {
                split[*part].add_record(record, &options);
            }
            let mut merged = KeywordAggregate::default();
            for index in order {
                merged.merge(&split[index]);
            }
            proptest::prop_assert_eq!(merged, whole);
        }
    }

    #[test]
    fn aggregate_merge_is_associative_and_commutative() {
        let texts = [
            (
                "1",
                "2024-05-01T10:00:00Z",
                "Great service, the refund arrived quickly.",
            ),
            (
                "2",
                "2024-05-02T10:00:00Z",
                "Terrible experience, refund still missing.",
            ),
            (
                "3",
                "2024-05-03T10:00:00Z",
                "Asked about the refund policy.",
            ),
            (
                "4",
                "2024-05-04T10:00:00Z",
                "Router keeps dropping the connection.",
            ),
        ];
        let records: Vec<CallRecord> = texts
            .iter()
            .map(|(id, at, s)| test_record(id, at, Some(s)))
            .collect();
        let options = TextOptions::default();
        let part = |range: std::ops::Range<usize>| {
            let mut a = KeywordAggregate::default();
            a.add_records(&records[range], &options);
            a
        };
        let mut whole = KeywordAggregate::default();
        whole.add_records(&records, &options);
        let (a, b, c) = (part(0..1), part(1..3), part(3..4));
        let mut left = a.clone();
        left.merge(&b);
        left.merge(&c);
        let mut right = c.clone();
        let mut bc = b.clone();
        bc.merge(&a);
        right.merge(&bc);
        assert_eq!(left, whole);
        assert_eq!(right, whole);
        // partial state survives JSON
        let json = serde_json::to_string(&b).unwrap();
        assert_eq!(serde_json::from_str::<KeywordAggregate>(&json).unwrap(), b);

        let rows = whole.rows(50);
        let refund = rows.iter().find(|r| r.keyword == "refund").unwrap();
        assert_eq!(refund.count, 3);
        assert_eq!(
            refund.positive_count + refund.neutral_count + refund.negative_count,
            3
        );
        assert_eq!(refund.last_detected_at, "2024-05-03T10:00:00Z".parse().ok());
        // avg of the three texts' compounds
        let compounds: Vec<f64> = texts[..3]
            .iter()
            .map(|(_, _, s)| crate::text::sentiment::polarity_scores(s).compound)
            .collect();
        let mean = compounds.iter().sum::<f64>() / 3.0;
        assert!((refund.avg_sentiment - mean).abs() < 1e-4);
        assert_eq!(rows[0].keyword, "refund");
        assert!(whole.rows(2).len() == 2);
    }
}
