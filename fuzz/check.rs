//! What every ingest target checks on a successful read (each target includes this file with
//! `#[path = "../check.rs"] mod check;`; it lives outside `fuzz_targets/` because it is not a
//! target).

use callscope::analytics::{AnalyticsOptions, Granularity};
use callscope::ingest::{IngestOptions, Ingested, Ingestor};

/// At most this many concurrency buckets per report in the fuzzer (see [`granularity`]).
const FUZZ_BUCKETS: u64 = 20_000;

/// The report balances (every item is a record, a merged duplicate or a rejection), and the
/// full SPEC 6 report of the records — summary, KPIs, breakdowns, concurrency, text — is
/// computed without a panic or an overflow, whatever the values read.
pub fn check(out: &Ingested) {
    assert!(
        out.report.is_balanced(),
        "unbalanced report: {:?}",
        out.report
    );
    let analytics = AnalyticsOptions {
        allow_mixed_tenants: true,
        granularity: granularity(out),
        ..Default::default()
    };
    if let Err(e) = callscope::report::build(out, &analytics, false) {
        // The one documented refusal: a concurrency series over more than 2,000,000 buckets.
        assert_eq!(
            e.code(),
            "InvalidOption",
            "report failed on ingested records: {e}"
        );
    }
}

/// The default hourly series, or fixed buckets wide enough for at most [`FUZZ_BUCKETS`] when
/// the records span centuries. A two-call input 200 years wide is a legitimate 1.7-million-bucket
/// hourly series (1.5 GB and seconds in an instrumented build): correct, but it would stall the
/// fuzzer on every mutation of it. The bucket arithmetic is the same code either way.
pub fn granularity(out: &Ingested) -> Granularity {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let (mut lo, mut hi) = (now, now);
    for r in &out.records {
        let start = r.started_at.timestamp();
        let end = r.effective_end().map_or(start, |e| e.timestamp());
        lo = lo.min(start);
        hi = hi.max(end);
    }
    let span = hi.saturating_sub(lo).unsigned_abs();
    if span / 3600 <= FUZZ_BUCKETS {
        Granularity::Hour
    } else {
        Granularity::Seconds(span / FUZZ_BUCKETS + 1)
    }
}

/// With an ingest window: the windowed ingest balances and reports like any other, and the
/// report read as a stream (`report_reader`, what the WASM binding uses for a `Uint8Array`,
/// finishing idle calls while reading) is the report of the same bytes read whole.
#[allow(dead_code)] // used by the `ingest` target only; the other targets include this file too
pub fn check_windowed(data: &[u8], window: usize) {
    let options = callscope::ingest::IngestOptions {
        window: Some(window),
        ..Default::default()
    };
    let Ok(out) = callscope::ingest::ingest_bytes("fuzz", data, &options) else {
        return;
    };
    check(&out);
    let report = callscope::report::ReportOptions {
        ingest: options,
        analytics: AnalyticsOptions {
            allow_mixed_tenants: true,
            granularity: granularity(&out),
            ..Default::default()
        },
        skip_text: false,
    };
    let whole = callscope::report::report_bytes("fuzz", data, &report).map_err(|e| e.to_string());
    let streamed =
        callscope::report::report_reader("fuzz", data, &report).map_err(|e| e.to_string());
    assert_eq!(whole, streamed, "report_reader differs from report_bytes");
}

/// Finishing calls where they are read (API list pages, pieces of NDJSON lines; README
/// "Many inputs") gives the report of holding every call: `data` cut by its first byte into up
/// to three documents (or given twice), their report (`report_documents`) equals the one with
/// an ingest window larger than the input (which holds every call and never finds an item
/// late), lenient and strict, or fails with the same error.
#[allow(dead_code)] // used by the `report_local` target only
pub fn check_local(data: &[u8]) {
    let Some((&cut, rest)) = data.split_first() else {
        return;
    };
    let at = usize::from(cut >> 2) * rest.len() / 64;
    let (a, b) = rest.split_at(at.min(rest.len()));
    let docs: Vec<(String, &[u8])> = match cut & 3 {
        0 => vec![("a".into(), rest)],
        1 => vec![("a".into(), a), ("b".into(), b)],
        2 => vec![("a".into(), a), ("b".into(), b), ("c".into(), a)],
        _ => vec![("a".into(), rest), ("b".into(), rest)],
    };
    // (a series of at most FUZZ_BUCKETS buckets over the records, as `granularity` says)
    let granularity = callscope::ingest::ingest_documents(&docs, &IngestOptions::default())
        .map_or(Granularity::Hour, |out| granularity(&out));
    for strict in [false, true] {
        let local = callscope::report::ReportOptions {
            ingest: IngestOptions {
                strict,
                ..Default::default()
            },
            analytics: AnalyticsOptions {
                allow_mixed_tenants: true,
                granularity,
                ..Default::default()
            },
            skip_text: false,
        };
        let held = callscope::report::ReportOptions {
            ingest: IngestOptions {
                window: Some(usize::MAX),
                ..local.ingest.clone()
            },
            ..local.clone()
        };
        let read = callscope::report::report_documents(&docs, &local).map_err(|e| e.to_string());
        let all = callscope::report::report_documents(&docs, &held).map_err(|e| e.to_string());
        assert_eq!(
            read, all,
            "finishing calls where read differs from holding every call"
        );
        // a report of the summary and the concurrency series alone reads lean (no parties,
        // queue, notes, ...): the same ingest report, summary and series, or the same error
        let lean = callscope::report::ReportOptions {
            analytics: AnalyticsOptions {
                sections: Some(vec![
                    callscope::analytics::Section::Summary,
                    callscope::analytics::Section::Concurrency,
                ]),
                ..local.analytics.clone()
            },
            skip_text: true,
            ..local.clone()
        };
        assert!(lean.lean());
        let parts =
            |v: serde_json::Value| ["ingest", "summary", "concurrency"].map(|k| v.get(k).cloned());
        let lean_read =
            callscope::report::report_documents(&docs, &lean).map_err(|e| e.to_string());
        assert_eq!(
            lean_read.map(parts),
            read.map(parts),
            "a lean report differs from the whole report's sections"
        );
    }
}

/// The records converted in order (`Ingestor::finish_with`: a first pass for the order, a
/// second that finishes and converts in it) are those of `finish` (`out`, the same bytes
/// read with the same options), in the same order, with the same report.
#[allow(dead_code)] // used by the `ingest` target only
pub fn check_converted(data: &[u8], options: &IngestOptions, out: &Ingested) {
    let Ok(mut ingestor) = Ingestor::new(options) else {
        return;
    };
    if ingestor.add_bytes("fuzz", data).is_err() {
        return;
    }
    let line = |r: &callscope::model::CallRecord| serde_json::to_string(r).unwrap_or_default();
    let (lines, report) = ingestor.finish_with(|r| line(&r));
    let want: Vec<String> = out.records.iter().map(line).collect();
    assert_eq!(lines, want, "finish_with differs from finish");
    assert_eq!(
        report, out.report,
        "finish_with's report differs from finish's"
    );
}
