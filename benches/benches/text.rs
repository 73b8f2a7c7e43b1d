//! Text analytics throughput on ~300-character call summaries.
//!
//! `cargo bench -p callscope-benches --bench text`; texts/s = 1 / (median time per text).

use callscope::text::TextOptions;
use callscope::text::keywords::KeywordExtractor;
use callscope::text::sentiment::polarity_scores;
use divan::{Bencher, black_box, counter::ItemsCount};

fn main() {
    divan::main();
}

/// Realistic summaries of 280 to 330 characters.
const SUMMARIES: &[&str] = &[
    "The customer called because she was charged twice for her March invoice. The agent confirmed the duplicate charge, apologized for the inconvenience and issued a refund of $49.99 to her credit card. She was happy with the quick resolution but asked to be notified by email once it is processed.",
    "Caller reported that his home internet has been dropping every evening for a week. The assistant walked him through restarting the router and checking the cables, but the problem persisted. A technician visit was scheduled for Thursday morning between 9 and 11. He was frustrated but polite.",
    "The caller wanted to know the price of the premium plan and whether there is a discount for annual payment. The agent explained the pricing tiers, mentioned the current 20% promotion and sent a quote by email. The customer said she would compare offers and call back next week to decide.",
    "Customer is very unhappy: his order was supposed to arrive on Monday and the tracking page has not been updated for five days. The agent opened an investigation with the courier, offered free express shipping on the next order and promised an update within 48 hours. He remained upset.",
    "Patient called to reschedule her dental cleaning appointment from Tuesday to next Friday afternoon. The receptionist found an open slot at 3:30 PM, confirmed the new time and reminded her to bring her insurance card. She thanked the team for being so flexible and said the service was excellent.",
];

#[divan::bench]
fn sentiment(bencher: Bencher) {
    bencher.counter(ItemsCount::new(SUMMARIES.len())).bench(|| {
        for text in SUMMARIES {
            black_box(polarity_scores(black_box(text)));
        }
    });
}

#[divan::bench]
fn keywords(bencher: Bencher) {
    let extractor = KeywordExtractor::new(&TextOptions::default());
    bencher.counter(ItemsCount::new(SUMMARIES.len())).bench(|| {
        for text in SUMMARIES {
            black_box(extractor.extract(black_box(text), "en"));
        }
    });
}

#[divan::bench]
fn intent(bencher: Bencher) {
    let taxonomy = callscope::text::IntentTaxonomy::default_taxonomy();
    bencher.counter(ItemsCount::new(SUMMARIES.len())).bench(|| {
        for text in SUMMARIES {
            black_box(taxonomy.classify(black_box(text)));
        }
    });
}
