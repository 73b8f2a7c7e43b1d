//! Hostile inputs: every one gets a clear error naming the source, record and field, or a
//! line in the report — never a panic, a hang or unbounded memory, and nothing silently dropped.

#![allow(clippy::unwrap_used)] // helpers of tests: a failed unwrap is a failed test

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

/// The hostile payloads of issue 6, by name.
fn hostile_payloads() -> Vec<(&'static str, Vec<u8>)> {
    let good = retell("a", "1700000000000", "1700000060000");
    let field = |k: &str, v: &str| {
        let mut obj: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&good).unwrap();
        match serde_json::from_str(v) {
            Ok(value) => {
                obj.insert(k.into(), value);
            }
            Err(_) => {
                obj.remove(k);
            }
        }
        serde_json::Value::Object(obj).to_string()
    };
    let mut out: Vec<(&'static str, Vec<u8>)> = vec![
        (
            "truncated object",
            br#"{"call_id": "c1", "call_st"#.to_vec(),
        ),
        (
            "truncated array",
            format!("[{good},{{\"call_id\"").into_bytes(),
        ),
        (
            "truncated ndjson line",
            format!("{good}\n{{\"call_id\":\"b\",\n").into_bytes(),
        ),
        ("unclosed string", b"[\"abc".to_vec()),
        (
            "wrong types",
            field("start_timestamp", "[1,2]").into_bytes(),
        ),
        ("wrong type id", field("call_id", "{\"x\":1}").into_bytes()),
        (
            "wrong type direction",
            field("direction", "42").into_bytes(),
        ),
        ("missing start", field("start_timestamp", "-").into_bytes()),
        ("missing id", field("call_id", "-").into_bytes()),
        ("huge number", field("duration_ms", "1e308").into_bytes()),
        (
            "overflowing number",
            field("start_timestamp", "1e400").into_bytes(),
        ),
        (
            "huge integer",
            field("end_timestamp", "184467440737095516150").into_bytes(),
        ),
        ("NaN text", field("duration_ms", "\"NaN\"").into_bytes()),
        (
            "infinity text",
            field("duration_ms", "\"inf\"").into_bytes(),
        ),
        (
            "negative duration",
            field("duration_ms", "-5000").into_bytes(),
        ),
        (
            "end before start",
            retell("a", "1700000060000", "1700000000000").into_bytes(),
        ),
        (
            "bogus date",
            field("start_timestamp", "\"2023-02-30T25:61:00Z\"").into_bytes(),
        ),
        (
            "year 0 date",
            field("start_timestamp", "\"0000-01-01T00:00:00Z\"").into_bytes(),
        ),
        (
            "far future epoch",
            field("start_timestamp", "99999999999999999").into_bytes(),
        ),
        (
            "unknown vocabulary",
            field("disconnection_reason", "\"zorg\"").into_bytes(),
        ),
        (
            "invalid utf-8",
            b"{\"call_id\":\"\xff\xfe\",\"x\":\"\xc3\x28\"}".to_vec(),
        ),
        ("invalid utf-8 csv", b"\xff,\xfe\n\xc3\x28,1\n".to_vec()),
        ("bom", format!("\u{feff}{good}").into_bytes()),
        ("bom array", format!("\u{feff}[{good}]").into_bytes()),
        ("crlf ndjson", format!("{good}\r\n{good}\r\n").into_bytes()),
        (
            "crlf array",
            format!("[\r\n{good}\r\n,\r\n{good}\r\n]\r\n").into_bytes(),
        ),
        ("empty", Vec::new()),
        ("only whitespace", b" \r\n\t ".to_vec()),
        (
            "deep nesting",
            format!("{}{}", "[".repeat(5000), "]".repeat(5000)).into_bytes(),
        ),
        (
            "deep object line",
            format!("{good}\n{}1{}\n", "{\"a\":".repeat(3000), "}".repeat(3000)).into_bytes(),
        ),
        ("unbalanced brackets", "]]]]}}}}".repeat(100).into_bytes()),
        (
            "long string",
            field("transcript", &format!("\"{}\"", "y".repeat(1 << 20))).into_bytes(),
        ),
        (
            "long escapes",
            format!("[\"{}\"]", "\\\\".repeat(100_000)).into_bytes(),
        ),
        (
            "long id",
            field("call_id", &format!("\"{}\"", "z".repeat(100_000))).into_bytes(),
        ),
        (
            "conflicting duplicates",
            format!(
                "{good}\n{}\n",
                good.replace("inbound", "outbound")
                    .replace("user_hangup", "agent_hangup")
            )
            .into_bytes(),
        ),
        (
            "broken percent-encoding",
            b"CallSid=CA%zz&AccountSid=%&CallStatus=%E0%A4%A\n".to_vec(),
        ),
        ("form without call", b"a=1&b=2\n".to_vec()),
        (
            "ragged csv",
            b"a,b,c\n1\n1,2,3,4,5\n\"unterminated\n".to_vec(),
        ),
        ("csv only header", b"accountcode,src,dst\n".to_vec()),
        ("nul bytes", b"\0\0\0\0".to_vec()),
        ("scalar document", b"42".to_vec()),
        ("null array", b"[null,null]".to_vec()),
    ];
    out.push(("many tiny lines", "{}\n".repeat(10_000).into_bytes()));
    out
}

