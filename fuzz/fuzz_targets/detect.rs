//! Fuzz provider and format detection on arbitrary bytes.
#![no_main]

use callscope::ingest::format::sniff;
use callscope::providers::detect_json;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = sniff(data);
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) {
        let _ = detect_json(&v);
    }
});
