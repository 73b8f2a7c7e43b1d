//! Property tests of ingest (proptest):
//! - a `CallRecord` survives JSON serialization unchanged;
//! - ingesting a batch twice gives the same records, every second copy counted as merged;
//! - the webhook events of a call fold to the same record in every arrival order (Retell
//!   webhooks, call-center event streams);
//! - `recordsIn = recordsOut + duplicatesMerged + eventsFolded + nonCallItems + rejected` for any
//!   mix of valid, invalid and garbage lines, strict and lenient;
//! - splitting an input into several documents (pages, files) changes neither the records nor
//!   the counts of the ingest report, nor the report's analytics (merge = whole).
//!
//! "Concurrency is never negative and returns to zero" is a property test in
//! `analytics::concurrency` (`never_negative_returns_to_zero_and_matches_a_brute_force_count`)
//! and is not repeated here.

#![allow(clippy::unwrap_used)] // helpers of tests: a failed unwrap is a failed test

use callscope::CallRecord;
use callscope::ingest::{IngestOptions, Ingested, ingest_bytes, ingest_documents};
use callscope::report::{ReportOptions, report_bytes, report_documents};
use proptest::prelude::*;
use serde_json::{Value, json};

/// First line of every generated NDJSON text: a JSON object (rejected: no provider has its
/// shape), so format sniffing reads the text as NDJSON whatever line comes next.
const SNIFF_LINE: &str = r#"{"sniff":"ndjson"}"#;

fn ingest(lines: &[String], strict: bool) -> Ingested {
    let text = format!("{SNIFF_LINE}\n{}", lines.join("\n"));
    let options = IngestOptions {
        strict,
        ..Default::default()
    };
    match ingest_bytes("prop.ndjson", text.as_bytes(), &options) {
        Ok(out) => out,
        Err(e) => panic!("NDJSON input is always readable: {e}"),
    }
}

/// A random word, sometimes from the vocabulary, sometimes not.
fn word(known: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(known).prop_map(String::from),
        1 => "[a-z_]{1,12}",
    ]
}

fn phone() -> impl Strategy<Value = Value> {
    prop_oneof![
        "\\+1415555[0-9]{4}".prop_map(Value::from),
        "[0-9 ()+-]{0,14}".prop_map(Value::from),
        Just(Value::Null),
    ]
}

/// A Retell call object (v2 list / get) with random values; ids from a small pool so batches
/// hold duplicates.
fn retell_call() -> impl Strategy<Value = Value> {
    (
        0u8..6,
        word(&["inbound", "outbound"]),
        1_600_000_000_000i64..1_800_000_000_000,
        prop_oneof![Just(None), (0i64..4_000_000).prop_map(Some)],
        word(&[
            "user_hangup",
            "agent_hangup",
            "dial_no_answer",
            "voicemail_reached",
            "error_unknown",
            "call_transfer",
        ]),
        word(&["ended", "ongoing", "error", "registered"]),
        phone(),
        phone(),
        prop_oneof![Just(None), ".{0,40}".prop_map(Some)],
    )
        .prop_map(
            |(id, direction, start, length, reason, status, from, to, transcript)| {
                let mut call = json!({
                    "call_id": format!("call_{id}"),
                    "call_type": "phone_call",
                    "call_status": status,
                    "direction": direction,
                    "start_timestamp": start,
                    "disconnection_reason": reason,
                    "from_number": from,
                    "to_number": to,
                });
                if let (Some(len), Some(obj)) = (length, call.as_object_mut()) {
                    obj.insert("end_timestamp".into(), json!(start + len));
                    obj.insert("duration_ms".into(), json!(len));
                }
                if let (Some(t), Some(obj)) = (transcript, call.as_object_mut()) {
                    obj.insert("transcript".into(), json!(t));
                }
                call
            },
        )
}

