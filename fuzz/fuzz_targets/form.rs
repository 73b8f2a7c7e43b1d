//! Fuzz the form-encoded reader (`application/x-www-form-urlencoded` bodies, one per line):
//! the input's first line always starts with a form key so that the form reader, not CSV,
//! reads it; the rest (percent-encoding, `+`, repeated keys, more lines) is the fuzzer's.
//! Read with detection and as Twilio's (status and recording callbacks are forms).
#![no_main]

use callscope::ingest::{ingest_bytes, IngestOptions};
use callscope::model::Provider;
use libfuzzer_sys::fuzz_target;

#[path = "../check.rs"]
mod check;

fuzz_target!(|data: &[u8]| {
    let mut text = b"CallSid=".to_vec();
    text.extend_from_slice(data);
    for strict in [false, true] {
        for provider in [None, Some(Provider::Twilio)] {
            let options = IngestOptions { provider, strict, ..Default::default() };
            if let Ok(out) = ingest_bytes("fuzz.form", &text, &options) {
                check::check(&out);
            }
        }
    }
});
