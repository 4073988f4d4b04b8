#!/usr/bin/env bash
# Runs our parser benchmark and Sisimai on the same two inputs, one core each,
# and prints the ratio. Usage: bench/parser/compare.sh BUILD_DIR [SECONDS]
set -euo pipefail
build_dir=$1
seconds=${2:-5}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/fbl-bench-parser.XXXXXX")
trap 'rm -rf "$work"' EXIT

"$build_dir/bench/parser/bench_parser" --write-inputs="$work"
ours=$(taskset -c 0 "$build_dir/bench/parser/bench_parser" --benchmark_format=json \
         --benchmark_min_time="$seconds" 2>/dev/null)
theirs=$(taskset -c 0 perl "$here/sisimai_bench.pl" "$seconds" "$work/typical.eml" "$work/large.eml")
echo "$theirs"
python3 - "$ours" "$theirs" <<'PY'
import json, re, sys
ours = {b["name"]: b["items_per_second"] for b in json.loads(sys.argv[1])["benchmarks"]}
theirs = {}
for line in sys.argv[2].splitlines():
    m = re.match(r"(\S+)\s+\d+ bytes\s+([\d.]+) reports/s", line)
    if m:
        theirs[m.group(1)] = float(m.group(2))
for name, key in (("BM_ParseTypicalReport", "typical.eml"), ("BM_ParseLargeReport", "large.eml")):
    print(f"{key:12s} fblmilter {ours[name]:10.1f}/s  Sisimai {theirs[key]:10.1f}/s  "
          f"ratio {ours[name] / theirs[key]:6.1f}x")
PY
