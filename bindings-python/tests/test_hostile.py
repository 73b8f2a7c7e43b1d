"""Hostile input through the Python binding: every garbage input gives a result whose report
balances or raises a ``callscope.CallscopeError`` subclass -- never a crash, a panic or a hang.

The inputs are the shared cases of ``tests/hostile_cases.json`` (also replayed by the core's
``core/tests/hostile.rs`` and by the Node and WASM hostile tests).
"""

import json
from pathlib import Path

import pytest

import callscope

ROOT = Path(__file__).resolve().parents[2]
CASES = json.loads((ROOT / "tests" / "hostile_cases.json").read_text(encoding="utf-8"))["cases"]


def payload(case):
    """The case's input as bytes."""
    if "hex" in case:
        return bytes.fromhex(case["hex"])
    if "repeat" in case:
        parts = case["repeat"]
        return "".join(parts[i] * parts[i + 1] for i in range(0, len(parts), 2)).encode("utf-8")
    return case["text"].encode("utf-8")


def balanced(report):
    return report["records_in"] == (
        report["records_out"]
        + report["duplicates_merged"]
        + report["events_folded"]
        + report["non_call_items"]
        + len(report["rejected"])
    )


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_hostile_input_gives_a_result_or_a_callscope_error(case, strict):
    data = payload(case)
    inputs = [data]
    try:
        inputs.append(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    for value in inputs:
        try:
            out = callscope.ingest(value, source="hostile.in", strict=strict)
        except callscope.CallscopeError as err:
            assert case["expect"] in ("error", "either"), f"{case['name']}: unexpected {err!r}"
            assert err.code in case.get("codes", [err.code]), f"{case['name']}: {err.code}"
            assert "hostile.in" in str(err), str(err)
        else:
            assert case["expect"] in ("ok", "either"), f"{case['name']}: expected an error"
            report = out["report"]
            assert balanced(report), report
            assert report["records_out"] == len(out["records"])
            for entry in report["rejected"] + report["warnings"]:
                assert entry["source"] == "hostile.in"
                assert entry["reason"]


def test_truncated_json_is_a_parse_error_naming_the_source():
    with pytest.raises(callscope.ParseError) as info:
        callscope.ingest('[{"call_id": "a"}, {"call_id"', source="cut.json")
    assert isinstance(info.value, callscope.CallscopeError)
    assert info.value.code == "Syntax"
    assert "cut.json" in str(info.value)


@pytest.mark.parametrize(
    "options",
    [
        {"provider": "no-such-provider"},
        {"source_tz": "Mars/Olympus"},
        {"provider": ""},
    ],
)
def test_garbage_options_raise_invalid_option_error(options):
    with pytest.raises(callscope.InvalidOptionError) as info:
        callscope.ingest("[]", **options)
    assert isinstance(info.value, callscope.CallscopeError)
    assert info.value.code == "InvalidOption"


# (a list of documents is an input; a list holding anything else is not)
@pytest.mark.parametrize("value", [None, 42, 1.5, [42], [["[]"]], {"a": 1}, object()])
def test_wrong_input_types_raise_type_error_not_a_crash(value):
    with pytest.raises(TypeError):
        callscope.ingest(value)


def test_strict_mode_reports_rejections_with_source_record_and_field():
    text = (
        '{"call_id":"a","call_type":"phone_call","call_status":"ended",'
        '"start_timestamp":1700000000000,"end_timestamp":1700000060000,"duration_ms":-5000}'
    )
    try:
        out = callscope.ingest(text, source="neg.json", strict=True)
    except callscope.CallscopeError as err:
        # a binding may raise RejectedError for strict rejections; it must name the field
        assert "duration_ms" in str(err), str(err)
    else:
        rejected = out["report"]["rejected"]
        assert len(rejected) == 1
        assert rejected[0]["source"] == "neg.json"
        assert "duration_ms" in rejected[0]["path"]