#[test]
fn every_hostile_payload_with_every_provider_strict_and_lenient() {
    let providers = std::iter::once(None).chain(Provider::ALL.iter().copied().map(Some));
    let providers: Vec<Option<Provider>> = providers.collect();
    for (name, bytes) in hostile_payloads() {
        for provider in &providers {
            for strict in [false, true] {
                let options = IngestOptions {
                    provider: *provider,
                    strict,
                    ..Default::default()
                };
                let started = std::time::Instant::now();
                let result =
                    std::panic::catch_unwind(|| ingest_bytes("hostile.in", &bytes, &options));
                let took = started.elapsed();
                assert!(took.as_secs() < 60, "{name} {provider:?}: took {took:?}");
                match result {
                    Err(_) => panic!("{name} with {provider:?} strict={strict} panicked"),
                    Ok(Ok(out)) => {
                        assert!(
                            out.report.is_balanced(),
                            "{name} {provider:?} strict={strict}: {:?}",
                            out.report
                        );
                        assert_eq!(out.report.records_out, out.records.len() as u64);
                        for r in out.report.rejected.iter().chain(&out.report.warnings) {
                            assert_eq!(r.source, "hostile.in");
                            assert!(!r.reason.is_empty() && !r.path.is_empty(), "{name}: {r:?}");
                        }
                    }
                    Ok(Err(e)) => {
                        assert!(
                            ["Syntax", "Limit", "UnknownProvider", "InvalidOption", "Io"]
                                .contains(&e.code()),
                            "{name}: {e}"
                        );
                        if e.code() != "InvalidOption" {
                            assert!(e.to_string().contains("hostile.in"), "{name}: {e}");
                        }
                    }
                }
            }
        }
    }
}

fn retell_with(key: &str, value: &str) -> String {
    let good = retell("a", "1700000000000", "1700000060000");
    let mut obj: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&good).unwrap();
    obj.insert(key.into(), serde_json::from_str(value).unwrap());
    serde_json::Value::Object(obj).to_string()
}

#[test]
fn negative_durations_strict_rejects_lenient_clears_naming_the_field() {
    let text = retell_with("duration_ms", "-5000");
    let out = ingest_bytes("neg.json", text.as_bytes(), &strict()).unwrap();
    assert_eq!(out.report.records_out, 0);
    assert_eq!(out.report.rejected.len(), 1);
    let r = &out.report.rejected[0];
    assert!(
        r.path.contains("duration_ms") && r.reason.contains("negative"),
        "{r:?}"
    );
    let out = ingest_bytes("neg.json", text.as_bytes(), &lenient()).unwrap();
    assert_eq!(out.report.records_out, 1);
    assert!(
        out.report
            .warnings
            .iter()
            .any(|w| w.path.contains("duration_ms")),
        "{:?}",
        out.report.warnings
    );
    // the duration is re-derived from start and end (60 s), or left empty; never negative
    assert!(out.records[0].duration_s.is_none_or(|d| d >= 0.0));
}

