//! Fuzz the CSV reader: arbitrary rows under a fixed header, read through a generic column
//! mapping (header row = column names) and, without a mapping, through detection. Ingest must
//! never panic and must account for every row.
#![no_main]

use callscope::ingest::{ingest_bytes, IngestOptions};
use callscope::model::Provider;
use callscope::providers::generic::GenericMapping;
use libfuzzer_sys::fuzz_target;

#[path = "../check.rs"]
mod check;

/// The header every input is read under; the fuzzer writes the rows (and may add columns).
const HEADER: &[u8] = b"id,start,end,answered,duration,direction,status,from,to,agent,queue\n";

fuzz_target!(|data: &[u8]| {
    let mut text = HEADER.to_vec();
    text.extend_from_slice(data);
    let mapping = GenericMapping {
        id: Some("id".into()),
        started_at: Some("start".into()),
        ended_at: Some("end".into()),
        answered_at: Some("answered".into()),
        duration_s: Some("duration".into()),
        direction: Some("direction".into()),
        status: Some("status".into()),
        from: Some("from".into()),
        to: Some("to".into()),
        agent: Some("agent".into()),
        queue: Some("queue".into()),
        ..Default::default()
    };
    for strict in [false, true] {
        for (provider, mapping) in [(Some(Provider::Generic), Some(mapping.clone())), (None, None)] {
            let options = IngestOptions { provider, mapping, strict, ..Default::default() };
            if let Ok(out) = ingest_bytes("fuzz.csv", &text, &options) {
                check::check(&out);
            }
        }
    }
});
