//! Hostile inputs: every one gets a clear error naming the source, record and field, or a
//! line in the report — never a panic, a hang or unbounded memory, and nothing silently dropped.

use callscope::ingest::{IngestOptions, ingest_bytes};
use callscope::model::Provider;

fn lenient() -> IngestOptions {
    IngestOptions::default()
}

fn strict() -> IngestOptions {
    IngestOptions {
        strict: true,
        ..Default::default()
    }
}

/// A Retell call object with the given start and end (epoch ms).
fn retell(id: &str, start: &str, end: &str) -> String {
    format!(
        r#"{{"call_id":"{id}","call_type":"phone_call","call_status":"ended","direction":"inbound","start_timestamp":{start},"end_timestamp":{end},"duration_ms":50000,"disconnection_reason":"user_hangup","from_number":"+14155550100","to_number":"+14155550199"}}"#
    )
}

#[test]
fn truncated_json_document_is_a_syntax_error_with_position() {
    let err = ingest_bytes(
        "t.json",
        br#"{"call_id": "c1", "call_status": "#,
        &lenient(),
    )
    .unwrap_err();
    let msg = err.to_string();
    assert_eq!(err.code(), "Syntax");
    assert!(msg.contains("t.json") && msg.contains("line 1"), "{msg}");
}

#[test]
fn truncated_json_array_is_a_syntax_error_naming_the_element() {
    let text = format!(
        "[{},{{\"call_id\":",
        retell("a", "1700000000000", "1700000060000")
    );
    let err = ingest_bytes("arr.json", text.as_bytes(), &lenient()).unwrap_err();
    assert_eq!(err.code(), "Syntax");
    assert!(err.to_string().contains("element 1"), "{err}");
}

#[test]
fn bad_ndjson_line_is_rejected_and_the_rest_kept() {
    let text = format!(
        "{}\n{{not json\n{}\n",
        retell("a", "1700000000000", "1700000060000"),
        retell("b", "1700000100000", "1700000160000")
    );
    let out = ingest_bytes("x.ndjson", text.as_bytes(), &lenient()).unwrap();
    assert_eq!(out.report.records_in, 3);
    assert_eq!(out.report.records_out, 2);
    assert_eq!(out.report.rejected.len(), 1);
    assert_eq!(
        out.report.rejected[0].index, 2,
        "line number of the bad line"
    );
    assert!(out.report.rejected[0].reason.contains("invalid JSON"));
    assert!(out.report.is_balanced());
}

#[test]
fn bom_and_crlf_are_accepted() {
    let text = format!(
        "\u{feff}{}\r\n{}\r\n",
        retell("a", "1700000000000", "1700000060000"),
        retell("b", "1700000100000", "1700000160000")
    );
    let out = ingest_bytes("x.ndjson", text.as_bytes(), &lenient()).unwrap();
    assert_eq!(out.report.records_out, 2, "{:?}", out.report);
}

#[test]
fn empty_inputs_give_an_empty_result_and_a_warning() {
    for text in ["", "   \n\r\n", "\u{feff}"] {
        let out = ingest_bytes("empty.json", text.as_bytes(), &lenient()).unwrap();
        assert_eq!(out.report.records_in, 0);
        assert!(out.records.is_empty());
        assert_eq!(out.report.warnings.len(), 1, "{text:?}");
    }
    let out = ingest_bytes("empty.json", b"[]", &lenient()).unwrap();
    assert_eq!(out.report.records_in, 0);
}

#[test]
fn invalid_utf8_in_json_is_rejected_not_panicking() {
    let mut bytes = retell("a", "1700000000000", "1700000060000").into_bytes();
    bytes.extend_from_slice(b"\n{\"call_id\":\"\xff\xfe\"}\n");
    let out = ingest_bytes("x.ndjson", &bytes, &lenient()).unwrap();
    assert_eq!(out.report.records_out, 1);
    assert_eq!(out.report.rejected.len(), 1);
    assert_eq!(out.report.rejected[0].index, 2);
}

#[test]
fn very_deep_nesting_is_an_error_not_a_stack_overflow() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let err = ingest_bytes("deep.json", deep.as_bytes(), &lenient());
    // The array splitter hands the one element to serde_json, whose recursion limit (128)
    // turns it into a rejected item rather than a crash.
    match err {
        Ok(out) => {
            assert_eq!(out.report.rejected.len(), 1);
            assert!(
                out.report.rejected[0].reason.contains("recursion limit"),
                "{:?}",
                out.report.rejected
            );
        }
        Err(e) => assert_eq!(e.code(), "Syntax"),
    }
    let deep_obj = format!("{}1{}", "{\"a\":".repeat(50_000), "}".repeat(50_000));
    let err = ingest_bytes("deep.json", deep_obj.as_bytes(), &lenient()).unwrap_err();
    assert!(err.to_string().contains("recursion limit"), "{err}");
}

#[test]
fn very_long_strings_are_kept_or_rejected_cleanly() {
    let long = "x".repeat(5_000_000);
    let text = format!(
        r#"{{"call_id":"{long}","call_type":"phone_call","call_status":"ended","start_timestamp":1700000000000,"end_timestamp":1700000060000}}"#
    );
    let out = ingest_bytes("long.json", text.as_bytes(), &lenient()).unwrap();
    assert!(out.report.is_balanced());
}

