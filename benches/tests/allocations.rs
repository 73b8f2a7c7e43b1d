//! Allocations on the report path, counted (issue 5: no per-record allocation in the hot
//! path). Once a lane and a fold are warm, a call's texts are written into reused buffers
//! (`model::buffers`), so what a call still costs is the one allocation of its packed form,
//! the memory it waits in until the whole input is read; and a report over files, which
//! finishes most calls where their page is read, packs only the calls at a page's edges.
//!
//! Counted by an instrumented global allocator (every allocation and reallocation of every
//! thread), so this file holds one test: tests run in parallel threads of one process.

use callscope::analytics::AnalyticsOptions;
use callscope::ingest::{IngestOptions, Ingestor};
use callscope::model::Provider;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use std::alloc::System;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Records out and allocations (with reallocations) of a report over `pages`, as
/// `callscope report --provider P --no-text` computes it.
fn report_allocations(provider: Provider, pages: &[Vec<u8>]) -> (u64, usize) {
    let analytics: AnalyticsOptions =
        serde_json::from_str(r#"{"granularity": "minute"}"#).expect("options");
    let region = Region::new(GLOBAL);
    let mut ingestor = Ingestor::new(&IngestOptions {
        provider: Some(provider),
        keep_extra: false,
        ..IngestOptions::default()
    })
    .expect("ingestor");
    for (i, page) in pages.iter().enumerate() {
        ingestor
            .add_bytes(&format!("page-{i}.json"), page)
            .expect("page");
    }
    let (_, ingest) =
        callscope::report::compute_streaming(ingestor, &analytics, true).expect("report");
    let stats = region.change();
    (ingest.records_out, stats.allocations + stats.reallocations)
}

/// [`report_allocations`] of the same pages as files in a folder, through
/// `report::compute_paths` (`callscope report FOLDER`), where a page's calls are finished as
/// the page is read.
fn files_report_allocations(provider: Provider, pages: &[Vec<u8>]) -> (u64, usize) {
    let dir = std::env::temp_dir().join(format!(
        "callscope-allocations-{}-{provider}-{}",
        std::process::id(),
        pages.len()
    ));
    std::fs::create_dir_all(&dir).expect("folder");
    for (i, page) in pages.iter().enumerate() {
        std::fs::write(dir.join(format!("page-{i}.json")), page).expect("page");
    }
    let options: callscope::report::ReportOptions = serde_json::from_str(&format!(
        r#"{{"granularity": "minute", "provider": "{provider}", "skipText": true}}"#
    ))
    .expect("options");
    let paths = [dir.to_string_lossy().into_owned()];
    let region = Region::new(GLOBAL);
    let (_, ingest) = callscope::report::compute_paths(&paths, &options, |_| {}).expect("report");
    let stats = region.change();
    let _ = std::fs::remove_dir_all(&dir);
    (ingest.records_out, stats.allocations + stats.reallocations)
}

#[test]
fn a_reported_call_costs_one_allocation_its_packed_form() {
    const CALLS: usize = 1_000;
    for (provider, page) in [
        (
            Provider::Twilio,
            callscope_benches::twilio_page as fn(usize, u64) -> Vec<u8>,
        ),
        (Provider::JustCall, callscope_benches::justcall_page),
    ] {
        let pages: Vec<Vec<u8>> = (1..=4).map(|seed| page(CALLS, seed)).collect();
        let (calls_one, one) = report_allocations(provider, &pages[..1]);
        let (calls_all, all) = report_allocations(provider, &pages);
        assert_eq!(calls_one, CALLS as u64, "{provider}");
        assert_eq!(calls_all, 4 * CALLS as u64, "{provider}");
        // what three more pages of calls cost: per call, the packed item; per page, its
        // reading, its lane's warm-up and a few growths of the aggregates' tables
        let per_call = (all - one) as f64 / (calls_all - calls_one) as f64;
        eprintln!("{provider}: {per_call:.3} allocations per call");
        assert!(
            (1.0..=1.1).contains(&per_call),
            "{provider}: {per_call:.3} allocations per call"
        );
        let (_, one) = files_report_allocations(provider, &pages[..1]);
        let (calls, all) = files_report_allocations(provider, &pages);
        assert_eq!(calls, calls_all, "{provider}");
        // the calls finished where their page is read are never packed: what is left is a
        // page's calls at its edges (held, packed), its partial's tables growing and their
        // merge into its group's (measured 0.32 Twilio, 0.44 JustCall)
        let per_call = (all - one) as f64 / (calls_all - calls_one) as f64;
        eprintln!("{provider}: {per_call:.3} allocations per call, files");
        assert!(
            per_call <= 0.6,
            "{provider}: {per_call:.3} allocations per call, files"
        );
    }
}
