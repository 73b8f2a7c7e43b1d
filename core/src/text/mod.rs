//! Text analytics of call summaries and transcripts: sentiment, keywords, intent (SPEC 4.6).
//!
//! The text of a call is its summary, else its transcript with the customer's turns first
//! ([`call_text`]). Three analyses run on it:
//! - [`sentiment`]: VADER, identical to vaderSentiment 3.3.2 for English, pluggable lexicons for
//!   other languages;
//! - [`keywords`]: YAKE-style unsupervised key phrases with per-language stop words, aggregated
//!   across calls into mergeable [`KeywordAggregate`]s;
//! - [`intent`]: one intent per call from a user-replaceable taxonomy of cues.
//!
//! ```
//! use callscope::text::sentiment_json;
//! let scores = sentiment_json("Thanks, the agent was very helpful!");
//! assert_eq!(scores["label"], "positive");
//! ```

pub mod intent;
pub mod keywords;
pub mod sentiment;

use std::collections::HashMap;
use std::io::{BufRead, Write};

use serde::{Deserialize, Serialize};

use crate::CallRecord;
use crate::error::{Error, Result};

pub use intent::{IntentAggregate, IntentGuess, IntentRow, IntentTaxonomy};
pub use keywords::{Keyword, KeywordAggregate, KeywordRow};
pub use sentiment::{Polarity, SentimentLabel, SentimentLexicon};

/// Options of the text analyses. `Default` gives English-or-detected language, VADER, the
/// default intent taxonomy and 10 key phrases per call.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TextOptions {
    /// Language of texts whose record has none (`en`, `es`, `ar`, ...). `None`: detected from
    /// the script and stop words of each text.
    pub language: Option<String>,
    /// Sentiment lexicons by language code; languages without one use VADER's English lexicon
    /// (emoji, emoticons and punctuation still count).
    pub sentiment_lexicons: HashMap<String, SentimentLexicon>,
    /// The intent taxonomy; `None` is the default one (`data/intent_taxonomy.json`).
    pub taxonomy: Option<IntentTaxonomy>,
    /// Key phrases kept per call before aggregating.
    pub keywords_per_call: usize,
    /// Longest key phrase, in words.
    pub max_phrase_words: usize,
    /// Extra stop words, on top of the language's list: words that open most call summaries
    /// (`customer`, `caller`, `agent`, `call`, ...) and would otherwise top every report.
    pub extra_stop_words: Vec<String>,
}

/// Words that appear in nearly every call summary and say nothing about its topic.
#[rustfmt::skip]
pub const DEFAULT_EXTRA_STOP_WORDS: &[&str] = &[
    "customer", "customers", "caller", "callers", "agent", "agents", "call", "called", "calls",
    "calling", "representative", "rep", "assistant", "user", "client", "hello", "hi", "thank",
    "thanks", "okay", "ok", "yes", "yeah", "please", "cliente", "llamada", "llamó", "agente",
    "hola", "gracias", "العميل", "المتصل", "مكالمة", "شكرا",
];

impl Default for TextOptions {
    fn default() -> Self {
        TextOptions {
            language: None,
            sentiment_lexicons: HashMap::new(),
            taxonomy: None,
            keywords_per_call: 10,
            max_phrase_words: 3,
            extra_stop_words: DEFAULT_EXTRA_STOP_WORDS
                .iter()
                .map(|w| w.to_string())
                .collect(),
        }
    }
}

impl TextOptions {
    /// The sentiment lexicon for a language (VADER English when none is configured).
    pub fn lexicon(&self, language: &str) -> &SentimentLexicon {
        self.sentiment_lexicons
            .get(language)
            .unwrap_or_else(|| SentimentLexicon::english())
    }

    /// The language of a text: the record's, else the options', else detected.
    pub fn language_of(&self, record_language: Option<&str>, text: &str) -> String {
        record_language
            .or(self.language.as_deref())
            .map(primary_subtag)
            .unwrap_or_else(|| keywords::detect_language(text).to_string())
    }
}

