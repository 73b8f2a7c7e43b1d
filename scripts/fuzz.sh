#!/usr/bin/env bash
# Run every cargo-fuzz target for a set time.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     # default 60 s per target, every target
#   MINIMIZE=1 scripts/fuzz.sh 120            # then merge new units into fuzz/corpus/<t> and cmin
#   MAX_LEN=8192 scripts/fuzz.sh              # cap the input length (default 65536)
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`). cargo fuzz wants nightly flags; on a stable
# toolchain RUSTC_BOOTSTRAP=1 unlocks them. SANITIZER=none skips AddressSanitizer (faster, and
# works where ASan does not).
#
# Seeds: fuzz/corpus/<target>/ (committed, minimized). New units go to fuzz/target/work/<target>/
# (not committed). Crashes and timeouts that libFuzzer writes to fuzz/artifacts/<target>/ are
# copied to fuzz/regressions/<target>/, which core/tests/fuzz_regressions.rs replays in
# `cargo test`. libFuzzer's last lines (execs, coverage) go to fuzz/target/logs/<target>.log;
# a summary line per target is printed at the end. Every log line is prefixed with the seconds
# since the target started, so the summary can show the coverage at half time next to the
# coverage at the end: equal numbers mean the run reached a plateau (no new edges in its
# second half). "cov at start" is the coverage of the loaded corpus (libFuzzer's INITED line):
# a run that starts from an earlier run's units and ends close to its start has plateaued.
set -uo pipefail
cd "$(dirname "$0")/../fuzz"
SECONDS_PER_TARGET="${1:-60}"
shift || true
export RUSTC_BOOTSTRAP=1
SANITIZER="${SANITIZER:-address}"
if [ "$#" -gt 0 ]; then targets=("$@"); else targets=($(cargo fuzz list)); fi
mkdir -p target/logs
status=0
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "target/work/$t" "regressions/$t"
  echo "== $t: ${SECONDS_PER_TARGET}s" >&2
  cargo fuzz run --sanitizer "$SANITIZER" "$t" "target/work/$t" "corpus/$t" -- \
    -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 -max_len="${MAX_LEN:-65536}" \
    -print_final_stats=1 2>&1 | (start=$SECONDS; while IFS= read -r line; do
      printf '%d %s\n' "$((SECONDS - start))" "$line"; done) >"target/logs/$t.log"
  [ "${PIPESTATUS[0]}" = 0 ] || status=1
  for a in artifacts/"$t"/*; do
    [ -f "$a" ] && cp -n "$a" "regressions/$t/"
  done
  if [ "${MINIMIZE:-0}" = 1 ]; then
    cp -n "target/work/$t"/* "corpus/$t/" 2>/dev/null
    cargo fuzz cmin --sanitizer "$SANITIZER" "$t" "corpus/$t" >>"target/logs/$t.log" 2>&1 || status=1
  fi
done
echo "target | execs | exec/s | cov at start | cov at half time | cov | ft | corpus | result"
for t in "${targets[@]}"; do
  log="target/logs/$t.log"
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | head -1 | awk '{print $2}')
  speed=$(grep -oE 'stat::average_exec_per_sec: +[0-9]+' "$log" | head -1 | awk '{print $2}')
  last=$(grep -E '^[0-9]+ #[0-9]+.*DONE' "$log" | head -1)
  # time 0 is libFuzzer's start (its "INFO: Seed:" line), after the build
  half=$(awk -v h="$((SECONDS_PER_TARGET / 2))" '/INFO: Seed:/ && t0 == "" { t0 = $1 }
      t0 != "" && $2 ~ /^#[0-9]+$/ && $1 - t0 <= h && /cov: / {
      for (i = 1; i <= NF; i++) if ($i == "cov:") c = $(i + 1) } END { print c }' "$log")
  # coverage of the loaded corpus (seeds + earlier runs' units) before any mutation
  start_cov=$(grep -E '^[0-9]+ #[0-9]+.*INITED' "$log" | head -1 | grep -o 'cov: [0-9]*' | awk '{print $2}')
  cov=$(echo "$last" | grep -o 'cov: [0-9]*' | awk '{print $2}')
  ft=$(echo "$last" | grep -o 'ft: [0-9]*' | awk '{print $2}')
  corp=$(echo "$last" | grep -o 'corp: [0-9]*/[0-9a-zA-Z]*' | awk '{print $2}')
  if grep -qE 'ERROR: libFuzzer|SUMMARY: AddressSanitizer|panicked' "$log"; then res=CRASH; else res=ok; fi
  echo "$t | ${execs:-?} | ${speed:-?} | ${start_cov:-?} | ${half:-?} | ${cov:-?} | ${ft:-?} | ${corp:-?} | $res"
done
exit $status
