#!/usr/bin/env bash
# Build the WASM package twice from one .wasm: pkg/web (ES module for browsers, no bundler)
# and pkg/node (CommonJS for Node). With WASM_OPT=1 (e.g. `make wasm-package`) it also runs
# wasm-opt -Oz from the optional `binaryen` npm package: about 10 % smaller, but minutes of
# CPU, so the test build skips it.
set -euo pipefail
cd "$(dirname "$0")"
target_dir="$(cd .. && cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
# The core without default features: no rayon in the browser; `phone` is enabled by this crate.
# Tests use the light `wasm-test` profile (fast to compile); `WASM_PROFILE=release` for shipping.
profile="${WASM_PROFILE:-wasm-test}"
cargo build -p callscope-wasm --target wasm32-unknown-unknown --profile "$profile"
wasm="$target_dir/wasm32-unknown-unknown/$profile/callscope_wasm.wasm"
wasm-bindgen --target web --out-dir pkg/web "$wasm"
wasm-bindgen --target nodejs --out-dir pkg/node "$wasm"
if [ "${WASM_OPT:-0}" = 1 ] && [ -x node_modules/.bin/wasm-opt ]; then
  for out in pkg/web pkg/node; do
    node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
      --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
      "$out/callscope_wasm_bg.wasm" -o "$out/callscope_wasm_bg.wasm"
  done
else
  echo "wasm-opt skipped (set WASM_OPT=1 with the optional npm package binaryen installed)"
fi
ls -l pkg/web/callscope_wasm_bg.wasm
