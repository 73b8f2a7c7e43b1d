#!/usr/bin/env python3
"""The comparison task from a Python notebook with callscope's Python binding: one call reads
the folder of pages (`report_files`, the same reading as `callscope report`) and the report
comes back as Python dicts; it is written out with the command line's camelCase keys so that
agree.py compares it like the other tools' results.

usage: ref_callscope.py PROVIDER FOLDER
"""

import os
import sys

import callscope

sys.path.insert(0, os.path.dirname(__file__))
import common  # noqa: E402


def camel(key):
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def camel_keys(value):
    """snake_case keys back to the report's camelCase (dates, hours and vocabulary words have
    no underscore and stay as they are)."""
    if isinstance(value, dict):
        return {camel(k): camel_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [camel_keys(v) for v in value]
    return value


def main():
    provider, folder = sys.argv[1:3]
    report = callscope.report_files(folder, provider=provider, granularity="minute", skip_text=True)
    # the task's numbers, as the pandas / polars / DuckDB scripts give them
    common.emit(camel_keys({"summary": report["summary"], "concurrency": report["concurrency"]}))


if __name__ == "__main__":
    main()
