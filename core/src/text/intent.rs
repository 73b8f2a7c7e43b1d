//! One intent per call from a taxonomy of weighted cue phrases.
//!
//! The taxonomy is data (`data/intent_taxonomy.json` is the default, embedded; replace it with
//! [`IntentTaxonomy::from_json`] or through [`TextOptions::taxonomy`]): a list of intents, each
//! with cue phrases and weights, plus a fallback intent. A cue is one or more words matched on
//! word boundaries, case-insensitively, after folding Latin accents (`cancelación` =
//! `cancelacion`) and normalizing Arabic (diacritics and tatweel dropped, alef forms, teh
//! marbuta and alef maksura unified, the article and one-letter proclitics `و ف ب ل ك`
//! stripped, so `الفاتورة`, `فاتورة` and `والفاتورة` match alike). A cue word ending in `*`
//! matches any word it begins.
//!
//! Scoring: each intent scores the sum of the weights of its distinct cues found in the text.
//! The best score wins (ties go to the intent listed first); no cue at all gives the fallback
//! with confidence 0. Confidence = `best / (best + second best + 1)`, 4 decimals: one strong cue
//! (weight 3) alone gives 0.75, the same with a rival scoring 2 gives 0.5.
//! An intent already on the record (set by a provider from structured outputs) wins with
//! confidence 1.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

use super::{TextOptions, call_text};
use crate::CallRecord;
use crate::error::{Error, Result};

const DEFAULT_TAXONOMY: &str = include_str!("../../data/intent_taxonomy.json");

/// One intent of a taxonomy and its cues.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntentDefinition {
    /// The intent's name (`billing`).
    pub name: String,
    /// Cue phrase -> weight (positive).
    pub cues: BTreeMap<String, f64>,
}

/// A taxonomy of intents (SPEC 4.6), user-replaceable.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IntentTaxonomy {
    /// Intent of texts that match no cue.
    pub fallback: String,
    /// Intents in priority order (earlier wins a tie).
    pub intents: Vec<IntentDefinition>,
    #[serde(skip)]
    compiled: OnceLock<CompiledCues>,
}

/// Per intent, its cues as normalized words with their weights.
type CompiledCues = Vec<Vec<(Vec<CueWord>, f64)>>;

impl PartialEq for IntentTaxonomy {
    fn eq(&self, other: &Self) -> bool {
        self.fallback == other.fallback && self.intents == other.intents
    }
}

#[derive(Debug, Clone)]
struct CueWord {
    text: String,
    prefix: bool,
}

/// The intent of one text or call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntentGuess {
    /// The intent's name.
    pub intent: String,
    /// 0 to 1 (1 for an intent given by the provider, 0 for the fallback).
    pub confidence: f64,
}

