#!/usr/bin/env bash
# Coverage of callscope's own code (core/src, regions and lines) reached by each fuzz target's
# corpus: the committed seeds (fuzz/corpus/<t>/) plus the units earlier runs of
# scripts/fuzz.sh left in fuzz/target/work/<t>/. libFuzzer's `cov` counts edges in every crate
# (serde_json, regex, libphonenumber...); this counts only ours.
#
#   scripts/fuzz-coverage.sh [TARGET...]           # every target, seeds + work units
#   SEEDS_ONLY=1 scripts/fuzz-coverage.sh ingest   # the committed seeds alone
#   OLDER_THAN=FILE scripts/fuzz-coverage.sh ...   # only work units older than FILE (the corpus
#                                                  # as it was before a later run)
#
# Needs cargo-fuzz and `rustup component add llvm-tools` (llvm-cov of the toolchain's LLVM).
set -uo pipefail
cd "$(dirname "$0")/../fuzz"
export RUSTC_BOOTSTRAP=1
if [ "$#" -gt 0 ]; then targets=("$@"); else targets=($(cargo fuzz list)); fi
llvm_cov=$(ls "$(rustc --print sysroot)"/lib/rustlib/*/bin/llvm-cov 2>/dev/null | head -1)
[ -x "$llvm_cov" ] || { echo "llvm-cov not found: rustup component add llvm-tools" >&2; exit 2; }
triple=$(rustc -vV | sed -n 's/^host: //p')
echo "target | inputs | regions covered | regions % | lines covered | lines %"
for t in "${targets[@]}"; do
  set_dir=$(mktemp -d)
  cp corpus/"$t"/* "$set_dir"/ 2>/dev/null
  if [ "${SEEDS_ONLY:-0}" != 1 ] && [ -d "target/work/$t" ]; then
    if [ -n "${OLDER_THAN:-}" ]; then
      find "target/work/$t" -type f ! -newer "$OLDER_THAN" -exec cp {} "$set_dir"/ \;
    else
      cp target/work/"$t"/* "$set_dir"/ 2>/dev/null
    fi
  fi
  n=$(ls "$set_dir" | wc -l)
  cargo fuzz coverage --sanitizer none "$t" "$set_dir" >"target/coverage-$t.log" 2>&1 ||
    { echo "$t | coverage run failed, see fuzz/target/coverage-$t.log"; rm -rf "$set_dir"; continue; }
  bin="target/$triple/coverage/$triple/release/$t"
  "$llvm_cov" report "$bin" -instr-profile="coverage/$t/coverage.profdata" \
      --ignore-filename-regex='(\.cargo|rustc|/fuzz/)' 2>/dev/null | awk -v t="$t" -v n="$n" '
    /^TOTAL/ { printf "%s | %d | %d of %d | %s | %d of %d | %s\n", t, n, $2 - $3, $2, $4, $8 - $9, $8, $10 }'
  rm -rf "$set_dir"
done
