//! What every ingest target checks on a successful read (each target includes this file with
//! `#[path = "../check.rs"] mod check;`; it lives outside `fuzz_targets/` because it is not a
//! target).

use callscope::analytics::AnalyticsOptions;
use callscope::ingest::Ingested;

/// The report balances (every item is a record, a merged duplicate or a rejection), and the
/// full SPEC 6 report of the records — summary, KPIs, breakdowns, concurrency, text — is
/// computed without a panic or an overflow, whatever the values read.
pub fn check(out: &Ingested) {
    assert!(out.report.is_balanced(), "unbalanced report: {:?}", out.report);
    let analytics = AnalyticsOptions { allow_mixed_tenants: true, ..Default::default() };
    if let Err(e) = callscope::report::build(out, &analytics, false) {
        // The one documented refusal: a concurrency series over more than 2,000,000 buckets
        // (records spread over centuries at the default hourly granularity).
        assert_eq!(e.code(), "InvalidOption", "report failed on ingested records: {e}");
    }
}
