#!/usr/bin/env bash
# Runs the Postfix integration cases against the ASan/UBSan build of
# fblmilter. Any sanitizer report in fblmilter's log fails the test.
set -euo pipefail
asan_dir=$1
if [[ ! -x "$asan_dir/milter/fblmilter" || ! -x "$asan_dir/cli/fblctl" || ! -x "$asan_dir/web/fblweb" ]]; then
  echo "no ASan build in $asan_dir (scripts/test builds it)"
  # CI must prove the sanitizer run, not skip it.
  [[ "${CI:-}" == "true" ]] && exit 1
  exit 77
fi
export FBLMILTER="$asan_dir/milter/fblmilter"
export FBLCTL="$asan_dir/cli/fblctl"
export FBLWEB="$asan_dir/web/fblweb"
export PYTHONDONTWRITEBYTECODE=1
if grep -q '^FBL_FAILPOINTS:BOOL=ON' "$asan_dir/CMakeCache.txt"; then
  export FBL_FAILPOINTS_BUILT=1
fi
export FBL_SANITIZER_LOG_CHECK=1
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=23"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
exec /usr/bin/python3 -m unittest -v test_postfix
