#!/usr/bin/env python3
"""Run the comparison benchmark: the same task (load native exports, normalize, summary +
per-minute concurrency) in callscope (the command line asked for those two sections; with
callscope-full the whole report; with --tools callscope-py / callscope-node the Python / Node
binding from a script), pandas, polars and DuckDB, each as a whole process, alternating,
several rounds; check that every tool's numbers agree with callscope's; print a
Markdown table of medians and ratios.

usage: run.py [--calls 100000] [--rounds 3] [--data DIR] [--python PY] [--callscope BIN]
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import date

HERE = os.path.dirname(os.path.abspath(__file__))


def dataset(data, provider, calls):
    folder = os.path.join(data, f"{provider}-{calls}")
    if not os.path.isdir(folder):
        print(f"generating {folder} ...", file=sys.stderr)
        subprocess.run([sys.executable, os.path.join(HERE, "gen_exports.py"), provider, str(calls), folder], check=True)
    size = sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder))
    return folder, size


def timed(cmd, out_path):
    t0 = time.perf_counter()
    with open(out_path, "w") as out:
        subprocess.run(cmd, stdout=out, check=True)
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, nargs="+", default=[100000])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--data", default=os.path.join(HERE, "data"))
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--callscope", default=os.path.join(HERE, "..", "..", "target", "release", "callscope"))
    ap.add_argument("--tools", nargs="+", default=["callscope", "callscope-full", "pandas", "polars", "duckdb"],
                    help="any of callscope, callscope-full, callscope-py, callscope-node, pandas, polars, duckdb")
    a = ap.parse_args()
    rows = []
    for calls in a.calls:
        for provider in ("twilio", "justcall"):
            folder, size = dataset(a.data, provider, calls)
            full = [a.callscope, "report", "--format", "json", "--granularity", "minute",
                    "--provider", provider, "--no-text", folder]
            cmds = {
                # the task's sections only (the summary and the concurrency series), as the
                # other tools compute only those
                "callscope": full[:-1] + ["--sections", "summary,concurrency", folder],
                # the whole report (also KPIs, agents and ended reasons), rounds 1-23's command
                "callscope-full": full,
                "pandas": [a.python, os.path.join(HERE, "ref_pandas.py"), provider, folder],
                "polars": [a.python, os.path.join(HERE, "ref_polars.py"), provider, folder],
                "duckdb": [a.python, os.path.join(HERE, "ref_duckdb.py"), provider, folder],
                # callscope from Python (the binding installed in the --python environment)
                "callscope-py": [a.python, os.path.join(HERE, "ref_callscope.py"), provider, folder],
                # and from Node (the addon built in bindings-node/, release)
                "callscope-node": ["node", os.path.join(HERE, "ref_callscope_node.js"), provider, folder],
            }
            times = {t: [] for t in a.tools}
            outs = {t: os.path.join(a.data, f"out-{provider}-{calls}-{t}.json") for t in a.tools}
            for _ in range(a.rounds):
                for tool in a.tools:  # alternating: one run of each per round
                    times[tool].append(timed(cmds[tool], outs[tool]))
            for tool in a.tools:
                if tool != "callscope" and "callscope" in a.tools:  # callscope-py is checked too
                    r = subprocess.run([sys.executable, os.path.join(HERE, "agree.py"), outs["callscope"], outs[tool]],
                                       capture_output=True, text=True)
                    if r.returncode != 0:
                        print(f"{provider} {calls}: {tool} disagrees with callscope:\n{r.stdout}", file=sys.stderr)
                        sys.exit(1)
            med = {t: statistics.median(v) for t, v in times.items()}
            rows.append((provider, calls, size, med))
    print(f"Measured {date.today()} on {platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}; "
          f"median of {a.rounds} alternating whole-process runs.\n")
    tools = a.tools
    ours = [t for t in ("callscope", "callscope-full", "callscope-py", "callscope-node") if t in tools]
    print("| dataset | calls | MB | " + " | ".join(f"{t} s" for t in tools)
          + "".join(f" | fastest other / {t}" for t in ours) + " |")
    print("|---" * (3 + len(tools) + len(ours)) + "|")
    for provider, calls, size, med in rows:
        others = [med[t] for t in tools if not t.startswith("callscope")]
        ratios = "".join(f" | {min(others) / med[t]:.1f}x" if others else " | -" for t in ours)
        print(f"| {provider} | {calls:,} | {size / 1e6:.0f} | " + " | ".join(f"{med[t]:.2f}" for t in tools) + ratios + " |")
    json.dump([{"provider": p, "calls": c, "bytes": s, "medianSeconds": m} for p, c, s, m in rows],
              open(os.path.join(a.data, "results.json"), "w"), indent=2)


if __name__ == "__main__":
    main()
