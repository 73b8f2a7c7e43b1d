//! Stage benchmarks of the ingest + report pipeline on generated native exports.
//!
//! `cargo bench -p callscope-benches --bench pipeline` (full run) or
//! `cargo bench -p callscope-benches -- --test` (smoke: every bench once, for CI).
//!
//! Stages: parse per provider (bytes/s: JSON to folded records; generated Twilio and JustCall
//! pages with and without `extra`, and every provider's fixture files), the reading of those
//! pages alone (the fast lane's JSON reader and serde_json into the same structs),
//! phone normalization, timestamp parsing, each aggregate (summary, KPIs, breakdowns, ended
//! reasons, concurrency; calls/s), the filtered and sorted list of calls, and the full report. The inputs are generated here with a fixed linear congruential sequence in the
//! shapes `benches/compare/gen_exports.py` writes (Twilio REST `Calls.json` pages, JustCall
//! v2.1 `GET /calls` pages), so no data file is needed.

use callscope::CallRecord;
use callscope::analytics::{
    self, AnalyticsOptions, CallFilter, Dimension, Granularity, ListQuery, Report, SortField,
    SortOrder,
};
use callscope::ingest::{IngestOptions, ingest_bytes};
use callscope::model::{Direction, Outcome, Provider};
use callscope::providers::read_typed;
use callscope_benches::{Lcg, start};
use divan::counter::{BytesCount, ItemsCount};
use divan::{Bencher, black_box};
use std::sync::OnceLock;

fn main() {
    divan::main();
}

/// Calls per generated page.
const CALLS: usize = 2_000;

/// A Twilio REST call-list page of `CALLS` calls.
fn twilio_page() -> &'static [u8] {
    static PAGE: OnceLock<Vec<u8>> = OnceLock::new();
    PAGE.get_or_init(|| callscope_benches::twilio_page(CALLS, 20_260_302))
}

/// A JustCall v2.1 call-list page of `CALLS` calls.
fn justcall_page() -> &'static [u8] {
    static PAGE: OnceLock<Vec<u8>> = OnceLock::new();
    PAGE.get_or_init(|| callscope_benches::justcall_page(CALLS, 7))
}

fn options(provider: Provider, keep_extra: bool) -> IngestOptions {
    IngestOptions {
        provider: Some(provider),
        keep_extra,
        ..IngestOptions::default()
    }
}

/// Parse (JSON to folded, finished records) per provider, bytes/s.
#[divan::bench(args = [true, false])]
fn parse_twilio(bencher: Bencher, keep_extra: bool) {
    let page = twilio_page();
    let opts = options(Provider::Twilio, keep_extra);
    bencher
        .counter(BytesCount::new(page.len()))
        .bench(|| black_box(ingest_bytes("page.json", black_box(page), &opts)));
}

/// Parse (JSON to folded, finished records) per provider, bytes/s.
#[divan::bench(args = [true, false])]
fn parse_justcall(bencher: Bencher, keep_extra: bool) {
    let page = justcall_page();
    let opts = options(Provider::JustCall, keep_extra);
    bencher
        .counter(BytesCount::new(page.len()))
        .bench(|| black_box(ingest_bytes("page.json", black_box(page), &opts)));
}

/// Reading alone: the page read into the typed fast lane's structs (no detection checks,
/// mapping, packing or analytics) by the lane's own JSON reader or by serde_json, bytes/s on
/// one thread. Against `parse_twilio`, what reading the bytes costs of the whole parse.
#[divan::bench(args = ["lane", "serde_json"])]
fn read_twilio(bencher: Bencher, reader: &str) {
    read_only(bencher, Provider::Twilio, twilio_page(), reader);
}

/// As `read_twilio`, for the JustCall page.
#[divan::bench(args = ["lane", "serde_json"])]
fn read_justcall(bencher: Bencher, reader: &str) {
    read_only(bencher, Provider::JustCall, justcall_page(), reader);
}