/// A line that is not a usable record: garbage, wrong types, missing fields, other JSON.
fn bad_line() -> impl Strategy<Value = String> {
    prop_oneof![
        "[^\n]{0,40}",
        Just("{".to_string()),
        Just("[1,2".to_string()),
        Just("null".to_string()),
        Just("42".to_string()),
        Just(r#"{"call_id": 7, "call_type": "phone_call", "start_timestamp": "soon"}"#.to_string()),
        Just(r#"{"call_id": ["x"], "call_status": {}, "direction": 3}"#.to_string()),
        Just(r#"{"call_type": "phone_call", "call_status": "ended"}"#.to_string()),
        Just(r#"{"hello": "world"}"#.to_string()),
        Just(r#"{"event": "agent:status", "timestamp": "2024-05-01T10:00:19Z", "data": {"agentId": "a-7", "status": "busy"}}"#.to_string()),
        Just(r#"{"event": "message:new", "data": {"messageId": "m-1"}}"#.to_string()),
        (retell_call(), "[a-z_]{1,10}", prop_oneof![Just(json!(null)), Just(json!(-5)), Just(json!("x")), Just(json!(1e300)), Just(json!([]))])
            .prop_map(|(mut c, k, v)| {
                let key = ["start_timestamp", "end_timestamp", "duration_ms", "direction", "from_number", "call_id"]
                    [k.len() % 6];
                if let Some(o) = c.as_object_mut() {
                    o.insert(key.into(), v);
                }
                c.to_string()
            }),
    ]
}

/// A mix of valid Retell calls, call-center events and bad lines.
fn mixed_lines() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec(
        prop_oneof![
            3 => retell_call().prop_map(|v| v.to_string()),
            2 => bad_line(),
            1 => callcenter_events().prop_map(|evs| evs.join("\n")),
        ],
        0..24,
    )
}

/// The events of one call-center call with random values, in their natural order.
fn callcenter_events() -> impl Strategy<Value = Vec<String>> {
    (
        0u8..3,
        0i64..86_400,
        1i64..3_600,
        word(&["waiting", "ringing", "in-progress", "on-hold", "completed", "no_answer"]),
        word(&["customer_hangup", "agent_hangup", "completed"]),
        word(&["general", "billing", "support"]),
        proptest::option::of("a-[0-9]{1,2}"),
        proptest::bool::ANY,
    )
        .prop_map(|(id, start, len, status, reason, dept, agent, transfer)| {
            let at = |s: i64| {
                chrono::DateTime::from_timestamp(1_714_550_400 + s, 0)
                    .map(|t| t.to_rfc3339())
                    .unwrap_or_default()
            };
            let id = format!("cc-{id}");
            let mut events = vec![
                json!({"event": "call:new", "timestamp": at(start), "data": {"callId": id, "callerNumber": "+14158675309", "status": "waiting", "department": dept, "direction": "inbound"}}),
                json!({"event": "call:updated", "timestamp": at(start + len / 3), "data": {"callId": id, "status": status, "agentId": agent}}),
                json!({"event": "call:ended", "timestamp": at(start + len), "data": {"callId": id, "duration": len, "status": "completed", "endReason": reason}}),
            ];
            if transfer {
                events.push(json!({"event": "call:transferred", "timestamp": at(start + len / 2), "data": {"callId": id, "fromDepartment": dept, "toDepartment": "support", "status": "in-progress"}}));
            }
            events.iter().map(Value::to_string).collect()
        })
}

/// The webhooks of one Retell call: started, ended, analyzed (random values).
fn retell_webhooks() -> impl Strategy<Value = Vec<String>> {
    (retell_call(), 1i64..3_600_000, ".{0,30}", proptest::bool::ANY).prop_map(
        |(call, len, summary, successful)| {
            let start = call["start_timestamp"].as_i64().unwrap_or(0);
            let mut started = call.clone();
            let mut ended = call.clone();
            let mut analyzed = call;
            if let Some(o) = started.as_object_mut() {
                o.insert("call_status".into(), json!("ongoing"));
                o.remove("end_timestamp");
                o.remove("duration_ms");
                o.remove("disconnection_reason");
                o.remove("transcript");
            }
            for c in [&mut ended, &mut analyzed] {
                if let Some(o) = c.as_object_mut() {
                    o.insert("call_status".into(), json!("ended"));
                    o.insert("end_timestamp".into(), json!(start + len));
                    o.insert("duration_ms".into(), json!(len));
                }
            }
            if let Some(o) = analyzed.as_object_mut() {
                o.insert(
                    "call_analysis".into(),
                    json!({"call_summary": summary, "call_successful": successful, "user_sentiment": "Neutral"}),
                );
            }
            vec![
                json!({"event": "call_started", "event_timestamp": start, "call": started}).to_string(),
                json!({"event": "call_ended", "event_timestamp": start + len, "call": ended}).to_string(),
                json!({"event": "call_analyzed", "event_timestamp": start + len + 5_000, "call": analyzed}).to_string(),
            ]
        },
    )
}

/// Several calls' events, and a permutation of all of them.
fn shuffled<S: Strategy<Value = Vec<String>>>(
    one_call: S,
) -> impl Strategy<Value = (Vec<String>, Vec<String>)> {
    proptest::collection::vec(one_call, 1..4).prop_flat_map(|calls| {
        let all: Vec<String> = calls.into_iter().flatten().collect();
        (Just(all.clone()), Just(all).prop_shuffle())
    })
}

fn assert_balanced(out: &Ingested) {
    assert!(out.report.is_balanced(), "{:?}", out.report);
    assert_eq!(out.report.records_out, out.records.len() as u64);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn records_round_trip_through_json(lines in mixed_lines()) {
        let out = ingest(&lines, false);
        for record in &out.records {
            let text = serde_json::to_string(record).unwrap();
            let back: CallRecord = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(&back, record);
            // and once more from the re-serialized text: a fixed point
            prop_assert_eq!(serde_json::to_string(&back).unwrap(), text);
        }
    }

    #[test]
    fn ingesting_a_batch_twice_merges_every_second_copy(lines in mixed_lines(), strict in proptest::bool::ANY) {
        let once = ingest(&lines, strict);
        let doubled: Vec<String> = lines.iter().chain(lines.iter()).cloned().collect();
        let twice = ingest(&doubled, strict);
        assert_balanced(&once);
        assert_balanced(&twice);
        prop_assert_eq!(&twice.records, &once.records);
        let r1 = &once.report;
        let r2 = &twice.report;
        // (the sniff line is read once in each)
        prop_assert_eq!(r2.records_in, 2 * r1.records_in - 1);
        prop_assert_eq!(r2.non_call_items, 2 * r1.non_call_items);
        prop_assert!(r2.rejected.len() < 2 * r1.rejected.len());
        // every emitted call's second copy is merged or folded
        prop_assert!(
            r2.duplicates_merged + r2.events_folded
                >= 2 * (r1.duplicates_merged + r1.events_folded) + r1.records_out,
            "{:?} vs {:?}", r1, r2
        );
    }

    #[test]
    fn retell_webhooks_fold_the_same_in_every_order((ordered, shuffled) in shuffled(retell_webhooks()), strict in proptest::bool::ANY) {
        let a = ingest(&ordered, strict);
        let b = ingest(&shuffled, strict);
        assert_balanced(&a);
        assert_balanced(&b);
        prop_assert_eq!(&a.records, &b.records);
        prop_assert_eq!(a.report.events_folded, b.report.events_folded);
        prop_assert_eq!(a.report.rejected.len(), b.report.rejected.len());
    }

    #[test]
    fn callcenter_events_fold_the_same_in_every_order((ordered, shuffled) in shuffled(callcenter_events()), strict in proptest::bool::ANY) {
        let a = ingest(&ordered, strict);
        let b = ingest(&shuffled, strict);
        assert_balanced(&a);
        assert_balanced(&b);
        prop_assert_eq!(&a.records, &b.records);
        prop_assert_eq!(a.report.events_folded, b.report.events_folded);
    }

    #[test]
    fn every_item_is_accounted_for(lines in mixed_lines(), strict in proptest::bool::ANY) {
        let out = ingest(&lines, strict);
        assert_balanced(&out);
        // nothing is lost: at least one item per non-blank line
        let non_blank = lines.iter().flat_map(|l| l.lines()).filter(|l| !l.trim().is_empty()).count() as u64;
        prop_assert!(out.report.records_in >= non_blank, "{} < {}", out.report.records_in, non_blank);
    }

    #[test]
    fn documents_split_anywhere_are_the_whole(
        (_, events) in shuffled(retell_webhooks()),
        cuts in proptest::collection::vec(0usize..12, 0..4),
        strict in proptest::bool::ANY,
    ) {
        let array = |items: &[String]| format!("[{}]", items.join(","));
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(events.len())).collect();
        cuts.sort_unstable();
        let mut docs = Vec::new();
        let mut from = 0;
        for cut in cuts.into_iter().chain([events.len()]) {
            docs.push((format!("page-{}.json", docs.len()), array(&events[from..cut])));
            from = cut;
        }
        let options = IngestOptions { strict, ..Default::default() };
        let whole = ingest_bytes("all.json", array(&events).as_bytes(), &options).unwrap();
        let split = ingest_documents(&docs, &options).unwrap();
        prop_assert_eq!(&split.records, &whole.records);
        let counts = |o: &Ingested| (
            o.report.records_in, o.report.records_out, o.report.duplicates_merged,
            o.report.events_folded, o.report.non_call_items, o.report.rejected.len(),
        );
        prop_assert_eq!(counts(&split), counts(&whole));
        // the analytics of the report too (its ingest part names the sources, which differ)
        let report = ReportOptions { skip_text: true, ingest: options, ..Default::default() };
        let mut a = report_documents(&docs, &report).unwrap();
        let mut b = report_bytes("all.json", array(&events).as_bytes(), &report).unwrap();
        a.as_object_mut().unwrap().remove("ingest");
        b.as_object_mut().unwrap().remove("ingest");
        prop_assert_eq!(a, b);
    }

    #[test]
    fn array_and_ndjson_layouts_agree(lines in proptest::collection::vec(retell_call(), 0..12)) {
        let ndjson: Vec<String> = lines.iter().map(Value::to_string).collect();
        let a = ingest(&ndjson, false);
        let array = Value::Array(lines).to_string();
        let b = ingest_bytes("prop.json", array.as_bytes(), &IngestOptions::default()).unwrap();
        prop_assert_eq!(&a.records, &b.records);
        prop_assert_eq!(a.report.records_in, b.report.records_in + 1, "NDJSON has the sniff line");
    }
}