impl IntentTaxonomy {
    /// The default taxonomy (`inquiry`, `pricing`, `billing`, `support`, `complaint`,
    /// `appointment`, `cancellation`, `purchase`, `order-status`, `account`, `callback-request`,
    /// fallback `other`), with English, Spanish and Arabic cues.
    pub fn default_taxonomy() -> &'static IntentTaxonomy {
        static DEFAULT: OnceLock<IntentTaxonomy> = OnceLock::new();
        DEFAULT.get_or_init(|| IntentTaxonomy::from_json(DEFAULT_TAXONOMY).unwrap_or_default())
    }

    /// Reads a taxonomy from JSON: `{"fallback": "other", "intents": [{"name": "billing",
    /// "cues": {"invoice": 3, "charged twice": 3}}]}`.
    pub fn from_json(json: &str) -> Result<Self> {
        let taxonomy: IntentTaxonomy =
            serde_json::from_str(json).map_err(|e| Error::InvalidOption {
                option: "taxonomy".into(),
                reason: e.to_string(),
            })?;
        if taxonomy.fallback.trim().is_empty() {
            return Err(Error::InvalidOption {
                option: "taxonomy.fallback".into(),
                reason: "empty fallback intent".into(),
            });
        }
        for intent in &taxonomy.intents {
            if let Some((cue, weight)) = intent
                .cues
                .iter()
                .find(|(_, w)| !w.is_finite() || **w <= 0.0)
            {
                return Err(Error::InvalidOption {
                    option: format!("taxonomy.intents.{}.cues.{cue}", intent.name),
                    reason: format!("weight {weight} is not a positive number"),
                });
            }
        }
        Ok(taxonomy)
    }

    fn compiled(&self) -> &CompiledCues {
        self.compiled.get_or_init(|| {
            self.intents
                .iter()
                .map(|intent| {
                    intent
                        .cues
                        .iter()
                        .filter_map(|(cue, weight)| {
                            let words: Vec<CueWord> = cue
                                .split_whitespace()
                                .flat_map(|part| {
                                    let prefix = part.ends_with('*');
                                    let part = part.trim_end_matches('*');
                                    let mut words = tokens(part);
                                    let last = words.len();
                                    words
                                        .drain(..)
                                        .enumerate()
                                        .map(|(i, text)| CueWord {
                                            text,
                                            prefix: prefix && i + 1 == last,
                                        })
                                        .collect::<Vec<_>>()
                                })
                                .collect();
                            (!words.is_empty()).then_some((words, *weight))
                        })
                        .fold(
                            Vec::new(),
                            |mut unique: Vec<(Vec<CueWord>, f64)>, (words, weight)| {
                                // cues that normalize alike ("want to know", "wanted to know")
                                // count once, with the larger weight
                                match unique.iter_mut().find(|(seen, _)| same_cue(seen, &words)) {
                                    Some(entry) => entry.1 = entry.1.max(weight),
                                    None => unique.push((words, weight)),
                                }
                                unique
                            },
                        )
                })
                .collect()
        })
    }

    /// The intent of a text.
    pub fn classify(&self, text: &str) -> IntentGuess {
        let words = tokens(text);
        let mut best: Option<(usize, f64)> = None;
        let mut second = 0.0f64;
        for (index, cues) in self.compiled().iter().enumerate() {
            let score: f64 = cues
                .iter()
                .filter(|(cue, _)| contains_phrase(&words, cue))
                .map(|(_, weight)| weight)
                .sum();
            if score <= 0.0 {
                continue;
            }
            match best {
                Some((_, top)) if score <= top => second = second.max(score),
                _ => {
                    if let Some((_, top)) = best {
                        second = second.max(top);
                    }
                    best = Some((index, score));
                }
            }
        }
        match best.and_then(|(index, score)| self.intents.get(index).map(|i| (i, score))) {
            Some((intent, score)) => IntentGuess {
                intent: intent.name.clone(),
                confidence: super::sentiment::py_round(score / (score + second + 1.0), 4),
            },
            None => IntentGuess {
                intent: self.fallback.clone(),
                confidence: 0.0,
            },
        }
    }

    /// The intent of a call: the record's own intent (confidence 1), else that of its text;
    /// `None` when it has neither.
    pub fn classify_record(&self, record: &CallRecord) -> Option<IntentGuess> {
        if let Some(intent) = record.intent.as_deref().map(str::trim)
            && !intent.is_empty()
        {
            return Some(IntentGuess {
                intent: intent.to_string(),
                confidence: 1.0,
            });
        }
        call_text(record).map(|text| self.classify(&text))
    }
}

impl TextOptions {
    /// The options' taxonomy, or the default one.
    pub fn taxonomy(&self) -> &IntentTaxonomy {
        self.taxonomy
            .as_ref()
            .unwrap_or_else(|| IntentTaxonomy::default_taxonomy())
    }
}

fn same_cue(a: &[CueWord], b: &[CueWord]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.text == y.text && x.prefix == y.prefix)
}

fn contains_phrase(words: &[String], cue: &[CueWord]) -> bool {
    if cue.is_empty() || cue.len() > words.len() {
        return false;
    }
    words.windows(cue.len()).any(|window| {
        window.iter().zip(cue).all(|(word, cue_word)| {
            if cue_word.prefix {
                word.starts_with(cue_word.text.as_str())
            } else {
                *word == cue_word.text
            }
        })
    })
}

/// Lower-cased, accent-folded, Arabic-normalized words of a text.
fn tokens(text: &str) -> Vec<String> {
    let normalized: String = text
        .chars()
        .filter_map(|c| match c {
            '\u{064B}'..='\u{0652}' | '\u{0640}' => None,
            '’' | 'ʼ' => Some('\''),
            'أ' | 'إ' | 'آ' => Some('ا'),
            'ة' => Some('ه'),
            'ى' => Some('ي'),
            _ => Some(fold_accent(c)),
        })
        .collect::<String>()
        .to_lowercase();
    normalized
        .unicode_words()
        .map(|word| {
            if word.is_ascii() {
                stem(word)
            } else {
                strip_arabic_proclitics(word)
            }
        })
        .collect()
}

