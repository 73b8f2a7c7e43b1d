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
