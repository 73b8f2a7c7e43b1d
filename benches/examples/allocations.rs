//! Allocations per call of a report over export files, as `callscope report --provider P
//! --no-text --granularity minute` computes it: split into reading and mapping the pages, and
//! folding the calls and counting them into the report.
//!
//! `cargo run --release -p callscope-benches --example allocations -- twilio FILE...`
//! (the comparison data: `benches/compare/gen_exports.py twilio 100000 DIR`).

use callscope::analytics::AnalyticsOptions;
use callscope::ingest::{IngestOptions, Ingestor};
use callscope::model::Provider;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use std::alloc::System;
use std::process::ExitCode;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((provider, files)) = args.split_first() else {
        eprintln!("usage: allocations PROVIDER FILE...");
        return ExitCode::FAILURE;
    };
    match run(provider, files) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("allocations: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(provider: &str, files: &[String]) -> Result<(), Box<dyn std::error::Error>> {
    let provider: Provider = provider.parse()?;
    let analytics: AnalyticsOptions = serde_json::from_str(r#"{"granularity": "minute"}"#)?;
    let inputs = files
        .iter()
        .map(|f| std::fs::read(f).map(|bytes| (f, bytes)))
        .collect::<Result<Vec<_>, _>>()?;
    let region = Region::new(GLOBAL);
    let mut ingestor = Ingestor::new(&IngestOptions {
        provider: Some(provider),
        keep_extra: false,
        ..IngestOptions::default()
    })?;
    for (name, bytes) in &inputs {
        ingestor.add_bytes(name, bytes)?;
    }
    let read = region.change();
    let (_, ingest) = callscope::report::compute_streaming(ingestor, &analytics, true)?;
    let all = region.change();
    let count = |s: stats_alloc::Stats| (s.allocations + s.reallocations) as f64;
    let items = ingest.records_in as f64;
    let calls = ingest.records_out as f64;
    println!(
        "{provider}: {} items, {} calls; allocations: {:.2} per item reading and mapping, \
         {:.2} per call folding and counting, {:.2} per call in all",
        ingest.records_in,
        ingest.records_out,
        count(read) / items,
        (count(all) - count(read)) / calls,
        count(all) / calls
    );
    Ok(())
}