/// `es-MX` -> `es` (lower case).
fn primary_subtag(tag: &str) -> String {
    tag.split(['-', '_'])
        .next()
        .unwrap_or(tag)
        .trim()
        .to_lowercase()
}

/// The text of a call (SPEC 4.6): its summary when it has a non-blank one, else its transcript
/// with the customer's turns first (`customer` or `user` speakers), then the others, each in
/// order, joined by newlines. `None` when the call has neither.
pub fn call_text(record: &CallRecord) -> Option<String> {
    if let Some(summary) = record.summary.as_deref()
        && !summary.trim().is_empty()
    {
        return Some(summary.trim().to_string());
    }
    let is_customer = |speaker: &str| {
        let speaker = speaker.to_ascii_lowercase();
        speaker == "customer" || speaker == "user" || speaker == "caller"
    };
    let turns = record
        .transcript
        .iter()
        .filter(|t| !t.text.trim().is_empty());
    let customer = turns.clone().filter(|t| is_customer(&t.speaker));
    let others = turns.filter(|t| !is_customer(&t.speaker));
    let text = customer
        .chain(others)
        .map(|t| t.text.trim())
        .collect::<Vec<_>>()
        .join("\n");
    if text.is_empty() { None } else { Some(text) }
}

/// Sentiment of a text with VADER's English lexicon as a JSON object
/// `{compound, pos, neu, neg, label}` (the `callscope text sentiment` line).
pub fn sentiment_json(text: &str) -> serde_json::Value {
    polarity_json(&sentiment::polarity_scores(text))
}

fn polarity_json(p: &Polarity) -> serde_json::Value {
    serde_json::json!({
        "compound": p.compound,
        "pos": p.pos,
        "neu": p.neu,
        "neg": p.neg,
        "label": p.label().as_str(),
    })
}

/// The intent rows of the report (`intents`): one intent per call that has a text or a
/// provider intent, sorted by count descending.
pub fn intent_rows(records: &[CallRecord], options: &TextOptions) -> Vec<IntentRow> {
    let mut aggregate = IntentAggregate::default();
    for record in records {
        aggregate.add_record(record, options);
    }
    aggregate.rows()
}

/// The keyword rows of the report (`keywords`), the `top` most frequent.
pub fn keyword_rows(records: &[CallRecord], options: &TextOptions, top: usize) -> Vec<KeywordRow> {
    let mut aggregate = KeywordAggregate::default();
    aggregate.add_records(records, options);
    aggregate.rows(top)
}

/// The `callscope text sentiment|keywords|intent [--lang CODE]` command: one text per input
/// line, one JSON object per output line (sentiment `{compound, pos, neu, neg, label}`, keywords
/// `{keywords: [{keyword, score}]}`, intent `{intent, confidence}`). Input that is not UTF-8 is
/// read with replacement characters; a trailing `\r` is dropped.
pub fn run_text_command(
    kind: &str,
    lang: Option<&str>,
    mut input: impl BufRead,
    mut output: impl Write,
) -> Result<()> {
    #[derive(Clone, Copy)]
    enum Kind {
        Sentiment,
        Keywords,
        Intent,
    }
    let kind = match kind {
        "sentiment" => Kind::Sentiment,
        "keywords" => Kind::Keywords,
        "intent" => Kind::Intent,
        other => {
            return Err(Error::InvalidOption {
                option: "text".into(),
                reason: format!(
                    "unknown analysis {other:?}: expected sentiment, keywords or intent"
                ),
            });
        }
    };
    let options = TextOptions {
        language: lang.map(primary_subtag),
        ..TextOptions::default()
    };
    let taxonomy = IntentTaxonomy::default_taxonomy();
    let io_error = |cause| Error::Io {
        source_name: "-".into(),
        cause,
    };
    let mut buffer = Vec::new();
    loop {
        buffer.clear();
        if input.read_until(b'\n', &mut buffer).map_err(io_error)? == 0 {
            break;
        }
        if buffer.last() == Some(&b'\n') {
            buffer.pop();
            if buffer.last() == Some(&b'\r') {
                buffer.pop();
            }
        }
        let text = String::from_utf8_lossy(&buffer);
        let value = match kind {
            Kind::Sentiment => {
                let language = options.language_of(None, &text);
                let lexicon = options.lexicon(&language);
                polarity_json(&sentiment::polarity_scores_with(lexicon, &text))
            }
            Kind::Keywords => {
                let language = options.language_of(None, &text);
                let found = keywords::extract(&text, &language, &options);
                serde_json::json!({ "keywords": found })
            }
            Kind::Intent => serde_json::to_value(taxonomy.classify(&text)).unwrap_or_default(),
        };
        serde_json::to_writer(&mut output, &value)
            .map_err(|e| io_error(std::io::Error::other(e)))?;
        output.write_all(b"\n").map_err(io_error)?;
    }
    output.flush().map_err(io_error)
}

