//! The ingest window (`IngestOptions::window`): which items are late is decided by arrival
//! positions alone, so finishing idle calls early while reading
//! (`Ingestor::finish_idle_into`, what `callscope report --window` does) gives the same
//! records, report and ingest report as finishing everything at the end; the late items
//! are exactly those a plain reference rule picks; memory holds about `window` items.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use callscope::analytics::AnalyticsOptions;
use callscope::ingest::{IngestOptions, IngestReport, Ingestor};
use callscope::report::{Streamed, compute, report_json};
use proptest::prelude::*;
use std::collections::HashMap;

/// One Retell item of call `c{key}`: a bare call object is a full record, a `call_ended`
/// webhook an event; `n` varies the end so that fold order shows.
fn line(key: u32, webhook: bool, n: usize) -> String {
    let start = 1_700_000_000_000u64 + u64::from(key) * 60_000;
    let end = start + 1000 * (n as u64 % 7 + 1);
    let call = format!(
        r#"{{"call_id":"c{key}","call_type":"phone_call","call_status":"ended","direction":"inbound","from_number":"+1415555{:04}","start_timestamp":{start},"end_timestamp":{end},"disconnection_reason":"user_hangup"}}"#,
        key % 3
    );
    if webhook {
        format!(r#"{{"event":"call_ended","call":{call}}}"#)
    } else {
        call
    }
}

/// The late items by the rule, stated plainly: an item is late when its call already had a
/// late item, or when more than `window` items arrived since its call's last accepted item.
fn reference_late(keys: &[u32], window: usize) -> Vec<usize> {
    let mut last: HashMap<u32, usize> = HashMap::new();
    let mut closed: HashMap<u32, bool> = HashMap::new();
    let mut late = Vec::new();
    for (i, k) in keys.iter().enumerate() {
        let is_late =
            closed.get(k).copied().unwrap_or(false) || last.get(k).is_some_and(|&l| i - l > window);
        if is_late {
            closed.insert(*k, true);
            late.push(i);
        } else {
            last.insert(*k, i);
        }
    }
    late
}

/// Sorted report lines, so that two ingest reports compare whatever order calls finished in.
fn normalized(mut r: IngestReport) -> String {
    let key = |e: &callscope::ingest::ReportEntry| (e.source.clone(), e.index, e.reason.clone());
    r.rejected.sort_by_key(key);
    r.warnings.sort_by_key(key);
    serde_json::to_string(&r).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn finishing_early_changes_nothing_and_late_items_follow_the_rule(
        items in prop::collection::vec((0u32..12, any::<bool>()), 1..120),
        window in 1usize..10,
    ) {
        let lines: Vec<String> = items.iter().enumerate().map(|(n, &(k, w))| line(k, w, n)).collect();
        let options = IngestOptions { window: Some(window), keep_extra: false, ..Default::default() };
        let analytics = AnalyticsOptions { allow_mixed_tenants: true, ..Default::default() };

        // every item at the end
        let mut kept = Ingestor::new(&options).unwrap();
        for l in &lines {
            kept.add_bytes("calls.ndjson", l.as_bytes()).unwrap();
        }
        let kept = kept.finish();
        let kept_report = compute(&kept, &analytics, true).unwrap();

        // idle calls finished after every item
        let streamed = Streamed::new(&analytics, true).unwrap();
        let mut early = streamed.sink();
        let make = || streamed.sink();
        let mut ingestor = Ingestor::new(&options).unwrap();
        let mut most_waiting = 0;
        for l in &lines {
            ingestor.add_bytes("calls.ndjson", l.as_bytes()).unwrap();
            ingestor.finish_idle_into(&mut early, &make);
            most_waiting = most_waiting.max(ingestor.waiting());
        }
        let (report, ingest) = streamed.finish(ingestor, early).unwrap();

        let without_ingest = |r: &callscope::analytics::Report| {
            let mut v: serde_json::Value = serde_json::from_str(&report_json(r)).unwrap();
            v.as_object_mut().unwrap().remove("ingest");
            v
        };
        prop_assert_eq!(without_ingest(&kept_report), without_ingest(&report));
        prop_assert_eq!(normalized(kept.report.clone()), normalized(ingest.clone()));

        // the late items are the reference rule's, with their call named
        let keys: Vec<u32> = items.iter().map(|(k, _)| *k).collect();
        let late = reference_late(&keys, window);
        prop_assert_eq!(ingest.rejected.len(), late.len());
        let mut reasons: Vec<String> = ingest.rejected.iter().map(|e| e.reason.clone()).collect();
        let mut expected: Vec<String> = late
            .iter()
            .map(|&i| format!("retell:c{}: late item: more than {window} call items arrived after the previous item of this call (the ingest window), so the call was finished without it", keys[i]))
            .collect();
        reasons.sort();
        expected.sort();
        prop_assert_eq!(reasons, expected);
        let distinct: std::collections::HashSet<u32> = keys.iter().copied().collect();
        prop_assert_eq!(ingest.records_out, distinct.len() as u64);
        prop_assert!(ingest.is_balanced());
        // a call whose items keep coming within the window stays open, so `waiting` is not
        // bounded here (`a_long_stream_is_read_in_bounded_memory` is the bound); it did wait
        prop_assert!(most_waiting >= 1);
    }
}

#[test]
fn a_window_wide_enough_changes_nothing() {
    let lines: String = (0..40)
        .map(|n| line(n % 9, n % 2 == 0, n as usize) + "\n")
        .collect();
    let read = |window| {
        let mut i = Ingestor::new(&IngestOptions {
            window,
            ..Default::default()
        })
        .unwrap();
        i.add_bytes("calls.ndjson", lines.as_bytes()).unwrap();
        serde_json::to_string(&i.finish()).unwrap()
    };
    // the largest gap between two items of a call here is 9 (n and n + 9 share n % 9... and
    // n % 2 differs, so the same key comes back every 9 items)
    assert_eq!(read(None), read(Some(9)));
    assert_ne!(read(None), read(Some(8)));
}

#[test]
fn a_zero_window_is_refused() {
    let err = Ingestor::new(&IngestOptions {
        window: Some(0),
        ..Default::default()
    })
    .unwrap_err();
    assert!(err.to_string().contains("window"), "{err}");
}

#[test]
fn a_long_stream_is_read_in_bounded_memory() {
    // 20,000 calls of one item each, read as one NDJSON stream with a window of 1,000: the
    // idle calls are finished between batches, so at most a batch (4,096 lines) plus twice
    // the window wait at any time
    let lines: String = (0..20_000u32).map(|k| line(k, false, 0) + "\n").collect();
    let options = IngestOptions {
        window: Some(1000),
        ..Default::default()
    };
    let analytics = AnalyticsOptions::default();
    let streamed = Streamed::new(&analytics, true).unwrap();
    let mut early = streamed.sink();
    let make = || streamed.sink();
    let mut ingestor = Ingestor::new(&options).unwrap();
    let mut most_waiting = 0;
    ingestor
        .add_reader_with("calls.ndjson", lines.as_bytes(), &mut |i| {
            i.finish_idle_into(&mut early, &make);
            most_waiting = most_waiting.max(i.waiting());
        })
        .unwrap();
    assert!(most_waiting > 0);
    assert!(most_waiting <= 4096 + 2000, "{most_waiting} items waited");
    let (report, ingest) = streamed.finish(ingestor, early).unwrap();
    assert_eq!(report.summary.unwrap().total_calls, 20_000);
    assert_eq!(ingest.records_in, 20_000);
    assert_eq!(ingest.records_out, 20_000);
    assert!(ingest.rejected.is_empty());
}

/// A reader of `text` that fails once `fail_at` bytes have been read.
struct FailingReader<'a> {
    text: &'a [u8],
    at: usize,
    fail_at: usize,
}

