"""The Python binding's own contract: input kinds, keyword options, exceptions, DataFrames."""

import re
from pathlib import Path

import pytest

import callscope

ROOT = Path(__file__).resolve().parents[2]


def test_version_is_the_workspace_version():
    cargo = (ROOT / "Cargo.toml").read_text(encoding="utf-8")
    workspace = re.search(r'\[workspace\.package\][^\[]*?version = "([^"]+)"', cargo).group(1)
    assert callscope.__version__ == workspace


def test_invalid_json_raises_parse_error_with_code_and_source():
    with pytest.raises(callscope.ParseError) as info:
        callscope.ingest('{"calls": [', source="calls.json")
    assert isinstance(info.value, callscope.CallscopeError)
    assert info.value.code == "Syntax"
    assert "calls.json" in str(info.value)


def test_bad_option_value_raises_invalid_option_error():
    with pytest.raises(callscope.InvalidOptionError) as info:
        callscope.ingest("[]", provider="no-such-provider")
    assert info.value.code == "InvalidOption"
    assert "no-such-provider" in str(info.value)


def test_options_are_keyword_only_and_input_is_str_or_bytes():
    with pytest.raises(TypeError):
        callscope.ingest("[]", "twilio")  # type: ignore[misc]
    with pytest.raises(TypeError):
        callscope.ingest(42)  # type: ignore[arg-type]
    assert callscope.ingest(b"[]") == callscope.ingest("[]")


def test_empty_input_gives_no_records_and_snake_case_report():
    result = callscope.ingest("[]")
    assert result["records"] == []
    assert all(not re.search(r"[A-Z]", key) for key in result["report"])


def test_snake_case_keys_keeps_extra_and_vocabulary_words():
    value = {"recordsIn": 1, "extra": {"CallSid": "CA1"}, "unknownVocabulary": {"twilio": {"oddWord": 2}}}
    assert callscope._snake_case_keys(value) == {
        "records_in": 1,
        "extra": {"CallSid": "CA1"},
        "unknown_vocabulary": {"twilio": {"oddWord": 2}},
    }


def test_every_exception_family_derives_from_the_base():
    for cls in (
        callscope.SourceReadError,
        callscope.ParseError,
        callscope.UnknownProviderError,
        callscope.RejectedError,
        callscope.InvalidOptionError,
        callscope.LimitError,
        callscope.SignatureError,
    ):
        assert issubclass(cls, callscope.CallscopeError)


# Files, folders and lists of documents: the folder of tests/cases/report-files-folder.json
# (two JustCall pages with the same call, three Retell calls in retell/, a hidden broken file).
FOLDER = ROOT / "tests" / "cases" / "files" / "two-pages"
FILES = [FOLDER / "page-1.json", FOLDER / "page-2.json", FOLDER / "retell" / "calls.ndjson"]


def test_report_files_takes_a_folder_as_str_path_or_list():
    by_path = callscope.report_files(FOLDER, skip_text=True)
    # worked out by hand in the golden case: 5 items in, 4 calls, 1 duplicate merged
    assert by_path["ingest"]["records_in"] == 5
    assert by_path["ingest"]["duplicates_merged"] == 1
    assert by_path["summary"]["total_calls"] == 4
    assert callscope.report_files(str(FOLDER), skip_text=True) == by_path
    assert callscope.report_files(FILES, skip_text=True) == by_path
    assert callscope.report_files(iter(FILES), skip_text=True) == by_path


def test_a_list_of_documents_is_one_input():
    docs = [f.read_bytes() for f in FILES]
    assert callscope.report(docs, skip_text=True) == callscope.report_files(FOLDER, skip_text=True)
    assert callscope.report(tuple(d.decode() for d in docs), skip_text=True) == callscope.report(
        docs, skip_text=True
    )
    ingested = callscope.ingest(docs)
    assert len(ingested["records"]) == 4
    assert ingested == callscope.ingest_files(FOLDER)
    assert callscope.ingest_frame(docs).height == 4
    frame = callscope.ingest_files_frame(FOLDER)
    assert frame.height == 4
    assert frame.equals(callscope.ingest_frame(docs))
    # a broken document is named by its place in the list
    with pytest.raises(callscope.ParseError) as info:
        callscope.ingest([docs[0], b'{"data": ['], source="pages")
    assert "pages[1]" in str(info.value)
    with pytest.raises(TypeError):
        callscope.report([docs[0], 42])  # type: ignore[list-item]


def test_report_files_errors_name_the_file():
    missing = FOLDER / "no-such-page.json"
    with pytest.raises(callscope.SourceReadError) as info:
        callscope.report_files([FOLDER, missing])
    assert info.value.code == "Io" and str(missing) in str(info.value)
    with pytest.raises(callscope.ParseError):
        callscope.report_files(FOLDER / ".unfinished.json")
    with pytest.raises(callscope.InvalidOptionError):
        callscope.report_files(FOLDER, granularity="fortnight")
    with pytest.raises(TypeError):
        callscope.report_files(b"/tmp")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        callscope.report_files(42)  # type: ignore[arg-type]
