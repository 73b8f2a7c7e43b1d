//! Hostile input through the built `callscope` binary: exit status 0 when all went well, 1 for
//! an unreadable input or a strict-mode rejection, 2 for bad arguments; stderr names the
//! source, the record and the field.
#![cfg(feature = "cli")]
#![allow(clippy::unwrap_used)] // helpers of tests: a failed unwrap is a failed test

use std::path::PathBuf;
use std::process::{Command, Output};

const GOOD: &str = r#"{"call_id":"c1","call_type":"phone_call","call_status":"ended","direction":"inbound","start_timestamp":1700000000000,"end_timestamp":1700000060000,"duration_ms":55000,"disconnection_reason":"user_hangup","from_number":"+14155550100","to_number":"+14155550199"}"#;

/// A fresh per-test directory, removed with what it holds when the test ends (passed or
/// failed: the guard is dropped while a failed test unwinds).
struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("callscope-cli-{}-{test}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    /// A file in the directory.
    fn file(&self, name: &str, body: &[u8]) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, body).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_callscope"))
        .args(args)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn good_input_exits_0_and_writes_records() {
    let scratch = Scratch::new("good");
    let f = scratch.file("calls.json", GOOD.as_bytes());
    let o = run(&["ingest", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains("+14155550100"));
}

/// With `--window`, `ingest` writes the calls it finishes while reading as it goes (each
/// batch sorted): the same records as without a window, not one order over all of them.
#[test]
fn ingest_with_a_window_writes_the_same_records() {
    let scratch = Scratch::new("window-ingest");
    // 9,000 Retell calls, one per line, starts going back and forth (more than one batch of
    // 4,096 lines, so calls are finished while reading); no call has a second item
    let body: String = (0..9_000u64)
        .map(|i| {
            let start = 1_700_000_000_000 + ((i * 7_919) % 9_000) * 60_000;
            GOOD.replace("\"c1\"", &format!("\"c{i}\""))
                .replace("1700000000000", &start.to_string())
                .replace("1700000060000", &(start + 60_000).to_string())
                + "\n"
        })
        .collect();
    let f = scratch.file("calls.ndjson", body.as_bytes());
    let whole = run(&["ingest", f.to_str().unwrap()]);
    // standard input is streamed (a file is read whole below 16 MiB)
    let streamed = {
        use std::io::Write;
        let mut child = Command::new(env!("CARGO_BIN_EXE_callscope"))
            .args(["ingest", "--window", "100", "-"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let writer = std::thread::spawn(move || stdin.write_all(body.as_bytes()));
        let out = child.wait_with_output().unwrap();
        writer.join().unwrap().unwrap();
        out
    };
    assert_eq!(whole.status.code(), Some(0), "{}", stderr(&whole));
    assert_eq!(streamed.status.code(), Some(0), "{}", stderr(&streamed));
    let lines = |o: &Output| {
        let mut l: Vec<String> = String::from_utf8_lossy(&o.stdout)
            .lines()
            .map(String::from)
            .collect();
        l.sort();
        l
    };
    assert_eq!(lines(&whole).len(), 9_000);
    assert_eq!(lines(&streamed), lines(&whole));
    // written as finished: not the whole output's order
    assert_ne!(streamed.stdout, whole.stdout);
}

#[test]
fn redact_flag_masks_numbers() {
    let scratch = Scratch::new("redact");
    let f = scratch.file("calls.json", GOOD.as_bytes());
    let o = run(&["ingest", "--redact", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(!out.contains("+14155550100"), "{out}");
    // 11 digits, 7 masked
    assert!(out.contains("+*******0100"), "{out}");
}

#[test]
fn missing_file_exits_1_naming_it() {
    let o = run(&["ingest", "/nonexistent/callscope/nothing.json"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("nothing.json"), "{}", stderr(&o));
}

#[test]
fn truncated_json_exits_1_naming_source_and_position() {
    let scratch = Scratch::new("trunc");
    let f = scratch.file("broken.json", br#"{"call_id": "c1", "call_status": "#);
    let o = run(&["ingest", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("broken.json") && e.contains("line 1"), "{e}");
}

#[test]
fn invalid_utf8_and_garbage_do_not_crash() {
    let scratch = Scratch::new("garbage");
    for (i, body) in [
        &b"\xff\xfe\x00garbage\x80"[..],
        b"[{\"call_id\":\"\xc3\x28\"}]",
        b"\xEF\xBB\xBF",
        b"",
        b"{{{{{{{{{{",
    ]
    .iter()
    .enumerate()
    {
        let f = scratch.file(&format!("g{i}.json"), body);
        let o = run(&["ingest", f.to_str().unwrap()]);
        let code = o.status.code();
        assert!(
            code == Some(0) || code == Some(1),
            "{body:?}: {code:?} {}",
            stderr(&o)
        );
        if code == Some(1) {
            assert!(stderr(&o).contains(&format!("g{i}.json")), "{}", stderr(&o));
        }
    }
}

#[test]
fn strict_rejection_exits_1_naming_source_record_and_field() {
    let scratch = Scratch::new("strict");
    // the second line ends before it starts
    let bad = GOOD
        .replace("\"c1\"", "\"c2\"")
        .replace("1700000060000", "1699999990000");
    let f = scratch.file("mixed.ndjson", format!("{GOOD}\n{bad}\n").as_bytes());
    let o = run(&["ingest", "--strict", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("1 record(s) rejected"), "{e}");
    // source:line path: reason
    assert!(e.contains("mixed.ndjson:2"), "{e}");
    assert!(e.contains("c2") && e.contains("before"), "{e}");
    // lenient: the same file is fine
    let o = run(&["ingest", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn report_file_names_rejected_fields() {
    let scratch = Scratch::new("report");
    let f = scratch.file("x.ndjson", format!("{GOOD}\n{{\"call_id\": 5, \"call_type\": \"phone_call\", \"start_timestamp\": \"yesterday\"}}\n").as_bytes());
    let report = f.with_file_name("report.json");
    let o = run(&[
        "ingest",
        "--report",
        report.to_str().unwrap(),
        f.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(r["recordsIn"], 2);
    let rejected = r["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 1, "{r}");
    assert_eq!(rejected[0]["index"], 2);
    assert!(
        rejected[0]["source"]
            .as_str()
            .unwrap()
            .ends_with("x.ndjson")
    );
}

#[test]
fn bad_arguments_exit_2() {
    let scratch = Scratch::new("args");
    let f = scratch.file("calls.json", GOOD.as_bytes());
    let path = f.to_str().unwrap();
    for args in [
        vec!["ingest"],
        vec!["ingest", "--provider", "nosuchprovider", path],
        vec!["ingest", "--no-such-flag", path],
        vec!["frobnicate"],
        vec![],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).is_empty());
    }
    let o = run(&["ingest", "--source-tz", "Mars/Olympus", path]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("Mars/Olympus"), "{}", stderr(&o));
}

/// `--sections` computes only the sections it names: the same values as the whole report's,
/// the others null, every key still there; the three paths (pages finished where read, an
/// NDJSON stream, a window) alike. A name it does not know exits 2 naming it.
#[test]
fn report_sections_compute_only_what_they_name() {
    let scratch = Scratch::new("sections");
    let body: String = (0..3000)
        .map(|i| {
            let start = 1_700_000_000_000u64 + i * 7_000;
            GOOD.replace("\"c1\"", &format!("\"c{i}\""))
                .replace("1700000000000", &start.to_string())
                .replace("1700000060000", &(start + 60_000).to_string())
        })
        .map(|line| line + "\n")
        .collect();
    let f = scratch.file("calls.ndjson", body.as_bytes());
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/twilio");
    for (path, extra) in [
        (f.to_str().unwrap(), &[][..]),
        (f.to_str().unwrap(), &["--window", "100"][..]),
        (root, &["--all-tenants"][..]),
    ] {
        let report = |more: &[&str]| {
            let mut args = vec![
                "report",
                "--format",
                "json",
                "--no-text",
                "--granularity",
                "day",
            ];
            args.extend_from_slice(extra);
            args.extend_from_slice(more);
            args.push(path);
            let o = run(&args);
            assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
            serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()
        };
        let whole = report(&[]);
        let some = report(&["--sections", "summary,concurrency"]);
        let keys =
            |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(&some), keys(&whole));
        assert!(
            whole["summary"]["totalCalls"].as_u64().unwrap() > 0,
            "{path}"
        );
        for key in ["ingest", "summary", "concurrency"] {
            assert_eq!(some[key], whole[key], "{path} {extra:?}: {key}");
        }
        for key in ["kpis", "agents", "endedReasons", "endedReasonsRaw"] {
            assert!(!whole[key].is_null(), "{key}");
            assert!(
                some[key].is_null(),
                "{path} {extra:?}: {key} = {}",
                some[key]
            );
        }
        let ended = report(&["--sections", "endedReasonsRaw"]);
        assert_eq!(ended["endedReasons"], whole["endedReasons"]);
        assert_eq!(ended["endedReasonsRaw"], whole["endedReasonsRaw"]);
        assert!(ended["summary"].is_null() && ended["concurrency"].is_null());
    }
    let o = run(&["report", "--sections", "summary,kpi", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--sections") && stderr(&o).contains("\"kpi\""),
        "{}",
        stderr(&o)
    );
    // the table says what was left out
    let o = run(&["report", "--sections", "concurrency", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let table = String::from_utf8_lossy(&o.stdout);
    assert!(
        table.contains("KPIs (inbound)\n==============\n  (not available)"),
        "{table}"
    );
}

/// On every fixture folder, lenient and strict, a report of the summary and the series alone
/// (which reads calls lean) gives the whole report's ingest report, summary and series.
#[test]
fn a_two_section_report_is_the_whole_reports_on_every_fixture_folder() {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data");
    let mut folders: Vec<PathBuf> = std::fs::read_dir(data)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    assert!(folders.len() >= 9, "{folders:?}");
    for folder in &folders {
        let path = folder.to_str().unwrap();
        for strict in [&[][..], &["--strict"][..]] {
            let report = |more: &[&str]| {
                let mut args = vec!["report", "--format", "json", "--no-text", "--all-tenants"];
                args.extend_from_slice(&["--granularity", "day"]);
                args.extend_from_slice(strict);
                args.extend_from_slice(more);
                args.push(path);
                let o = run(&args);
                serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()
            };
            let whole = report(&[]);
            let two = report(&["--sections", "summary,concurrency"]);
            assert!(
                whole["summary"]["totalCalls"].as_u64().unwrap() > 0,
                "{path}"
            );
            for key in ["ingest", "summary", "concurrency"] {
                assert_eq!(two[key], whole[key], "{path} {strict:?}: {key}");
            }
        }
    }
}

#[test]
fn help_and_version_exit_0() {
    assert_eq!(run(&["--help"]).status.code(), Some(0));
    assert_eq!(run(&["--version"]).status.code(), Some(0));
}

#[test]
fn a_folder_of_many_small_files_is_read_whole() {
    let scratch = Scratch::new("many");
    // more files than one read batch holds open (256): every one is read, in batches
    let mut last = PathBuf::new();
    for i in 0..600 {
        let body = GOOD.replace("\"c1\"", &format!("\"c{i}\""));
        last = scratch.file(&format!("call{i:04}.json"), body.as_bytes());
    }
    let dir = last.parent().unwrap().to_str().unwrap().to_owned();
    let o = run(&["report", "--format", "json", "--no-text", &dir]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["ingest"]["recordsIn"], 600, "{}", report["ingest"]);
    assert_eq!(report["ingest"]["recordsOut"], 600);
    assert_eq!(report["summary"]["totalCalls"], 600);
}

#[test]
fn report_window_rejects_a_late_item_and_says_where() {
    let scratch = Scratch::new("window-late");
    // 10,000 calls, then call c0 again: 10,000 items after its first, more than --window 2000
    let mut body: String = (0..10_000)
        .map(|i| GOOD.replace("\"c1\"", &format!("\"c{i}\"")) + "\n")
        .collect();
    body += &(GOOD.replace("\"c1\"", "\"c0\"") + "\n");
    let f = scratch.file("calls.ndjson", body.as_bytes());
    let path = f.to_str().unwrap();
    let report = |extra: &[&str]| {
        let mut args = vec!["report", "--format", "json", "--no-text"];
        args.extend_from_slice(extra);
        args.push(path);
        let o = run(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()
    };
    let windowed = report(&["--window", "2000"]);
    let ingest = &windowed["ingest"];
    assert_eq!(ingest["recordsIn"], 10_001, "{ingest}");
    assert_eq!(ingest["recordsOut"], 10_000);
    assert_eq!(ingest["duplicatesMerged"], 0);
    assert_eq!(ingest["rejected"].as_array().unwrap().len(), 1, "{ingest}");
    assert_eq!(ingest["rejected"][0]["index"], 10_001, "line number");
    assert!(
        ingest["rejected"][0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("retell:c0: late item: more than 2000 call items"),
        "{ingest}"
    );
    // without a window the copy is merged as a duplicate; the analytics are the same
    let whole = report(&[]);
    assert_eq!(whole["ingest"]["duplicatesMerged"], 1);
    assert_eq!(whole["summary"], windowed["summary"]);
    assert_eq!(whole["concurrency"], windowed["concurrency"]);

    let o = run(&["report", "--window", "0", path]);
    assert_ne!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("window"), "{}", stderr(&o));
}

#[test]
fn report_reads_ndjson_with_a_long_first_line_from_standard_input() {
    // the first line (a call with a long transcript) is longer than stdin's 8 KB buffer: it
    // was taken for one JSON document, and line 2 failed as "trailing characters"
    use std::io::Write;
    let long = GOOD.replace(
        "\"call_id\":\"c1\"",
        &format!(
            "\"call_id\":\"c1\",\"transcript\":\"{}\"",
            "hello ".repeat(4000)
        ),
    );
    let body = format!("{long}\n{}\n", GOOD.replace("\"c1\"", "\"c2\""));
    let mut child = Command::new(env!("CARGO_BIN_EXE_callscope"))
        .args(["report", "--format", "json", "--no-text", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(body.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["ingest"]["recordsIn"], 2, "{}", report["ingest"]);
    assert_eq!(report["ingest"]["recordsOut"], 2);
}
