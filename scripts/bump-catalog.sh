#!/usr/bin/env bash
# After changing data/*.yaml: gives the catalog a new version (today's date,
# plus .N when today already has one), records its hash in
# tests/fixtures/catalog-versions.txt and regenerates docs/catalog*.md.
# Usage: scripts/bump-catalog.sh [VERSION]
set -euo pipefail
cd "$(dirname "$0")/.."
current=$(sed -n 's/^ *"\([0-9.]*\)"$/\1/p' src/lib.rs | head -1)
version=${1:-$(date +%Y.%m.%d)}
if [ -z "${1:-}" ] && grep -q "^$version\( \|\.\)" tests/fixtures/catalog-versions.txt; then
  n=$(grep -c "^$version" tests/fixtures/catalog-versions.txt)
  version="$version.$n"
fi
sed -i "s/^\( *\)\"$current\"$/\1\"$version\"/" src/lib.rs
hash=$(cargo test -q --test integration data_is_unchanged_or_versioned 2>&1 \
  | sed -n 's/.*append `<new version> \([0-9a-f]*\)`.*/\1/p' | head -1 || true)
[ -n "$hash" ] || { echo "data/ unchanged: nothing to bump" >&2; sed -i "s/^\( *\)\"$version\"$/\1\"$current\"/" src/lib.rs; exit 1; }
echo "$version $hash" >> tests/fixtures/catalog-versions.txt
cargo run -q -- list --format markdown --lang en > docs/catalog.md
cargo run -q -- list --format markdown --lang zh > docs/catalog.zh.md
echo "catalog $current -> $version ($hash)"
