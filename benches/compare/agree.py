#!/usr/bin/env python3
"""Compare two result files of the comparison task (summary + concurrency) and print the first
differences; exit 1 when they disagree. A callscope report JSON is accepted as is, and so is
the Python binding's (snake_case keys)."""

import json
import math
import sys

KEYS = ["totalCalls", "inboundCalls", "outboundCalls", "answeredCalls", "missedCalls", "voicemailCalls",
        "failedCalls", "activeCalls", "answerRate", "totalDuration", "averageDuration", "totalTalkTime",
        "averageTalkTime", "durationPercentiles", "callsByDay", "callsByHour"]


def close(a, b):
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))
    return a == b


def camel(value):
    """snake_case keys as the report's camelCase (the Python binding's results have snake_case
    keys; dates, hours and vocabulary words have no underscore and stay as they are)."""
    if isinstance(value, dict):
        return {k.split("_")[0] + "".join(p[:1].upper() + p[1:] for p in k.split("_")[1:]): camel(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [camel(v) for v in value]
    return value


def main():
    a, b = (camel(json.load(open(p))) for p in sys.argv[1:3])
    bad = []
    for k in KEYS:
        if not close(a["summary"].get(k), b["summary"].get(k)):
            bad.append(f"summary.{k}: {a['summary'].get(k)!r} != {b['summary'].get(k)!r}")
    sa, sb = a["concurrency"]["series"], b["concurrency"]["series"]
    if a["concurrency"]["peak"] != b["concurrency"]["peak"]:
        bad.append(f"concurrency.peak: {a['concurrency']['peak']} != {b['concurrency']['peak']}")
    if len(sa) != len(sb):
        bad.append(f"series length {len(sa)} != {len(sb)}")
    for x, y in zip(sa, sb):
        fields = ("timestamp", "peak", "atStart", "average", "starts")
        if not all(close(x[f], y[f]) for f in fields):
            bad.append(f"series bucket {x['timestamp']}: {x} != {y}")
            break
    for line in bad[:10]:
        print(line)
    print("agree" if not bad else f"{len(bad)} difference(s)")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