fn read_only(bencher: Bencher, provider: Provider, page: &[u8], reader: &str) {
    let text = std::str::from_utf8(page).expect("generated pages are UTF-8");
    let lane = reader == "lane";
    // a page the reader gives up on would time nothing
    assert_eq!(read_typed(provider, text, lane), Some(CALLS));
    bencher
        .counter(BytesCount::new(page.len()))
        .bench(|| black_box(read_typed(provider, black_box(text), lane)));
}

/// Parse every provider's fixture files (`tests/data/<provider>/`: real public payload
/// samples, a few KB each) with provider detection and default options, bytes/s. The files
/// are small, so this measures per-item cost (detection, mapping, folding) more than
/// throughput on large exports (`parse_twilio`, `parse_justcall`).
#[divan::bench(args = ["asterisk", "callapi", "callcenter", "freeswitch", "justcall", "mightycall", "retell", "twilio", "vapi"])]
fn parse_fixtures(bencher: Bencher, provider: &str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/data")
        .join(provider);
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .filter_map(|p| Some((p.display().to_string(), std::fs::read(&p).ok()?)))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    let opts = IngestOptions::default();
    bencher.counter(BytesCount::new(bytes)).bench(|| {
        for (name, data) in &files {
            let _ = black_box(ingest_bytes(name, black_box(data), &opts));
        }
    });
}

/// E.164 normalization of distinct NANP numbers (memo misses) and of one repeated number.
#[divan::bench(args = ["distinct", "repeated"])]
fn normalize_phone(bencher: Bencher, kind: &str) {
    let mut rng = Lcg(3);
    let numbers: Vec<String> = (0..1000)
        .map(|_| match kind {
            "distinct" => format!("+1415{:07}", rng.below(10_000_000)),
            _ => "+14155550100".to_string(),
        })
        .collect();
    let mut round = 0u64;
    bencher
        .counter(ItemsCount::new(numbers.len()))
        .bench_local(|| {
            // a new number prefix every round keeps "distinct" numbers out of the memo
            round += 1;
            for n in &numbers {
                let text = if kind == "distinct" {
                    format!("+1{}{}", 200 + round % 700, &n[5..])
                } else {
                    n.clone()
                };
                black_box(callscope::phone::normalize(&text));
            }
        });
}

/// Timestamp parsing of Twilio's RFC 2822 layout and of ISO 8601 UTC.
#[divan::bench(args = ["Mon, 02 Mar 2026 09:14:03 +0000", "2026-03-02T09:14:03Z", "2026-03-02T09:14:03.250-05:00"])]
fn parse_instant(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    callscope::time::parse_instant(black_box(text), chrono_tz::Tz::UTC)
}

/// The records of both generated pages, ingested once.
fn records() -> &'static [CallRecord] {
    static RECORDS: OnceLock<Vec<CallRecord>> = OnceLock::new();
    RECORDS.get_or_init(|| {
        let mut all = Vec::new();
        for (page, provider) in [
            (twilio_page(), Provider::Twilio),
            (justcall_page(), Provider::JustCall),
        ] {
            if let Ok(done) = ingest_bytes("page.json", page, &options(provider, false)) {
                all.extend(done.records);
            }
        }
        all
    })
}

fn minute() -> AnalyticsOptions {
    AnalyticsOptions {
        granularity: Granularity::Minute,
        ..AnalyticsOptions::default()
    }
}

/// Summary (SPEC 4.1), calls/s.
#[divan::bench]
fn summary(bencher: Bencher) {
    let (recs, opts) = (records(), minute());
    bencher
        .counter(ItemsCount::new(recs.len()))
        .bench(|| black_box(analytics::summary(recs, &opts)));
}

/// KPIs, calls/s.
#[divan::bench]
fn kpis(bencher: Bencher) {
    let (recs, opts) = (records(), minute());
    bencher
        .counter(ItemsCount::new(recs.len()))
        .bench(|| black_box(analytics::kpis(recs, &opts)));
}

/// Breakdowns by agent and by day, calls/s.
#[divan::bench(args = ["agent", "day"])]
fn breakdown(bencher: Bencher, dimension: &str) {
    let (recs, opts) = (records(), minute());
    let dim = if dimension == "agent" {
        Dimension::Agent
    } else {
        Dimension::Day
    };
    bencher
        .counter(ItemsCount::new(recs.len()))
        .bench(|| black_box(analytics::breakdown(recs, &opts, dim)));
}

