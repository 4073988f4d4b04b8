#!/usr/bin/env bash
# Builds the libFuzzer target with the `fuzz` preset (clang) into build/fuzz
# and runs it for a while over a scratch copy of the seed corpus (our own
# fixtures), so nothing is written into the repository. Fails on any crash,
# leak or sanitizer report, and on any input that takes longer than
# $timeout seconds (a super-linear path is a denial of service on a milter
# thread); the reproducer is printed and kept in the log.
set -euo pipefail

source_dir=$1
seconds=${2:-60}
timeout=10          # per input; the biggest input (-max_len) parses in milliseconds
timeout_status=78   # libFuzzer's exit status for an input over -timeout

cd "$source_dir"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target fuzz_report_parser -j 2

work=$(mktemp -d "${TMPDIR:-/tmp}/fbl-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$work/artifacts"
cp tests/fixtures/arf/*.eml "$work/corpus/"
if compgen -G "tests/fuzz/regressions/*" >/dev/null; then
  cp tests/fuzz/regressions/* "$work/corpus/"
fi

status=0
build/fuzz/tests/fuzz/fuzz_report_parser \
  -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 \
  -timeout="$timeout" -timeout_exitcode="$timeout_status" -error_exitcode=77 \
  -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$work/corpus" || status=$?
if ((status == timeout_status)); then
  echo "fuzz: an input took longer than ${timeout}s to parse" >&2
fi
if ((status != 0)); then
  for artifact in "$work"/artifacts/*; do
    [[ -e $artifact ]] || continue
    echo "fuzz: reproducer $(basename "$artifact") (base64):"
    base64 "$artifact"
  done
  echo "fuzz: crash found; add the reproducer to tests/fuzz/regressions/ and fix it" >&2
fi
exit "$status"
