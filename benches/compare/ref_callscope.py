#!/usr/bin/env python3
"""The comparison task from a Python notebook with callscope's Python binding: one call reads
the folder of pages (`report_files`, the same reading as `callscope report`) and the report
comes back as Python dicts (snake_case keys, which agree.py reads too); the task's part of it
is written out as the other tools' results are.

usage: ref_callscope.py PROVIDER FOLDER
"""

import os
import sys

import callscope

sys.path.insert(0, os.path.dirname(__file__))
import common  # noqa: E402


def main():
    provider, folder = sys.argv[1:3]
    report = callscope.report_files(folder, provider=provider, granularity="minute", skip_text=True,
                                    sections=["summary", "concurrency"])
    # the task's numbers, as the pandas / polars / DuckDB scripts give them
    common.emit({"summary": report["summary"], "concurrency": report["concurrency"]})


if __name__ == "__main__":
    main()
