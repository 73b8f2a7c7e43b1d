//! `report::compute_streaming` (each call counted in as it is finished, no record list) gives
//! what `report::compute` gives over `Ingestor::finish`'s records: the same report text, the
//! same ingest report, the same errors, for every fixture under `tests/data` and for
//! generated pages, under the options that change what is counted (strict, redact, time
//! window, tenant filter, mixed tenants, text on and off).

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use callscope::analytics::AnalyticsOptions;
use callscope::ingest::{IngestOptions, Ingestor};
use callscope::report::{compute, compute_streaming, report_json};

/// Both ways, as comparable text: the report JSON and the ingest report, or the error.
fn both(
    name: &str,
    bytes: &[u8],
    ingest: &IngestOptions,
    analytics: &AnalyticsOptions,
    skip_text: bool,
) {
    let read = || {
        let mut ingestor = Ingestor::new(ingest).unwrap();
        ingestor.add_bytes(name, bytes).map(|()| ingestor)
    };
    let (Ok(a), Ok(b)) = (read(), read()) else {
        return; // an input error comes before either way computes anything
    };
    let ingested = a.finish();
    let kept = compute(&ingested, analytics, skip_text)
        .map(|r| {
            (
                report_json(&r),
                serde_json::to_string(&ingested.report).unwrap(),
            )
        })
        .map_err(|e| e.to_string());
    let streamed = compute_streaming(b, analytics, skip_text)
        .map(|(r, ingest)| (report_json(&r), serde_json::to_string(&ingest).unwrap()))
        .map_err(|e| e.to_string());
    assert_eq!(
        kept, streamed,
        "{name}: {ingest:?} {analytics:?} skip_text={skip_text}"
    );
}

fn analytics_variants() -> Vec<AnalyticsOptions> {
    let at = |s: &str| s.parse().unwrap();
    let mut out = vec![AnalyticsOptions::default()];
    out.push(AnalyticsOptions {
        allow_mixed_tenants: true,
        ..Default::default()
    });
    out.push(AnalyticsOptions {
        allow_mixed_tenants: true,
        from: Some(at("2024-01-01T00:00:00Z")),
        to: Some(at("2025-06-01T00:00:00Z")),
        ..Default::default()
    });
    let mut tenant = AnalyticsOptions::default();
    tenant.filter.tenant = Some("AC0000000000000000000000000000000".into());
    out.push(tenant);
    out.push(
        AnalyticsOptions {
            allow_mixed_tenants: true,
            ..Default::default()
        }
        .with_time_zone("America/New_York")
        .unwrap(),
    );
    out
}

fn ingest_variants() -> Vec<IngestOptions> {
    let mut out = Vec::new();
    for strict in [false, true] {
        for redact in [false, true] {
            for keep_extra in [false, true] {
                out.push(IngestOptions {
                    strict,
                    redact,
                    keep_extra,
                    ..Default::default()
                });
            }
        }
    }
    out
}

/// Every file under `dir`, recursively.
fn files_under(dir: &std::path::Path, out: &mut Vec<(String, Vec<u8>)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, out);
        } else if path.extension().is_none_or(|e| e != "md") {
            out.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
}

/// The provider fixtures and the fuzz regression inputs (hostile shapes).
fn fixture_files() -> Vec<(String, Vec<u8>)> {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut files = Vec::new();
    for dir in ["../tests/data", "../fuzz/regressions"] {
        files_under(&std::path::Path::new(root).join(dir), &mut files);
    }
    files.retain(|(name, _)| !name.ends_with(".jsonl") || !name.contains("intent_"));
    files.sort();
    assert!(files.len() >= 30, "fixtures found: {}", files.len());
    files
}

#[test]
fn every_fixture_reports_the_same_streamed() {
    let analytics = analytics_variants();
    for (name, bytes) in fixture_files() {
        for ingest in ingest_variants() {
            for a in &analytics {
                for skip_text in [false, true] {
                    both(&name, &bytes, &ingest, a, skip_text);
                }
            }
        }
    }
}

#[test]
fn every_fixture_together_reports_the_same_streamed() {
    // all fixtures in one ingest: items of one call across files, many tenants
    let files = fixture_files();
    let read = |ingest: &IngestOptions| {
        let mut ingestor = Ingestor::new(ingest).unwrap();
        for (name, bytes) in &files {
            let _ = ingestor.add_bytes(name, bytes);
        }
        ingestor
    };
    for ingest in ingest_variants() {
        for a in &analytics_variants() {
            let ingested = read(&ingest).finish();
            let kept = compute(&ingested, a, false)
                .map(|r| {
                    (
                        report_json(&r),
                        serde_json::to_string(&ingested.report).unwrap(),
                    )
                })
                .map_err(|e| e.to_string());
            let streamed = compute_streaming(read(&ingest), a, false)
                .map(|(r, i)| (report_json(&r), serde_json::to_string(&i).unwrap()))
                .map_err(|e| e.to_string());
            assert_eq!(kept, streamed, "{ingest:?} {a:?}");
        }
    }
}

#[test]
fn a_mixed_tenant_error_is_the_same_streamed() {
    let page = |account: &str, sid: &str| {
        format!(
            r#"{{"calls": [{{"sid": "{sid}", "account_sid": "{account}", "status": "completed", "direction": "inbound", "from": "+14155550100", "to": "+14155550199", "start_time": "Mon, 02 Mar 2026 09:14:03 +0000", "end_time": "Mon, 02 Mar 2026 09:15:03 +0000", "duration": "60"}}]}}"#
        )
    };
    let mut ingestors = Vec::new();
    for _ in 0..2 {
        let mut ingestor = Ingestor::new(&IngestOptions::default()).unwrap();
        ingestor
            .add_bytes("a", page("ACone", "CA1").as_bytes())
            .unwrap();
        ingestor
            .add_bytes("b", page("ACtwo", "CA2").as_bytes())
            .unwrap();
        ingestors.push(ingestor);
    }
    let streamed = compute_streaming(ingestors.pop().unwrap(), &AnalyticsOptions::default(), true)
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert!(
        streamed.contains(r#"2 tenants ("ACone", "ACtwo")"#),
        "{streamed}"
    );
    let ingested = ingestors.pop().unwrap().finish();
    let kept = compute(&ingested, &AnalyticsOptions::default(), true)
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert_eq!(streamed, kept);
}

#[test]
fn reading_a_stream_reports_what_reading_the_bytes_does() {
    // `report_reader` (what the WASM binding uses for a `Uint8Array`) against `report_bytes`,
    // with and without an ingest window, and with invalid options (the same error first)
    use callscope::report::{ReportOptions, report_bytes, report_reader};
    let mut invalid = ReportOptions::default();
    invalid.analytics.service_level_threshold_s = -1.0;
    let mut windowed = ReportOptions::default();
    windowed.ingest.window = Some(3);
    windowed.analytics.allow_mixed_tenants = true;
    let mut strict = ReportOptions::default();
    strict.ingest.strict = true;
    strict.analytics.allow_mixed_tenants = true;
    strict.skip_text = true;
    for (name, bytes) in fixture_files() {
        for options in [&ReportOptions::default(), &invalid, &windowed, &strict] {
            let whole = report_bytes(&name, &bytes, options).map_err(|e| e.to_string());
            let streamed = report_reader(&name, &bytes[..], options).map_err(|e| e.to_string());
            assert_eq!(whole, streamed, "{name} {options:?}");
        }
    }
}
