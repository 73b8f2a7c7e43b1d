#!/usr/bin/env bash
# Set the one version of every package: the workspace version, then the npm manifests.
# Usage: scripts/set-version.sh 0.2.0
set -euo pipefail
cd "$(dirname "$0")/.."
new="$1"
awk -v v="$new" '/^\[workspace.package\]/{p=1} /^\[/ && !/^\[workspace.package\]/{p=0} p && /^version *=/{$0="version = \"" v "\""} {print}' Cargo.toml > Cargo.toml.tmp
mv Cargo.toml.tmp Cargo.toml
for dir in bindings-node bindings-wasm; do
  (cd "$dir" && npm version --no-git-tag-version --allow-same-version "$new" >/dev/null)
done
scripts/check-versions.sh
