#!/usr/bin/env bash
# The Rust pieces the build needs: the wasm32 target, clippy/rustfmt, and wasm-bindgen-cli at
# exactly the version the `wasm-bindgen` crate is pinned to in the root Cargo.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target add wasm32-unknown-unknown
rustup component add clippy rustfmt
want=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)"$/\1/p' Cargo.toml)
if [ -z "$want" ]; then
  echo "cannot find the pinned wasm-bindgen version in Cargo.toml" >&2
  exit 1
fi
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  echo "installing wasm-bindgen-cli $want (found: ${have:-none})"
  cargo install wasm-bindgen-cli --version "$want"
else
  echo "wasm-bindgen-cli $have already installed"
fi