/// A light suffix stripper for Latin-script words, applied alike to cues and texts so that
/// `booked`, `booking` and `book`, or `cancelled` and `cancel`, match: drops one inflection
/// suffix (`ing`, `ed`, `es`, `s`, `ies` -> `y`, ...), then a final `e` and a doubled final
/// consonant, keeping at least three letters.
fn stem(word: &str) -> String {
    let mut stem = word.to_string();
    if stem.len() <= 3 || stem.contains('\'') {
        return stem;
    }
    for (suffix, replacement) in [
        ("ingly", ""),
        ("edly", ""),
        ("ings", ""),
        ("ing", ""),
        ("ied", "y"),
        ("ies", "y"),
        ("ed", ""),
        ("es", ""),
        ("s", ""),
        ("ly", ""),
    ] {
        if let Some(rest) = stem.strip_suffix(suffix)
            && rest.len() >= 3
            && !(suffix == "s" && rest.ends_with('s'))
        {
            stem = format!("{rest}{replacement}");
            break;
        }
    }
    if stem.len() >= 4 && stem.ends_with('e') {
        stem.pop();
    }
    let bytes = stem.as_bytes();
    if let [.., a, b] = bytes
        && a == b
        && stem.len() >= 4
        && !matches!(a, b'a' | b'e' | b'i' | b'o' | b'u' | b's')
    {
        stem.pop();
    }
    stem
}

fn fold_accent(c: char) -> char {
    match c {
        'á' | 'à' | 'â' | 'ä' | 'Á' | 'À' | 'Â' | 'Ä' => 'a',
        'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' | 'Í' | 'Ì' | 'Î' | 'Ï' => 'i',
        'ó' | 'ò' | 'ô' | 'ö' | 'Ó' | 'Ò' | 'Ô' | 'Ö' => 'o',
        'ú' | 'ù' | 'û' | 'ü' | 'Ú' | 'Ù' | 'Û' | 'Ü' => 'u',
        'ñ' | 'Ñ' => 'n',
        'ç' | 'Ç' => 'c',
        other => other,
    }
}

/// Drops a leading conjunction/preposition letter and the article from an Arabic word, while
/// at least two letters remain.
fn strip_arabic_proclitics(word: &str) -> String {
    let mut rest = word;
    for clitic in ["و", "ف", "ب", "ك", "ل"] {
        if let Some(after) = rest.strip_prefix(clitic)
            && after.chars().count() >= 3
        {
            rest = after;
            break;
        }
    }
    for article in ["ال", "ل"] {
        if let Some(after) = rest.strip_prefix(article)
            && after.chars().count() >= 2
        {
            rest = after;
            break;
        }
    }
    rest.to_string()
}

/// One row of the intents report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntentRow {
    /// The intent.
    pub intent: String,
    /// Calls with this intent.
    pub count: u64,
    /// Share of the calls that have an intent, in percent, 2 decimals.
    pub percentage: f64,
}

/// The mergeable intent aggregate (SPEC 4.8): counts per intent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntentAggregate {
    /// Intent -> calls.
    pub counts: BTreeMap<String, u64>,
}

impl IntentAggregate {
    /// Adds a call (skipped when it has neither an intent nor a text).
    pub fn add_record(&mut self, record: &CallRecord, options: &TextOptions) {
        if let Some(guess) = options.taxonomy().classify_record(record) {
            *self.counts.entry(guess.intent).or_default() += 1;
        }
    }

    /// Merges another part into this one.
    pub fn merge(&mut self, other: &IntentAggregate) {
        for (intent, count) in &other.counts {
            *self.counts.entry(intent.clone()).or_default() += count;
        }
    }