#[test]
fn wrong_types_name_the_field_strict_and_lenient() {
    for (key, value) in [
        ("start_timestamp", "[1,2]"),
        ("end_timestamp", "{\"a\":1}"),
        ("duration_ms", "true"),
        ("duration_ms", "\"NaN\""),
    ] {
        let text = retell_with(key, value);
        let out = ingest_bytes("types.json", text.as_bytes(), &strict()).unwrap();
        assert_eq!(
            out.report.rejected.len(),
            1,
            "{key}={value}: {:?}",
            out.report
        );
        assert!(
            out.report.rejected[0].path.contains(key),
            "{:?}",
            out.report.rejected
        );
        let out = ingest_bytes("types.json", text.as_bytes(), &lenient()).unwrap();
        assert!(out.report.is_balanced());
        assert!(
            out.report
                .warnings
                .iter()
                .chain(&out.report.rejected)
                .any(|w| w.path.contains(key)),
            "{key}={value}: {:?}",
            out.report
        );
    }
}

#[test]
fn a_call_without_an_id_is_rejected_with_a_reason() {
    let good = retell("a", "1700000000000", "1700000060000");
    let mut obj: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&good).unwrap();
    obj.remove("call_id");
    let text = serde_json::Value::Object(obj).to_string();
    for opts in [lenient(), strict()] {
        let out = ingest_bytes("noid.json", text.as_bytes(), &opts).unwrap();
        assert_eq!(out.report.records_out, 0);
        assert_eq!(out.report.rejected.len(), 1, "{:?}", out.report);
        assert_eq!(out.report.rejected[0].source, "noid.json");
    }
}

#[test]
fn crlf_and_bom_in_arrays_and_csv() {
    let a = retell("a", "1700000000000", "1700000060000");
    let b = retell("b", "1700000100000", "1700000160000");
    let text = format!("\u{feff}[\r\n  {a},\r\n  {b}\r\n]\r\n");
    for opts in [lenient(), strict()] {
        let out = ingest_bytes("crlf.json", text.as_bytes(), &opts).unwrap();
        assert_eq!(out.report.records_out, 2, "{:?}", out.report);
    }
}

#[test]
fn pathological_splitter_inputs_end_quickly() {
    // brackets and quotes inside strings, long escape runs, unclosed arrays: linear scans
    let started = std::time::Instant::now();
    let cases = [
        format!("[\"{}\"]", "[{\\\"".repeat(200_000)),
        format!("[{}", "{\"a\":[".repeat(100_000)),
        format!("[{}]", "\"\\\\\",".repeat(100_000).trim_end_matches(',')),
        format!("[{}1]", " ".repeat(1 << 20)),
    ];
    for text in &cases {
        if let Ok(out) = ingest_bytes("p.json", text.as_bytes(), &lenient()) {
            assert!(out.report.is_balanced());
        }
    }
    assert!(started.elapsed().as_secs() < 60, "{:?}", started.elapsed());
}

