#!/usr/bin/env python3
"""Write the calls of a generated page folder as NDJSON (one compact call resource per line),
for the NDJSON memory measurements (`callscope report --window N`).

usage: to_ndjson.py PAGE_DIR OUT.ndjson [--limit N]
"""

import argparse
import json
import os


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pages")
    ap.add_argument("out")
    ap.add_argument("--limit", type=int, default=None, help="stop after this many calls")
    a = ap.parse_args()
    written = 0
    with open(a.out, "w") as out:
        for name in sorted(os.listdir(a.pages)):
            with open(os.path.join(a.pages, name)) as f:
                page = json.load(f)
            # Twilio pages list their calls under "calls", JustCall v2.1 pages under "data"
            for call in page.get("calls", page.get("data", [])):
                if a.limit is not None and written == a.limit:
                    return
                out.write(json.dumps(call, separators=(",", ":")))
                out.write("\n")
                written += 1


if __name__ == "__main__":
    main()