#[test]
fn non_objects_are_rejected_with_their_path() {
    let out = ingest_bytes("nums.json", b"[1, \"two\", null, true]", &lenient()).unwrap();
    assert_eq!(out.report.records_in, 4);
    assert_eq!(out.report.rejected.len(), 4);
    assert_eq!(out.report.rejected[1].path, "$[1]");
    assert!(out.report.rejected[1].reason.contains("not a JSON object"));
}

#[test]
fn unknown_shapes_are_rejected_not_dropped() {
    let out = ingest_bytes("odd.json", br#"[{"hello":"world"},{"x":1}]"#, &lenient()).unwrap();
    assert_eq!(out.report.rejected.len(), 2);
    assert!(
        out.report.rejected[0]
            .reason
            .contains("cannot detect the provider")
    );
    assert!(out.report.is_balanced());
}

#[test]
fn end_before_start_strict_rejects_lenient_clears() {
    let text = retell("a", "1700000060000", "1700000000000");
    let out = ingest_bytes("x.json", text.as_bytes(), &strict()).unwrap();
    assert_eq!(out.report.records_out, 0);
    assert_eq!(out.report.rejected.len(), 1);
    let r = &out.report.rejected[0];
    assert_eq!(r.source, "x.json");
    assert!(r.reason.contains("before"), "{r:?}");
    let out = ingest_bytes("x.json", text.as_bytes(), &lenient()).unwrap();
    assert_eq!(out.report.records_out, 1);
    assert!(out.records[0].ended_at.is_none());
    assert!(!out.report.warnings.is_empty());
}

#[test]
fn bogus_dates_name_the_field() {
    let text = retell("a", "\"yesterday\"", "1700000060000");
    let out = ingest_bytes("x.json", text.as_bytes(), &strict()).unwrap();
    assert_eq!(out.report.rejected.len(), 1);
    assert!(
        out.report.rejected[0].path.contains("start_timestamp"),
        "{:?}",
        out.report.rejected
    );
}

#[test]
fn huge_and_non_finite_numbers_do_not_panic() {
    for v in ["1e400", "-1e400", "18446744073709551616", "-5", "1.5e308"] {
        let text = format!(
            r#"{{"call_id":"a","call_type":"phone_call","call_status":"ended","start_timestamp":1700000000000,"end_timestamp":1700000060000,"duration_ms":{v}}}"#
        );
        for opts in [lenient(), strict()] {
            match ingest_bytes("n.json", text.as_bytes(), &opts) {
                Ok(out) => assert!(out.report.is_balanced()),
                Err(e) => assert_eq!(e.code(), "Syntax", "{v}: {e}"),
            }
        }
    }
}

#[test]
fn duplicate_ids_with_conflicting_data_merge_deterministically() {
    let a = retell("dup", "1700000000000", "1700000060000");
    let b = a.replace("user_hangup", "agent_hangup");
    let ab = ingest_bytes("d.ndjson", format!("{a}\n{b}\n").as_bytes(), &lenient()).unwrap();
    let ba = ingest_bytes("d.ndjson", format!("{b}\n{a}\n").as_bytes(), &lenient()).unwrap();
    assert_eq!(ab.records, ba.records, "arrival order must not matter");
    assert_eq!(ab.report.records_out, 1);
    assert_eq!(ab.report.duplicates_merged, 1);
}

#[test]
fn broken_percent_encoding_in_forms_is_not_fatal() {
    let body = "CallSid=CA%zz1&AccountSid=AC1&CallStatus=comp%2&From=%E0%A4%A&To=%2B14155550100\n";
    for opts in [lenient(), strict()] {
        let out = ingest_bytes("cb.form", body.as_bytes(), &opts).unwrap();
        assert_eq!(out.report.records_in, 1);
        assert!(out.report.is_balanced());
    }
}

#[test]
fn ragged_csv_rows_are_reported() {
    let text = "\"\",\"100\",\"200\",\"from-internal\",\"\"\"A\"\" <100>\",\"SIP/100-1\",\"SIP/200-2\",\"Dial\",\"SIP/200\",\"2024-01-27 16:16:36\",\"2024-01-27 16:16:40\",\"2024-01-27 16:17:36\",60,56,\"ANSWERED\",\"DOCUMENTATION\",\"1706372196.1\",\"\"\n\"\",\"100\"\n";
    let opts = IngestOptions {
        provider: Some(Provider::Asterisk),
        ..Default::default()
    };
    let out = ingest_bytes("Master.csv", text.as_bytes(), &opts).unwrap();
    assert_eq!(out.report.records_in, 2);
    assert!(out.report.is_balanced());
    assert_eq!(out.report.rejected.len(), 1, "{:?}", out.report);
    assert_eq!(out.report.rejected[0].index, 2);
}

#[test]
fn unknown_vocabulary_is_counted() {
    let text =
        retell("a", "1700000000000", "1700000060000").replace("user_hangup", "brand_new_reason");
    let out = ingest_bytes("x.json", text.as_bytes(), &lenient()).unwrap();
    assert_eq!(
        out.report.unknown_vocabulary["retell"]["brand_new_reason"],
        1
    );
}

#[test]
fn bad_source_zone_is_an_option_error() {
    let opts = IngestOptions {
        source_tz: Some("Mars/Olympus".into()),
        ..Default::default()
    };
    let err = ingest_bytes("x.json", b"{}", &opts).unwrap_err();
    assert_eq!(err.code(), "InvalidOption");
}
