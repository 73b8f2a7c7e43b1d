#!/usr/bin/env bash
# Every package reports the workspace version (root Cargo.toml [workspace.package]): the Rust
# crates inherit it, the Python wheel reads it through maturin, and the npm packages must
# match it here (package.json and package-lock.json).
set -euo pipefail
cd "$(dirname "$0")/.."
want=$(awk '/^\[workspace.package\]/{p=1;next} /^\[/{p=0} p && /^version *=/{gsub(/[" ]/,"",$0); sub(/version=/,"",$0); print; exit}' Cargo.toml)
status=0
for file in bindings-node/package.json bindings-node/package-lock.json bindings-wasm/package.json bindings-wasm/package-lock.json; do
  have=$(node -e 'const j=require(process.argv[1]); console.log(j.version)' "./$file")
  if [ "$have" != "$want" ]; then
    echo "$file has version $have, the workspace has $want" >&2
    status=1
  fi
done
for manifest in core bindings-python bindings-node bindings-wasm tests; do
  if ! grep -q '^version.workspace = true' "$manifest/Cargo.toml"; then
    echo "$manifest/Cargo.toml does not inherit the workspace version" >&2
    status=1
  fi
done
if grep -q '^version *=' bindings-python/pyproject.toml; then
  echo "bindings-python/pyproject.toml must take its version from Cargo (dynamic)" >&2
  status=1
fi
[ "$status" = 0 ] && echo "every package is at version $want"
exit "$status"