impl std::io::Read for FailingReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.at >= self.fail_at {
            return Err(std::io::Error::other("disk went away"));
        }
        let end = (self.at + buf.len()).min(self.fail_at).min(self.text.len());
        let n = end - self.at;
        buf[..n].copy_from_slice(&self.text[self.at..end]);
        self.at = end;
        Ok(n)
    }
}

#[test]
fn batches_are_collected_in_order_and_between_runs_after_each() {
    // 10,000 lines are two full batches of 4,096 lines and 1,808 more: `between` runs after
    // each full batch is collected (while the next one may already be parsing), and sees
    // exactly the lines of the batches before it
    let lines: String = (0..10_000u32).map(|k| line(k, false, 0) + "\n").collect();
    // with every unmapped field kept (the default) a batch is 1,024 lines: nine of them and
    // 784 lines more
    let kept: Vec<usize> = (1..=9).map(|b| b * 1024).collect();
    for (keep_extra, batches) in [(true, kept), (false, vec![4096, 8192])] {
        let options = IngestOptions {
            keep_extra,
            ..IngestOptions::default()
        };
        let mut ingestor = Ingestor::new(&options).unwrap();
        let mut seen = Vec::new();
        ingestor
            .add_reader_with("calls.ndjson", lines.as_bytes(), &mut |i| {
                seen.push(i.waiting())
            })
            .unwrap();
        assert_eq!(seen, batches, "keep_extra {keep_extra}");
        assert_eq!(ingestor.waiting(), 10_000);
    }
    let mut ingestor = Ingestor::new(&IngestOptions::default()).unwrap();
    ingestor
        .add_reader_with("calls.ndjson", lines.as_bytes(), &mut |_| {})
        .unwrap();
    let ingested = ingestor.finish();
    assert_eq!(ingested.records.len(), 10_000);
    // every line kept its line number: call c{k} is line k + 1
    let rejected_free = ingested.report.rejected.is_empty();
    assert!(rejected_free);
}