    /// Rows by count descending, then name.
    pub fn rows(&self) -> Vec<IntentRow> {
        let total: u64 = self.counts.values().sum();
        let mut rows: Vec<IntentRow> = self
            .counts
            .iter()
            .filter(|(_, count)| **count > 0)
            .map(|(intent, count)| IntentRow {
                intent: intent.clone(),
                count: *count,
                percentage: super::sentiment::py_round(*count as f64 * 100.0 / total as f64, 2),
            })
            .collect();
        rows.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.intent.cmp(&b.intent)));
        rows
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::text::{intent_rows, test_record};

    fn intent(text: &str) -> String {
        IntentTaxonomy::default_taxonomy().classify(text).intent
    }

    #[test]
    fn default_taxonomy_parses_with_all_intents() {
        let taxonomy = IntentTaxonomy::default_taxonomy();
        let names: Vec<&str> = taxonomy.intents.iter().map(|i| i.name.as_str()).collect();
        for name in [
            "inquiry",
            "pricing",
            "billing",
            "support",
            "complaint",
            "appointment",
            "cancellation",
            "purchase",
            "order-status",
            "account",
            "callback-request",
        ] {
            assert!(names.contains(&name), "{name}");
        }
        assert_eq!(taxonomy.fallback, "other");
    }

    #[test]
    fn classifies_by_cues_with_confidence() {
        // "cancel" (3) only: 3 / (3 + 0 + 1) = 0.75
        let guess = IntentTaxonomy::default_taxonomy().classify("Please CANCEL it");
        assert_eq!(
            guess,
            IntentGuess {
                intent: "cancellation".into(),
                confidence: 0.75
            }
        );
        // nothing matches: fallback, confidence 0
        let guess = IntentTaxonomy::default_taxonomy().classify("hmm");
        assert_eq!(
            guess,
            IntentGuess {
                intent: "other".into(),
                confidence: 0.0
            }
        );
        assert_eq!(intent("Quiero una cita para el martes"), "appointment");
        assert_eq!(intent("أريد إلغاء الاشتراك"), "cancellation");
        assert_eq!(intent("لدي سؤال عن والفاتورة"), "billing");
    }

    #[test]
    fn cues_that_normalize_alike_count_once() {
        let taxonomy = IntentTaxonomy::from_json(
            r#"{"fallback": "other", "intents": [
                {"name": "a", "cues": {"want to know": 2, "wanted to know": 2}},
                {"name": "b", "cues": {"delivery": 2}}]}"#,
        )
        .unwrap();
        // a: 2 (one cue after stemming), b: 2 -> tie, the first listed wins: 2 / (2 + 2 + 1)
        let guess = taxonomy.classify("she wanted to know the delivery date");
        assert_eq!(
            guess,
            IntentGuess {
                intent: "a".into(),
                confidence: 0.4
            }
        );
    }

    #[test]
    fn stems_match_inflections() {
        assert_eq!(stem("booked"), "book");
        assert_eq!(stem("booking"), "book");
        assert_eq!(stem("cancelled"), "cancel");
        assert_eq!(stem("schedules"), "schedul");
        assert_eq!(stem("schedule"), "schedul");
        assert_eq!(stem("shipped"), "ship");
        assert_eq!(stem("deliveries"), "delivery");
        assert_eq!(stem("address"), "address");
        assert_eq!(stem("addresses"), "address");
        assert_eq!(stem("won't"), "won't");
    }

    #[test]
    fn custom_taxonomy_and_prefix_cues() {
        let taxonomy = IntentTaxonomy::from_json(
            r#"{"fallback": "misc", "intents": [
                {"name": "warranty", "cues": {"warrant*": 2, "repair": 1}},
                {"name": "returns", "cues": {"return label": 2}}]}"#,
        )
        .unwrap();
        // warranties (2) + repair (1) = 3 vs return label 2: 3 / (3 + 2 + 1) = 0.5
        let guess = taxonomy.classify("Warranties cover the repair? I need a return label.");
        assert_eq!(
            guess,
            IntentGuess {
                intent: "warranty".into(),
                confidence: 0.5
            }
        );
        assert_eq!(taxonomy.classify("nothing").intent, "misc");
        assert!(IntentTaxonomy::from_json(r#"{"fallback": "", "intents": []}"#).is_err());
        assert!(
            IntentTaxonomy::from_json(
                r#"{"fallback": "x", "intents": [{"name": "a", "cues": {"b": -1}}]}"#
            )
            .is_err()
        );
    }

    #[test]
    fn record_intent_wins_and_rows() {
        let mut with_intent = test_record("1", "2024-05-01T10:00:00Z", Some("I want to cancel"));
        with_intent.intent = Some("sales".into());
        let records = vec![
            with_intent,
            test_record("2", "2024-05-01T11:00:00Z", Some("Please cancel my plan")),
            test_record("3", "2024-05-01T12:00:00Z", Some("Cancel the order")),
            test_record("4", "2024-05-01T13:00:00Z", None),
        ];
        let guess = IntentTaxonomy::default_taxonomy().classify_record(&records[0]);
        assert_eq!(
            guess,
            Some(IntentGuess {
                intent: "sales".into(),
                confidence: 1.0
            })
        );
        // 3 calls with an intent (the 4th has no text): cancellation 2 (66.67 %), sales 1
        let rows = intent_rows(&records, &TextOptions::default());
        assert_eq!(
            rows,
            vec![
                IntentRow {
                    intent: "cancellation".into(),
                    count: 2,
                    percentage: 66.67
                },
                IntentRow {
                    intent: "sales".into(),
                    count: 1,
                    percentage: 33.33
                },
            ]
        );
        let mut a = IntentAggregate::default();
        a.add_record(&records[0], &TextOptions::default());
        let mut b = IntentAggregate::default();
        b.add_record(&records[1], &TextOptions::default());
        let mut ab = a.clone();
        ab.merge(&b);
        let mut ba = b.clone();
        ba.merge(&a);
        assert_eq!(ab, ba);
    }
}
