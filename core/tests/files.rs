//! Reading files and folders (`callscope::files`, `report::report_paths`) and lists of
//! documents (`report::report_documents`): the bindings' `report_files` / `reportFiles` and
//! `report` over a list. The folder is the golden case's (tests/cases/files/two-pages): two
//! JustCall list pages holding the same call, three Retell calls in a subfolder, and a hidden
//! file that is not JSON.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use callscope::Error;
use callscope::report::{ReportOptions, report_documents, report_paths};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/cases/files/two-pages")
}

fn path(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn options() -> ReportOptions {
    ReportOptions {
        skip_text: true,
        ..ReportOptions::default()
    }
}

/// The folder's files in the order the walk takes them (sorted paths, hidden ones skipped).
fn documents() -> Vec<(String, Vec<u8>)> {
    ["page-1.json", "page-2.json", "retell/calls.ndjson"]
        .iter()
        .map(|name| {
            let p = folder().join(name);
            (path(&p), std::fs::read(&p).unwrap())
        })
        .collect()
}

#[test]
fn a_folder_is_walked_sorted_without_hidden_files() {
    let found = callscope::files::expand_inputs(&[path(&folder())]).unwrap();
    let names: Vec<&str> = found
        .iter()
        .map(|f| f.rsplit_once("two-pages/").unwrap().1)
        .collect();
    assert_eq!(names, ["page-1.json", "page-2.json", "retell/calls.ndjson"]);
}

#[test]
fn report_paths_merges_duplicates_across_files() {
    let report = report_paths(&[path(&folder())], &options()).unwrap();
    // worked out by hand in tests/cases/report-files-folder.json
    assert_eq!(report["ingest"]["recordsIn"], 5);
    assert_eq!(report["ingest"]["recordsOut"], 4);
    assert_eq!(report["ingest"]["duplicatesMerged"], 1);
    assert_eq!(report["summary"]["totalCalls"], 4);
    assert_eq!(report["summary"]["missedCalls"], 2);
    assert_eq!(report["summary"]["totalDuration"], 270.0);
}

#[test]
fn files_given_one_by_one_are_the_folder() {
    let whole = report_paths(&[path(&folder())], &options()).unwrap();
    let files: Vec<String> = documents().into_iter().map(|(name, _)| name).collect();
    assert_eq!(report_paths(&files, &options()).unwrap(), whole);
    // the same page twice: its call is a duplicate the second time
    let twice = [files[0].clone(), files[0].clone()];
    let report = report_paths(&twice, &options()).unwrap();
    assert_eq!(report["ingest"]["recordsIn"], 2);
    assert_eq!(report["ingest"]["duplicatesMerged"], 1);
    assert_eq!(report["summary"]["totalCalls"], 1);
    // the same webhook events twice: Retell's `call_ended` events of a call fold into it
    let twice = [files[2].clone(), files[2].clone()];
    let report = report_paths(&twice, &options()).unwrap();
    assert_eq!(report["ingest"]["recordsIn"], 6);
    assert_eq!(report["ingest"]["eventsFolded"], 3);
    assert_eq!(report["summary"]["totalCalls"], 3);
}

#[test]
fn documents_in_memory_are_the_files() {
    let docs = documents();
    let from_files = report_paths(&[path(&folder())], &options()).unwrap();
    assert_eq!(report_documents(&docs, &options()).unwrap(), from_files);
    // borrowed pairs work as well as owned ones
    let borrowed: Vec<(&str, &[u8])> = docs
        .iter()
        .map(|(s, b)| (s.as_str(), b.as_slice()))
        .collect();
    assert_eq!(report_documents(&borrowed, &options()).unwrap(), from_files);
    // no documents: an empty report, not an error
    let none: [(&str, &[u8]); 0] = [];
    let empty = report_documents(&none, &options()).unwrap();
    assert_eq!(empty["summary"]["totalCalls"], 0);
    assert_eq!(empty["ingest"]["recordsIn"], 0);
}

#[test]
fn a_missing_file_is_an_io_error_naming_it() {
    let missing = path(&folder().join("no-such-page.json"));
    let err = report_paths(&[path(&folder()), missing.clone()], &options()).unwrap_err();
    assert_eq!(err.code(), "Io");
    match err {
        Error::Io { source_name, .. } => assert_eq!(source_name, missing),
        other => panic!("not an Io error: {other:?}"),
    }
}

#[test]
fn a_broken_file_is_a_syntax_error_naming_it() {
    let hidden = path(&folder().join(".unfinished.json"));
    let err = report_paths(std::slice::from_ref(&hidden), &options()).unwrap_err();
    assert_eq!(err.code(), "Syntax");
    assert!(err.to_string().contains(&hidden), "{err}");
    // in a list of documents, the one that is broken is named
    let mut docs = documents();
    docs.insert(1, ("broken.json".into(), b"{\"data\": [".to_vec()));
    let err = report_documents(&docs, &options()).unwrap_err();
    assert_eq!(err.code(), "Syntax");
    assert!(err.to_string().contains("broken.json"), "{err}");
}

#[test]
fn options_are_checked_before_any_file_is_read() {
    let mut bad = options();
    bad.analytics.service_level_threshold_s = -1.0;
    let err = report_paths(&[path(&folder().join("missing"))], &bad).unwrap_err();
    assert_eq!(err.code(), "InvalidOption");
}

#[test]
fn ingest_documents_is_ingest_inputs() {
    let options = callscope::ingest::IngestOptions::default();
    let files = callscope::files::ingest_inputs(&[path(&folder())], &options, |_| {}).unwrap();
    let docs = callscope::ingest::ingest_documents(&documents(), &options).unwrap();
    assert_eq!(docs, files);
}

#[test]
fn ingest_inputs_keeps_every_record_and_its_extra_fields() {
    let out = callscope::files::ingest_inputs(
        &[path(&folder())],
        &callscope::ingest::IngestOptions::default(),
        |_| {},
    )
    .unwrap();
    assert_eq!(out.report.records_in, 5);
    assert_eq!(out.records.len(), 4);
    let justcall = out
        .records
        .iter()
        .find(|r| r.provider_call_id == "CAe1b2c3d4e5f60718293a4b5c6d7e8f93")
        .unwrap();
    // the numeric id JustCall gives beside call_sid is kept in extra
    assert_eq!(justcall.extra.get("id"), Some(&Value::from("223344556")));
}

// Linux only: "a/B" and "a/b" are one file on the case-insensitive file systems that macOS and
// Windows use by default
#[cfg(target_os = "linux")]
#[test]
fn a_folder_is_walked_in_path_order() {
    // component by component, as bytes (the JS runners' sortPaths is checked on the same
    // names in bindings-wasm/tests/node.test.mjs); a string sort would put a-b/x first
    let order = ["a/B", "a/a/z", "a/b", "a-b/x", "a0", "z", "é"];
    let root = std::env::temp_dir().join(format!("callscope-order-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    for name in order.iter().rev() {
        let file = root.join(name);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, "{}").unwrap();
    }
    let found = callscope::files::expand_inputs(&[path(&root)]).unwrap();
    std::fs::remove_dir_all(&root).unwrap();
    let want: Vec<String> = order.iter().map(|n| path(&root.join(n))).collect();
    assert_eq!(found, want);
}

#[cfg(unix)]
#[test]
fn a_folder_linked_into_itself_is_read_once() {
    use std::os::unix::fs::symlink;
    let root = std::env::temp_dir().join(format!("callscope-loop-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("sub")).unwrap();
    std::fs::copy(folder().join("page-1.json"), root.join("sub/page-1.json")).unwrap();
    // two links back to the top: before, the walk failed after 40 levels ("too many levels of
    // symbolic links") having taken 2^40 paths to get there
    symlink(&root, root.join("sub/up")).unwrap();
    symlink(&root, root.join("again")).unwrap();
    let found = callscope::files::expand_inputs(&[path(&root)]).unwrap();
    let report = report_paths(&[path(&root)], &options());
    std::fs::remove_dir_all(&root).unwrap();
    assert_eq!(found, [path(&root.join("sub/page-1.json"))]);
    let report = report.unwrap();
    assert_eq!(report["ingest"]["recordsIn"], 1);
    assert_eq!(report["summary"]["totalCalls"], 1);
}

#[test]
fn documents_of_a_list_are_named_by_place() {
    use callscope::ingest::list_source;
    assert_eq!(list_source("pages", 1), "pages[1]");
    // the name every binding gives a list's documents is the one errors show
    let docs = [
        (list_source("pages", 0), documents()[0].1.clone()),
        (list_source("pages", 1), b"{\"data\": [".to_vec()),
    ];
    let err = report_documents(&docs, &options()).unwrap_err();
    assert!(err.to_string().contains("pages[1]"), "{err}");
}

/// Many small files of different sizes and kinds (list pages, single calls, NDJSON, CSV) read
/// by the same threads one after another give the report of the same documents in memory:
/// each thread's reused read buffer never carries a file's bytes into the next one, and the
/// files that are not single JSON documents are read again from their own bytes.
#[test]
fn files_read_into_reused_buffers_are_the_documents() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data");
    let sources = [
        "justcall/list_v21.json",
        "twilio/call_fetch.json",
        "callcenter/stream.ndjson",
        "twilio/call_list_page1.json",
        "asterisk/cdr_custom_Master_pjsip.csv",
        "justcall/call_v21.json",
        "retell/list_v3.json",
        "vapi",
    ];
    let dir = std::env::temp_dir().join(format!("callscope-reused-buffers-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut docs = Vec::new();
    // three rounds of the list: more files than threads, large ones after small ones
    for round in 0..3 {
        for (i, source) in sources.iter().enumerate() {
            let from = data.join(source);
            let from = if from.is_dir() {
                std::fs::read_dir(&from)
                    .unwrap()
                    .next()
                    .unwrap()
                    .unwrap()
                    .path()
            } else {
                from
            };
            let name = format!(
                "{round}-{i}-{}",
                from.file_name().unwrap().to_string_lossy()
            );
            let bytes = std::fs::read(&from).unwrap();
            std::fs::write(dir.join(&name), &bytes).unwrap();
            docs.push((path(&dir.join(&name)), bytes));
        }
    }
    docs.sort();
    let mut options = options();
    options.analytics.allow_mixed_tenants = true;
    let from_files = report_paths(&[path(&dir)], &options).unwrap();
    let from_memory = report_documents(&docs, &options).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(from_files, from_memory);
    // every file was read: the calls of each of them, three times over
    assert!(from_files["ingest"]["recordsIn"].as_u64().unwrap() > 3 * sources.len() as u64);
    assert_eq!(
        from_files["ingest"]["rejected"]
            .as_array()
            .map_or(0, Vec::len)
            % 3,
        0
    );
}

#[test]
fn batches_parsed_while_the_one_before_is_added_are_the_documents() {
    // 700 small pages: three batches of at most 256 files. Each page holds the fixture's three
    // JustCall calls, two of them given a call SID of the page's (the call's key) and one the
    // same in every page (merged across batches).
    let page: Value = serde_json::from_slice(
        &std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/justcall/list_v21.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let dir = std::env::temp_dir().join(format!("callscope-batches-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut docs = Vec::new();
    for i in 0..700u64 {
        let mut page = page.clone();
        for k in 1..3u64 {
            page["data"][k as usize]["call_sid"] = Value::from(format!("CA{:032x}", i * 10 + k));
        }
        let name = dir.join(format!("page-{i:04}.json"));
        let bytes = serde_json::to_vec_pretty(&page).unwrap();
        std::fs::write(&name, &bytes).unwrap();
        docs.push((path(&name), bytes));
    }
    let from_files = report_paths(&[path(&dir)], &options()).unwrap();
    let from_memory = report_documents(&docs, &options()).unwrap();
    assert_eq!(from_files, from_memory);
    let ingest = &from_files["ingest"];
    assert_eq!(ingest["recordsIn"], 2100);
    assert_eq!(ingest["recordsOut"], 1 + 2 * 700);
    assert_eq!(ingest["duplicatesMerged"], 699);
    assert_eq!(from_files["summary"]["totalCalls"], 1401);

    // `between` comes after each batch is added, the batch parsed meanwhile not yet in, and
    // not after the last one; every file is told once, in order
    let options = callscope::ingest::IngestOptions {
        keep_extra: false,
        ..Default::default()
    };
    let (mut waiting, mut told) = (Vec::new(), Vec::new());
    let ingestor = callscope::files::read_inputs_with(
        &[path(&dir)],
        &options,
        |bytes| told.push(bytes),
        &mut |ingestor| waiting.push(ingestor.waiting()),
    )
    .unwrap();
    assert_eq!(waiting, [3 * 256, 3 * 512]);
    assert_eq!(ingestor.waiting(), 2100);
    let sizes: Vec<u64> = docs.iter().map(|(_, b)| b.len() as u64).collect();
    assert_eq!(told, sizes);

    // a broken page in the third batch: its error, after the two batches before it were added
    std::fs::write(dir.join("page-0600.json"), b"{\"data\": [").unwrap();
    let mut betweens = 0;
    let err =
        callscope::files::read_inputs_with(&[path(&dir)], &options, |_| {}, &mut |_| betweens += 1)
            .unwrap_err();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(err.to_string().contains("page-0600.json"), "{err}");
    assert_eq!(betweens, 2);
}
