//! Runs every `tests/cases/*.json` golden case against the core.

#[test]
fn every_golden_case_passes() {
    let files = callscope_tests::case_files().expect("tests/cases is readable");
    assert!(
        !files.is_empty(),
        "no golden cases found in {:?}",
        callscope_tests::cases_dir()
    );
    let failures: Vec<String> = files
        .iter()
        .filter_map(|file| {
            let name = file.file_name()?.to_string_lossy().into_owned();
            callscope_tests::run_case_file(file)
                .err()
                .map(|why| format!("{name}: {why}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} golden cases failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}