/// A record for the text tests: `vapi:{id}` started at an RFC 3339 instant.
#[cfg(test)]
pub(crate) fn test_record(id: &str, started_at: &str, summary: Option<&str>) -> CallRecord {
    let mut draft = crate::CallDraft::new(crate::Provider::Vapi, id);
    draft.started_at = started_at.parse().ok();
    draft.summary = summary.map(str::to_string);
    match draft.into_record(false) {
        Ok((record, _)) => record,
        Err(issue) => panic!("test record: {}", issue.reason),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::TranscriptTurn;

    fn turn(speaker: &str, text: &str) -> TranscriptTurn {
        TranscriptTurn {
            speaker: speaker.into(),
            start_s: None,
            end_s: None,
            text: text.into(),
            confidence: None,
            language: None,
        }
    }

    #[test]
    fn call_text_prefers_summary_then_customer_turns() {
        let mut record = test_record("1", "2024-05-01T10:00:00Z", None);
        record.transcript = vec![
            turn("agent", "How can I help?"),
            turn("customer", "My bill is wrong."),
            turn("assistant", "Let me check."),
            turn("customer", "Thanks."),
        ];
        assert_eq!(
            call_text(&record).as_deref(),
            Some("My bill is wrong.\nThanks.\nHow can I help?\nLet me check.")
        );
        record.summary = Some("  Billing dispute.  ".into());
        assert_eq!(call_text(&record).as_deref(), Some("Billing dispute."));
        record.summary = Some(" ".into());
        record.transcript.clear();
        assert_eq!(call_text(&record), None);
    }

    #[test]
    fn command_lines() {
        let input = "The book was good.\r\nI want to cancel my subscription\n\n";
        let mut out = Vec::new();
        run_text_command("sentiment", None, input.as_bytes(), &mut out).unwrap_or_default();
        let text = String::from_utf8_lossy(&out);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(
            lines[0],
            r#"{"compound":0.4404,"pos":0.492,"neu":0.508,"neg":0.0,"label":"positive"}"#
        );
        assert_eq!(
            lines[2],
            r#"{"compound":0.0,"pos":0.0,"neu":0.0,"neg":0.0,"label":"neutral"}"#
        );

        let mut out = Vec::new();
        run_text_command("intent", None, input.as_bytes(), &mut out).unwrap_or_default();
        let text = String::from_utf8_lossy(&out);
        assert!(
            text.lines()
                .nth(1)
                .unwrap_or("")
                .contains(r#""intent":"cancellation""#),
            "{text}"
        );

        let mut out = Vec::new();
        run_text_command("keywords", Some("en"), input.as_bytes(), &mut out).unwrap_or_default();
        let text = String::from_utf8_lossy(&out);
        assert!(
            text.lines().nth(1).unwrap_or("").contains("subscription"),
            "{text}"
        );

        assert!(run_text_command("mood", None, input.as_bytes(), Vec::new()).is_err());
    }
}
