//! Fuzz finishing calls where they are read: a report over documents in memory finishes the
//! calls of API list pages and of pieces of NDJSON lines where each is read, checks at the end
//! that none of them has items elsewhere and reads again those that may; it must give the
//! report of holding every call, or the same error (`check::check_local`).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../check.rs"]
mod check;

fuzz_target!(|data: &[u8]| {
    if let Ok(out) = callscope::ingest::ingest_bytes("fuzz", data, &Default::default()) {
        check::check(&out);
    }
    check::check_local(data);
});
