#!/usr/bin/env bash
# Times `fblctl import` of a CSV with ROWS addresses (default 1,000,000)
# into a fresh SQLite store, then a second import of the same file (every
# row an update). Usage: bench/index/import_bench.sh [BUILD_DIR] [ROWS]
set -euo pipefail

build_dir=${1:-build/default}
rows=${2:-1000000}
fblctl="$build_dir/cli/fblctl"
work=$(mktemp -d "${TMPDIR:-/tmp}/fbl-import-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

printf 'store:\n  sqlite:\n    path: %s/fbl.db\n' "$work" > "$work/fblmilter.yaml"
awk -v rows="$rows" 'BEGIN {
  print "address,reason,note"
  for (i = 0; i < rows; i++) printf "Subscriber%d@Example.com,unsubscribe,row %d\n", i, i
}' > "$work/import.csv"

# Wall-clock and CPU (user + sys) seconds of one fblctl run.
run() {
  local label=$1
  shift
  local TIMEFORMAT="$label: %R s wall, %U s user + %S s sys"
  time "$fblctl" -c "$work/fblmilter.yaml" "$@"
}

echo "rows: $rows"
run "dry run (parse + normalise)" import "$work/import.csv" --dry-run
run "import into an empty store" import "$work/import.csv"
run "import again (all updates)" import "$work/import.csv"
"$fblctl" -c "$work/fblmilter.yaml" check subscriber4242@example.com > /dev/null || true
ls -l "$work/fbl.db" | awk '{printf "database size: %.0f MB\n", $5 / 1e6}'