#[test]
fn redaction_through_ingest() {
    let text = retell("a", "1700000000000", "1700000060000");
    let opts = IngestOptions {
        redact: true,
        ..Default::default()
    };
    let out = ingest_bytes("r.json", text.as_bytes(), &opts).unwrap();
    // +14155550100 and +14155550199: 11 digits, 7 masked
    let r = &out.records[0];
    let numbers = [r.customer_number.as_deref(), r.business_number.as_deref()];
    assert!(numbers.contains(&Some("+*******0100")), "{numbers:?}");
    assert!(numbers.contains(&Some("+*******0199")), "{numbers:?}");
    let o: IngestOptions = serde_json::from_str(r#"{"redact":true}"#).unwrap();
    assert!(o.redact);
}

/// `tests/hostile_cases.json` is shared with the binding tests; check its expectations here
/// against the core, so a binding test that disagrees points at the binding.
#[test]
fn shared_hostile_cases_match_the_core() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/hostile_cases.json");
    let cases: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    for c in cases["cases"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let bytes: Vec<u8> = if let Some(hex) = c["hex"].as_str() {
            (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                .collect()
        } else if let Some(parts) = c["repeat"].as_array() {
            parts
                .chunks(2)
                .map(|p| {
                    p[0].as_str()
                        .unwrap()
                        .repeat(p[1].as_u64().unwrap() as usize)
                })
                .collect::<String>()
                .into_bytes()
        } else {
            c["text"].as_str().unwrap().as_bytes().to_vec()
        };
        let expect = c["expect"].as_str().unwrap();
        for opts in [lenient(), strict()] {
            match ingest_bytes("hostile.in", &bytes, &opts) {
                Ok(out) => {
                    assert!(expect != "error", "{name}: expected an error");
                    assert!(out.report.is_balanced(), "{name}");
                }
                Err(e) => {
                    assert!(expect != "ok", "{name}: {e}");
                    let codes: Vec<&str> = c["codes"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|v| v.as_str().unwrap())
                        .collect();
                    assert!(codes.contains(&e.code()), "{name}: {e}");
                    assert!(e.to_string().contains("hostile.in"), "{name}: {e}");
                }
            }
        }
    }
}

/// Found by CI (the fast-lane property test): two Twilio calls whose `duration` is 1e300 made
/// the summary's microsecond sum overflow. Durations over `MAX_SECONDS` now break the record
/// invariants: strict rejects the call naming `duration`, lenient clears it with a warning,
/// and the report of what is left is computed without a panic.
#[test]
fn astronomical_durations_are_limited_and_the_report_does_not_overflow() {
    let call = |sid: &str| {
        format!(
            r#"{{"sid":"{sid}","account_sid":"AC1","direction":"inbound","status":"completed","from":"+14155550100","to":"+14155550199","start_time":"Mon, 01 Apr 2024 10:00:00 +0000","end_time":"Mon, 01 Apr 2024 10:01:00 +0000","duration":1e300}}"#
        )
    };
    let page = format!(
        r#"{{"calls":[{},{}],"page":0,"page_size":50,"uri":"/2010-04-01/Accounts/AC1/Calls.json"}}"#,
        call("CA01"),
        call("CA02")
    );
    let out = ingest_bytes("calls.json", page.as_bytes(), &strict()).unwrap();
    assert_eq!(out.report.records_out, 0);
    assert_eq!(out.report.rejected.len(), 2);
    for r in &out.report.rejected {
        assert!(r.reason.contains("limit"), "{r:?}");
    }
    let out = ingest_bytes("calls.json", page.as_bytes(), &lenient()).unwrap();
    assert_eq!(out.report.records_out, 2);
    assert!(out.report.is_balanced());
    for r in &out.records {
        // Cleared, then re-derived from start and end (60 s), or left empty; never 1e300.
        assert!(r.duration_s.is_none_or(|d| d == 60.0), "{:?}", r.duration_s);
    }
    let analytics = callscope::analytics::AnalyticsOptions {
        allow_mixed_tenants: true,
        ..Default::default()
    };
    let report = callscope::report::build(&out, &analytics, true).unwrap();
    assert_eq!(report["summary"]["totalCalls"], 2);
}

/// A start one second before chrono's last instant (+262143-12-31T23:59:59Z) plus a 50 s
/// duration has no representable end: the end stays empty, nothing panics, and the report of
/// the record still computes.
#[test]
fn a_start_at_the_end_of_time_does_not_overflow_the_derived_end() {
    let text = r#"{"call_id":"late","call_type":"phone_call","call_status":"ended","direction":"inbound","start_timestamp":8210298412799000,"duration_ms":50000,"disconnection_reason":"user_hangup","from_number":"+14155550100","to_number":"+14155550199"}"#;
    for opts in [lenient(), strict()] {
        let out = ingest_bytes("late.json", text.as_bytes(), &opts).unwrap();
        assert!(out.report.is_balanced());
        for r in &out.records {
            assert_eq!(r.ended_at, None);
            assert_eq!(r.effective_end(), None);
        }
        let analytics = callscope::analytics::AnalyticsOptions {
            allow_mixed_tenants: true,
            ..Default::default()
        };
        callscope::report::build(&out, &analytics, false).unwrap();
    }
}
