//! Fuzz the timestamp reader.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = callscope::time::parse_instant(s, chrono_tz::Tz::UTC);
        let _ = callscope::phone::normalize(s);
    }
});