/// Ended reasons (SPEC 4.4), calls/s.
#[divan::bench]
fn ended_reasons(bencher: Bencher) {
    let (recs, opts) = (records(), minute());
    bencher
        .counter(ItemsCount::new(recs.len()))
        .bench(|| black_box(analytics::ended_reasons(recs, &opts)));
}

/// A filtered, sorted page of calls (SPEC 4.7): the missed inbound calls, longest wait first,
/// page 2 of 50, calls/s.
#[divan::bench]
fn list_calls(bencher: Bencher) {
    let recs = records();
    let query = ListQuery {
        filter: CallFilter {
            direction: vec![Direction::Inbound],
            outcome: vec![Outcome::Missed],
            ..CallFilter::default()
        },
        sort: SortField::WaitS,
        order: SortOrder::Desc,
        page: 2,
        limit: 50,
    };
    // a page with calls on it, or the bench would time an empty answer
    assert!(!analytics::list_calls(recs, &query).items.is_empty());
    bencher
        .counter(ItemsCount::new(recs.len()))
        .bench(|| black_box(analytics::list_calls(recs, &query)));
}

/// Per-minute concurrency series (SPEC 4.5), calls/s.
#[divan::bench]
fn concurrency(bencher: Bencher) {
    let (recs, opts) = (records(), minute());
    bencher
        .counter(ItemsCount::new(recs.len()))
        .bench(|| black_box(analytics::concurrency(recs, &opts)));
}

/// `n` calls for the scaled concurrency bench: the ingested records of both pages repeated
/// with new start instants (uniform over the same 14 days, fixed seed), each keeping its own
/// length, answer delay and outcome.
fn many_records(n: usize) -> &'static [CallRecord] {
    /// The generated record lists by size.
    type Scaled = std::sync::Mutex<Vec<(usize, &'static [CallRecord])>>;
    static SCALED: OnceLock<Scaled> = OnceLock::new();
    let cache = SCALED.get_or_init(Default::default);
    let mut cache = cache
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, recs)) = cache.iter().find(|(size, _)| *size == n) {
        return recs;
    }
    let base = records();
    let mut rng = Lcg(20_261_122);
    let recs: Vec<CallRecord> = (0..n)
        .filter_map(|i| {
            let mut r = base.get(i % base.len().max(1))?.clone();
            let shift = chrono::DateTime::from_timestamp(start(&mut rng), 0)? - r.started_at;
            r.started_at += shift;
            r.answered_at = r.answered_at.map(|t| t + shift);
            r.ended_at = r.ended_at.map(|t| t + shift);
            Some(r)
        })
        .collect();
    // Leaked once per size for the process lifetime of the bench, like the OnceLock inputs.
    let recs: &'static [CallRecord] = Vec::leak(recs);
    cache.push((n, recs));
    recs
}

/// Per-minute concurrency series (SPEC 4.5) over 100k and 1M calls in the same 14 days
/// (20,160 buckets), calls/s: the size where the O(n log n) part dominates.
#[divan::bench(args = [100_000, 1_000_000], sample_count = 10)]
fn concurrency_scaled(bencher: Bencher, calls: usize) {
    let (recs, opts) = (many_records(calls), minute());
    bencher
        .counter(ItemsCount::new(recs.len()))
        .bench(|| black_box(analytics::concurrency(recs, &opts)));
}

/// The full analytics report at minute granularity, calls/s. The records are of two
/// providers (two tenants): mixed tenants are allowed, or `compute` would stop at the
/// mixed-tenant check and the bench would time that error.
#[divan::bench]
fn report(bencher: Bencher) {
    let recs = records();
    let opts = AnalyticsOptions {
        allow_mixed_tenants: true,
        ..minute()
    };
    assert!(
        Report::compute(recs, &opts).is_ok(),
        "the report bench must compute a report"
    );
    bencher
        .counter(ItemsCount::new(recs.len()))
        .bench(|| black_box(Report::compute(recs, &opts)));
}
