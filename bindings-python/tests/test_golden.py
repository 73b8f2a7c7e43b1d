"""The shared golden cases (tests/cases/*.json) through the Python binding.

Expected values are camelCase in the files; they are converted with the binding's own
`_snake_case_keys` (the core's rule), so Python and the other languages cannot drift.
"""

import json
import math
from pathlib import Path

import pytest

import callscope

CASES = sorted((Path(__file__).resolve().parents[2] / "tests" / "cases").glob("*.json"))
CASES_DIR = Path(__file__).resolve().parents[2] / "tests" / "cases"
FUNCTIONS = {
    "ingest": callscope.ingest,
    "report": callscope.report,
    # `files` (paths relative to tests/cases) instead of `input`
    "reportFiles": lambda files, source, **options: callscope.report_files(
        [CASES_DIR / f for f in files], **options
    ),
}


def close(expected, actual):
    return abs(expected - actual) <= 1e-9 * max(abs(expected), abs(actual), 1.0)


def compare(expected, actual, path="$"):
    """None when equal (numbers within 1e-9), else the first differing path."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return None if expected is actual else f"{path}: expected {expected!r}, got {actual!r}"
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        ok = close(expected, actual) and not (math.isnan(expected) or math.isnan(actual))
        return None if ok else f"{path}: expected {expected!r}, got {actual!r}"
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return f"{path}: expected a list, got {actual!r}"
        if len(expected) != len(actual):
            return f"{path}: expected {len(expected)} items, got {len(actual)}"
        for i, (e, a) in enumerate(zip(expected, actual)):
            diff = compare(e, a, f"{path}[{i}]")
            if diff:
                return diff
        return None
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{path}: expected a dict, got {actual!r}"
        for key in actual:
            if key not in expected:
                return f"{path}: unexpected key {key!r} = {actual[key]!r}"
        for key, e in expected.items():
            if key not in actual:
                return f"{path}: missing key {key!r}"
            diff = compare(e, actual[key], f"{path}.{key}")
            if diff:
                return diff
        return None
    return None if expected == actual else f"{path}: expected {expected!r}, got {actual!r}"


def run_case(case):
    name = case.get("function", "ingest")
    function = FUNCTIONS.get(name)
    if function is None:
        return f"unknown function {name!r} (this runner knows: {', '.join(FUNCTIONS)})"
    options = callscope._snake_case_keys(case.get("options", {}))
    try:
        given = case["files"] if name == "reportFiles" else case["input"]
        result = function(given, source=case.get("source", "input"), **options)
    except callscope.CallscopeError as err:
        want = case.get("expected_error")
        if want is None:
            return f"unexpected error {err.code}: {err}"
        if err.code != want["code"]:
            return f"expected error {want['code']}, got {err.code} ({err})"
        if want.get("contains", "") not in str(err):
            return f"error message {str(err)!r} does not contain {want.get('contains')!r}"
        return None
    if "expected_error" in case:
        return f"expected error {case['expected_error']}, got a result"
    if "select" in case:
        result = {key: result[key] for key in case["select"] if key in result}
    return compare(callscope._snake_case_keys(case["expected"]), result)


def test_there_are_cases():
    assert CASES, "no golden cases found"


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_golden_case(path):
    case = json.loads(path.read_text(encoding="utf-8"))
    assert run_case(case) is None


def test_unknown_function_fails_clearly():
    failure = run_case({"function": "nope", "input": "", "expected": {}})
    assert failure is not None and "unknown function 'nope'" in failure
