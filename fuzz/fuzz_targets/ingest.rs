//! Fuzz any input, provider detected: ingest must never panic and must account for every item.
#![no_main]

use callscope::ingest::{ingest_bytes, IngestOptions};
#[allow(unused_imports)]
use callscope::model::Provider;
use libfuzzer_sys::fuzz_target;

#[path = "../check.rs"]
mod check;

fuzz_target!(|data: &[u8]| {
    for strict in [false, true] {
        let options = IngestOptions { provider: None, strict, ..Default::default() };
        if let Ok(out) = ingest_bytes("fuzz", data, &options) {
            check::check(&out);
            check::check_converted(data, &options, &out);
        }
    }
    check::check_windowed(data, 1 + data.len() % 4);
});