#[test]
fn a_read_error_keeps_the_batches_read_before_it() {
    // the stream fails in the third batch: the error is the read error, and the two full
    // batches before it are collected (the second was being parsed when the error came)
    let lines: Vec<String> = (0..10_000u32).map(|k| line(k, false, 0) + "\n").collect();
    let text = lines.concat();
    for fail_line in [8_192 + 5, 9_000] {
        // a few bytes into line `fail_line + 1`
        let fail_at = lines[..fail_line].iter().map(String::len).sum::<usize>() + 10;
        let reader = std::io::BufReader::with_capacity(
            1 << 12,
            FailingReader {
                text: text.as_bytes(),
                at: 0,
                fail_at,
            },
        );
        // batches of 4,096 lines (1,024 when every unmapped field is kept)
        let options = IngestOptions {
            keep_extra: false,
            ..IngestOptions::default()
        };
        let mut ingestor = Ingestor::new(&options).unwrap();
        let mut betweens = 0;
        let err = ingestor
            .add_reader_with("calls.ndjson", reader, &mut |_| betweens += 1)
            .unwrap_err();
        assert!(err.to_string().contains("disk went away"), "{err}");
        assert_eq!(ingestor.waiting(), 8192, "failing at line {fail_line}");
        assert_eq!(betweens, 2);
    }
}

#[test]
fn a_bad_array_element_keeps_the_elements_before_it() {
    // a JSON array of 5,000 calls whose element 4,500 is cut short: the first batch (4,096
    // elements) and the 403 elements after it are collected, then the syntax error is returned
    let mut text = String::from("[");
    for k in 0..4_500u32 {
        text.push_str(&line(k, false, 0));
        text.push(',');
    }
    text.push_str(r#"{"call_id": "#);
    let mut ingestor = Ingestor::new(&IngestOptions::default()).unwrap();
    let err = ingestor
        .add_reader("calls.json", text.as_bytes())
        .unwrap_err();
    assert!(err.to_string().contains("element 4500"), "{err}");
    assert_eq!(ingestor.waiting(), 4_500);
}

#[cfg(feature = "parallel")]
#[test]
fn ingests_inside_the_thread_pool_do_not_wait_on_each_other() {
    // every thread of a two-thread pool reads a stream of several batches at once: a batch
    // parsed ahead must not wait for a pool thread that is itself waiting
    let lines: String = (0..10_000u32).map(|k| line(k, false, 0) + "\n").collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let counts: Vec<usize> = pool.install(|| {
        use rayon::prelude::*;
        (0..4)
            .into_par_iter()
            .map(|_| {
                let mut ingestor = Ingestor::new(&IngestOptions::default()).unwrap();
                ingestor
                    .add_reader("calls.ndjson", lines.as_bytes())
                    .unwrap();
                ingestor.waiting()
            })
            .collect()
    });
    assert_eq!(counts, vec![10_000; 4]);
}
