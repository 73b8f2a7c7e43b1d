//! Replay every fuzz seed (`fuzz/corpus/<target>/`) and every crash the fuzzers found
//! (`fuzz/regressions/<target>/`) through the code path of its target, so `cargo test` keeps
//! them fixed without cargo-fuzz or a nightly toolchain.
//!
//! The directory name picks the path, so a target added later is picked up on its own:
//! - a provider name (`retell`, `twilio`, ...): `ingest_bytes` with that `provider` option,
//!   lenient and strict, and the report must balance;
//! - `ingest`: `ingest_bytes` with provider detection, lenient and strict; then with an ingest
//!   window, where the report read as a stream (`report::report_reader`) must be the report of
//!   the bytes read whole (`fuzz/check.rs`, `check_windowed`);
//! - `detect`: format sniffing and JSON provider detection;
//! - `time`: the timestamp and phone-number readers;
//! - `fast_lane`: ingest without `extra`, with the typed fast lane and on the general path
//!   only, detected and as Twilio / JustCall, lenient and strict: the same result;
//! - `csv`: the rows under the target's fixed header, through its generic column mapping and
//!   through detection, lenient and strict;
//! - `form`: `CallSid=` + the input, detected and as Twilio, lenient and strict;
//! - `report_local`: a report over the input cut into documents, calls finished where read
//!   and all held: the same report (`fuzz/check.rs`, `check_local`);
//! - any other name: like `ingest`.
//!
//! Every successful read also computes the full report, kept (over the records) and streamed
//! (`report::compute_streaming`), and the two must agree.

#![allow(clippy::unwrap_used)] // helpers of tests: a failed unwrap is a failed test

use callscope::ingest::{IngestOptions, format::sniff, ingest_bytes};
use callscope::model::Provider;
use callscope::providers::generic::GenericMapping;
use std::path::{Path, PathBuf};

#[path = "../../fuzz/check.rs"]
mod check;
use std::str::FromStr;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

/// (target, file) for every file under `fuzz/<kind>/<target>/`.
fn inputs(kind: &str) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let Ok(targets) = std::fs::read_dir(fuzz_dir().join(kind)) else {
        return out;
    };
    for target in targets.flatten() {
        let name = target.file_name().to_string_lossy().into_owned();
        let Ok(files) = std::fs::read_dir(target.path()) else {
            continue;
        };
        for f in files.flatten() {
            if f.path().is_file() {
                out.push((name.clone(), f.path()));
            }
        }
    }
    out.sort();
    out
}

fn ingest_both(provider: Option<Provider>, data: &[u8], file: &Path) {
    for strict in [false, true] {
        let options = IngestOptions {
            provider,
            strict,
            ..Default::default()
        };
        match ingest_bytes("fuzz", data, &options) {
            Ok(out) => {
                assert!(
                    out.report.is_balanced(),
                    "{}: unbalanced report (strict {strict}): {:?}",
                    file.display(),
                    out.report
                );
                assert_eq!(out.report.records_out, out.records.len() as u64);
                report_computes(&out, data, &options, file);
            }
            // an unreadable input is an error with a code, never a panic
            Err(e) => assert!(!e.code().is_empty(), "{}: {e}", file.display()),
        }
    }
}

/// As the targets do (fuzz/check.rs): the full report of what was read computes, or refuses
/// only a concurrency series over too many buckets. Also: the streamed report
/// (`report::compute_streaming`, what `callscope report` and the bindings use) gives the same
/// report, ingest report and error as computing over the kept records.
fn report_computes(
    out: &callscope::ingest::Ingested,
    data: &[u8],
    options: &IngestOptions,
    file: &Path,
) {
    let analytics = callscope::analytics::AnalyticsOptions {
        allow_mixed_tenants: true,
        ..Default::default()
    };
    let kept = callscope::report::build(out, &analytics, false);
    if let Err(e) = &kept {
        assert_eq!(e.code(), "InvalidOption", "{}: {e}", file.display());
    }
    let mut ingestor = callscope::ingest::Ingestor::new(options).unwrap();
    ingestor.add_bytes("fuzz", data).unwrap();
    let streamed = callscope::report::compute_streaming(ingestor, &analytics, false);
    match (kept, streamed) {
        (Ok(a), Ok((report, ingest))) => {
            assert_eq!(
                a,
                callscope::report::from_report(&report),
                "{}",
                file.display()
            );
            assert_eq!(
                serde_json::to_value(&out.report).unwrap(),
                serde_json::to_value(&ingest).unwrap(),
                "{}",
                file.display()
            );
        }
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{}", file.display()),
        (a, b) => panic!(
            "{}: kept {:?}, streamed {:?}",
            file.display(),
            a.err(),
            b.err()
        ),
    }
}

/// `ingest_bytes` with these options, lenient and strict: the report balances or the error has
/// a code.
fn ingest_checked(base: &IngestOptions, data: &[u8], file: &Path) {
    for strict in [false, true] {
        let options = IngestOptions {
            strict,
            ..base.clone()
        };
        match ingest_bytes("fuzz", data, &options) {
            Ok(out) => {
                assert!(
                    out.report.is_balanced(),
                    "{}: unbalanced report: {:?}",
                    file.display(),
                    out.report
                );
                assert_eq!(out.report.records_out, out.records.len() as u64);
                report_computes(&out, data, &options, file);
            }
            Err(e) => assert!(!e.code().is_empty(), "{}: {e}", file.display()),
        }
    }
}

