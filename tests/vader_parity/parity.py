#!/usr/bin/env python3
"""VADER parity: callscope's Rust sentiment against vaderSentiment 3.3.2.

Scores the text of every line of the four ground-truth files that ship in vaderSentiment's
source distribution (tweets, movie reviews, Amazon reviews, NYT editorial snippets, inside
additional_resources/hutto_ICWSM_2014.tar.gz) with the Python reference and with the Rust
implementation, and fails if any compound score differs at 4 decimals.

Installs nothing. Needs:
  - vaderSentiment==3.3.2 importable (e.g. `pip install vaderSentiment==3.3.2`),
  - its sdist: `pip download vaderSentiment==3.3.2 --no-deps --no-binary :all:`,
  - the Rust side: a scorer command that reads one text per line on stdin and writes one JSON
    object per line ({compound, pos, neu, neg, label}), e.g.
    `cargo build -p callscope --example callscope_text` then
    `--scorer "target/debug/examples/callscope_text sentiment"`,
    or a file of such lines already produced (--rust-output).

Usage:
  python3 tests/vader_parity/parity.py --sdist vaderSentiment-3.3.2.tar.gz \
      --scorer "target/debug/examples/callscope_text sentiment"

Prints "N texts, M identical" (compound at 4 decimals) and exits 1 unless N == M.
"""
import argparse
import io
import json
import shlex
import subprocess
import sys
import tarfile

GROUND_TRUTH = (
    "tweets_GroundTruth.txt",
    "movieReviewSnippets_GroundTruth.txt",
    "amazonReviewSnippets_GroundTruth.txt",
    "nytEditorialSnippets_GroundTruth.txt",
)


def read_texts(sdist_path):
    """(file, line number, text) for every line of the ground-truth files in the sdist."""
    texts = []
    with tarfile.open(sdist_path, "r:gz") as outer:
        inner_member = next(
            m for m in outer.getmembers() if m.name.endswith("hutto_ICWSM_2014.tar.gz")
        )
        inner_bytes = outer.extractfile(inner_member).read()
    with tarfile.open(fileobj=io.BytesIO(inner_bytes), mode="r:gz") as inner:
        for member in inner.getmembers():
            name = member.name.rsplit("/", 1)[-1]
            if name not in GROUND_TRUTH:
                continue
            raw = inner.extractfile(member).read().decode("utf-8")
            for number, line in enumerate(raw.split("\n"), start=1):
                # the Rust reader drops the newline and one carriage return, like BufRead::lines
                if line.endswith("\r"):
                    line = line[:-1]
                if not line:
                    continue
                fields = line.split("\t", 2)
                if len(fields) < 3:
                    continue
                texts.append((name, number, fields[2]))
    return texts


FUZZ_WORDS = (
    "good bad great terrible not never no nor or least at very kind of sort just enough but "
    "BUT GOOD BAD VERY so this without doubt the shit bomb bus stop yeah right kiss death to "
    "die for beating heart isn't can't don't uh-uh kinda sorta barely EXTREMELY love hate "
    "okay fine :) :( :D <3 lol sux FRIGGIN amazing horrible nothing none happy sad"
).split()
FUZZ_DECOR = ["", "", "", "!", "?", ".", ",", "!!", "??", "!?", "'", '"', "(", ")", "...", "-"]
FUZZ_EMOJI = ["\U0001F600", "\U0001F622", "\U0001F498", "\u2764", "\U0001F44D", "\U0001F621"]
FUZZ_SPACE = [" ", " ", " ", "  ", "\t", "\u00a0", "\u2003", "\x1c"]


def fuzz_texts(count):
    import random

    rng = random.Random(20141)
    texts = []
    for number in range(count):
        parts = []
        for _ in range(rng.randint(1, 14)):
            word = rng.choice(FUZZ_WORDS)
            if rng.random() < 0.15:
                word = word.upper()
            if rng.random() < 0.3:
                word = rng.choice(FUZZ_DECOR) + word + rng.choice(FUZZ_DECOR)
            if rng.random() < 0.08:
                word = word + rng.choice(FUZZ_EMOJI)
            parts.append(word)
            parts.append(rng.choice(FUZZ_SPACE))
        texts.append(("fuzz", number + 1, "".join(parts)))
    return texts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sdist", required=True, help="vaderSentiment-3.3.2.tar.gz")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--scorer", help="command: texts on stdin, JSON lines on stdout")
    group.add_argument("--rust-output", help="JSON lines already produced by the scorer")
    parser.add_argument("--write-texts", help="also write the texts, one a line, to this file")
    parser.add_argument("--show", type=int, default=10, help="differences to print")
    parser.add_argument(
        "--fuzz",
        type=int,
        default=0,
        help="also score this many random texts built from the rules' trigger words (seeded)",
    )
    args = parser.parse_args()

    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    texts = read_texts(args.sdist)
    if args.fuzz:
        texts += fuzz_texts(args.fuzz)
    if any("\n" in t for _, _, t in texts):
        sys.exit("a text contains a newline")
    payload = "".join(t + "\n" for _, _, t in texts)
    if args.write_texts:
        with open(args.write_texts, "w", encoding="utf-8") as f:
            f.write(payload)

    if args.scorer:
        run = subprocess.run(
            shlex.split(args.scorer),
            input=payload.encode("utf-8"),
            stdout=subprocess.PIPE,
            check=True,
        )
        rust_lines = run.stdout.decode("utf-8").splitlines()
    else:
        with open(args.rust_output, encoding="utf-8") as f:
            rust_lines = f.read().splitlines()
    if len(rust_lines) != len(texts):
        sys.exit(f"scorer wrote {len(rust_lines)} lines for {len(texts)} texts")

    analyzer = SentimentIntensityAnalyzer()
    identical = 0
    all_four = 0
    shown = 0
    per_file = {}
    for (name, number, text), rust_line in zip(texts, rust_lines):
        ours = json.loads(rust_line)
        ref = analyzer.polarity_scores(text)
        same = round(ref["compound"], 4) == round(ours["compound"], 4)
        total, ok = per_file.get(name, (0, 0))
        per_file[name] = (total + 1, ok + int(same))
        if same:
            identical += 1
            if all(ref[k] == ours[k] for k in ("pos", "neu", "neg")):
                all_four += 1
        elif shown < args.show:
            shown += 1
            print(f"DIFF {name}:{number}: python {ref} rust {ours}: {text!r}")
    for name, (total, ok) in per_file.items():
        print(f"  {name}: {total} texts, {ok} identical")
    print(f"{len(texts)} texts, {identical} identical")
    print(f"({all_four} also identical in pos, neu and neg at 3 decimals)")
    sys.exit(0 if identical == len(texts) else 1)


if __name__ == "__main__":
    main()
