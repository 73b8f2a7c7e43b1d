//! Fuzz the typed fast lane (Twilio REST and JustCall v2.1 documents read without a `Value`
//! tree when `keep_extra` is off): with the lane and without it, ingest must give the same
//! records, the same report and the same error, detected or with the provider named, lenient
//! and strict.
#![no_main]

use callscope::ingest::{ingest_bytes, IngestOptions};
use callscope::model::Provider;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for provider in [None, Some(Provider::Twilio), Some(Provider::JustCall)] {
        for strict in [false, true] {
            let lane = IngestOptions { provider, strict, keep_extra: false, ..Default::default() };
            let general = IngestOptions { general_path_only: true, ..lane.clone() };
            match (ingest_bytes("fuzz", data, &lane), ingest_bytes("fuzz", data, &general)) {
                (Ok(a), Ok(b)) => {
                    assert!(a.report.is_balanced(), "unbalanced report: {:?}", a.report);
                    assert_eq!(a, b, "the fast lane and the general path differ");
                }
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                (a, b) => panic!("one path failed: lane {:?}, general {:?}", a.err(), b.err()),
            }
        }
    }
});