/// The `csv` target's code path (fuzz/fuzz_targets/csv.rs): a fixed header, the input as rows.
fn replay_csv(data: &[u8], file: &Path) {
    let mut text =
        b"id,start,end,answered,duration,direction,status,from,to,agent,queue\n".to_vec();
    text.extend_from_slice(data);
    let column = |c: &str| Some(c.to_string());
    let mapping = GenericMapping {
        id: column("id"),
        started_at: column("start"),
        ended_at: column("end"),
        answered_at: column("answered"),
        duration_s: column("duration"),
        direction: column("direction"),
        status: column("status"),
        from: column("from"),
        to: column("to"),
        agent: column("agent"),
        queue: column("queue"),
        ..Default::default()
    };
    let mapped = IngestOptions {
        provider: Some(Provider::Generic),
        mapping: Some(mapping),
        ..Default::default()
    };
    ingest_checked(&mapped, &text, file);
    ingest_checked(&IngestOptions::default(), &text, file);
}

/// The `form` target's code path (fuzz/fuzz_targets/form.rs): `CallSid=` + the input.
fn replay_form(data: &[u8], file: &Path) {
    let mut text = b"CallSid=".to_vec();
    text.extend_from_slice(data);
    for provider in [None, Some(Provider::Twilio)] {
        let options = IngestOptions {
            provider,
            ..Default::default()
        };
        ingest_checked(&options, &text, file);
    }
}

/// The typed fast lane and the general path give the same records, report or error.
fn lanes_agree(data: &[u8], file: &Path) {
    for provider in [None, Some(Provider::Twilio), Some(Provider::JustCall)] {
        for strict in [false, true] {
            let lane = IngestOptions {
                provider,
                strict,
                keep_extra: false,
                ..Default::default()
            };
            let general = IngestOptions {
                general_path_only: true,
                ..lane.clone()
            };
            let (a, b) = (
                ingest_bytes("fuzz", data, &lane),
                ingest_bytes("fuzz", data, &general),
            );
            match (a, b) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{}: lanes differ", file.display()),
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{}", file.display()),
                (a, b) => panic!(
                    "{}: lane {:?}, general {:?}",
                    file.display(),
                    a.err(),
                    b.err()
                ),
            }
        }
    }
}

/// Run one input through its target's code path; panics on a failure.
fn replay(target: &str, data: &[u8], file: &Path) {
    match target {
        "detect" => {
            let _ = sniff(data);
            if let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) {
                let _ = callscope::providers::detect_json(&v);
            }
        }
        "time" => {
            if let Ok(s) = std::str::from_utf8(data) {
                let _ = callscope::time::parse_instant(s, chrono_tz::Tz::UTC);
                let _ = callscope::phone::normalize(s);
            }
        }
        "ingest" => {
            ingest_both(None, data, file);
            // as the target does: a windowed ingest, and the report read as a stream
            check::check_windowed(data, 1 + data.len() % 4);
        }
        "csv" => replay_csv(data, file),
        "form" => replay_form(data, file),
        "fast_lane" => {
            ingest_both(None, data, file);
            lanes_agree(data, file);
        }
        "report_local" => {
            ingest_both(None, data, file);
            check::check_local(data);
        }
        other => ingest_both(Provider::from_str(other).ok(), data, file),
    }
}

fn replay_all(kind: &str) -> usize {
    let all = inputs(kind);
    let mut failures = Vec::new();
    for (target, file) in &all {
        let Ok(data) = std::fs::read(file) else {
            continue;
        };
        let t = target.clone();
        let f = file.clone();
        if std::panic::catch_unwind(move || replay(&t, &data, &f)).is_err() {
            failures.push(file.display().to_string());
        }
    }
    assert!(
        failures.is_empty(),
        "{kind} inputs that fail: {failures:#?}"
    );
    all.len()
}

#[test]
fn every_corpus_seed_replays_cleanly() {
    let n = replay_all("corpus");
    assert!(n > 0, "no seeds found under fuzz/corpus");
}

#[test]
fn every_fuzz_crash_stays_fixed() {
    replay_all("regressions");
}

#[test]
fn every_fuzz_target_has_seeds() {
    // a target with no seeds starts from nothing; keep at least one file per target
    let targets = std::fs::read_dir(fuzz_dir().join("fuzz_targets")).unwrap();
    for t in targets.flatten() {
        let name = t.path().file_stem().unwrap().to_string_lossy().into_owned();
        let seeds = std::fs::read_dir(fuzz_dir().join("corpus").join(&name))
            .map(|d| d.count())
            .unwrap_or(0);
        assert!(seeds > 0, "fuzz/corpus/{name}/ is empty");
    }
}

#[test]
fn provider_targets_are_named_after_providers() {
    // a fuzz target named after a provider replays with that provider option; check the names
    // still parse, so a rename cannot silently turn a provider replay into detection
    for p in Provider::ALL {
        assert_eq!(Provider::from_str(p.as_str()).ok(), Some(*p));
    }
}
