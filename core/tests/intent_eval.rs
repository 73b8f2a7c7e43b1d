//! Intent accuracy on hand-labelled call summaries and transcript snippets (en, es, ar):
//! - `tests/data/intent_eval.jsonl` (305 texts): written after the first default cues; the cues
//!   were then extended twice after measuring on it (development set);
//! - `tests/data/intent_dev2.jsonl` (120 texts): written as a held-out set after the first
//!   extension, measured once (77.5 %), then used for the second extension (development set);
//! - `tests/data/intent_heldout.jsonl` (120 texts): written after the second extension, never
//!   used to change the cues (held-out set): 82.5 % (99 / 120).
//!
//! `cargo test -p callscope --test intent_eval -- --nocapture --test-threads 1` prints each
//! accuracy and confusion matrix (rows: labelled intent, columns: predicted).

use std::collections::BTreeMap;

use callscope::text::IntentTaxonomy;

#[derive(serde::Deserialize)]
struct Case {
    text: String,
    intent: String,
}

fn accuracy(path: &str, minimum_cases: usize) -> f64 {
    let data = std::fs::read_to_string(path).unwrap_or_default();
    let cases: Vec<Case> = data
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert!(
        cases.len() >= minimum_cases,
        "{} cases read from {path}",
        cases.len()
    );

    let taxonomy = IntentTaxonomy::default_taxonomy();
    let mut labels: Vec<String> = taxonomy.intents.iter().map(|i| i.name.clone()).collect();
    labels.push(taxonomy.fallback.clone());
    let mut matrix: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut correct = 0usize;
    let mut misses = Vec::new();
    for case in &cases {
        let guess = taxonomy.classify(&case.text);
        if guess.intent == case.intent {
            correct += 1;
        } else {
            misses.push(format!(
                "  {} -> {}: {}",
                case.intent, guess.intent, case.text
            ));
        }
        *matrix
            .entry((case.intent.clone(), guess.intent))
            .or_default() += 1;
    }
    let accuracy = correct as f64 / cases.len() as f64;
    println!("{path}");
    println!(
        "intent accuracy: {correct} / {} = {:.1} %",
        cases.len(),
        accuracy * 100.0
    );
    let short = |name: &str| name.chars().take(6).collect::<String>();
    print!("{:>17}", "labelled \\ pred");
    for label in &labels {
        print!(" {:>6}", short(label));
    }
    println!();
    for row in &labels {
        print!("{row:>17}");
        for column in &labels {
            print!(
                " {:>6}",
                matrix
                    .get(&(row.clone(), column.clone()))
                    .copied()
                    .unwrap_or(0)
            );
        }
        println!();
    }
    println!("misclassified:");
    for miss in &misses {
        println!("{miss}");
    }
    accuracy
}

#[test]
fn intent_accuracy_on_evaluation_set() {
    let accuracy = accuracy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/data/intent_eval.jsonl"
        ),
        300,
    );
    assert!(
        accuracy >= 0.85,
        "accuracy {accuracy:.3} below the 0.85 target"
    );
}

#[test]
fn intent_accuracy_on_second_development_set() {
    let accuracy = accuracy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/data/intent_dev2.jsonl"
        ),
        100,
    );
    assert!(
        accuracy >= 0.85,
        "accuracy {accuracy:.3} below the 0.85 target"
    );
}

#[test]
fn intent_accuracy_on_held_out_set() {
    let accuracy = accuracy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/data/intent_heldout.jsonl"
        ),
        100,
    );
    // measured once, untouched since: 82.5 % (99 / 120), below the 85 % target; this floor
    // guards against regressions without pretending the target is met
    assert!(
        accuracy >= 0.80,
        "held-out accuracy {accuracy:.3} below 0.80"
    );
}
