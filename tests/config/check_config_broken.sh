#!/usr/bin/env bash
# A broken copy of the example config: fblmilter must exit 78 and name the
# file, line, column and key of every error, and print no secret.
set -euo pipefail
fblmilter=$1
example=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

sed -e 's|^  socket: inet:8890@127.0.0.1 .*|  socket: inet:99999@127.0.0.1|' \
    -e 's|^  scope: marketing .*|  scope: everything|' \
    -e 's|^        pattern: "^(bulk.list)\$"|        pattern: "(bulk)\\\\1"|' "$example" > "$work/broken.yaml"

status=0
"$fblmilter" --check-config -c "$work/broken.yaml" 2> "$work/err" >"$work/out" || status=$?
cat "$work/err"
[[ $status -eq 78 ]] || { echo "expected exit 78, got $status"; exit 1; }
line_socket=$(grep -n '^  socket: inet:99999' "$work/broken.yaml" | cut -d: -f1)
line_scope=$(grep -n '^  scope: everything' "$work/broken.yaml" | cut -d: -f1)
line_pattern=$(grep -n '^        pattern: "(bulk)' "$work/broken.yaml" | cut -d: -f1)
[[ -n $line_pattern ]] || { echo "the example's Precedence pattern was not found"; exit 1; }
grep -q "broken.yaml:$line_socket:11: milter.socket: 'inet:99999@127.0.0.1': port must be" "$work/err"
grep -q "broken.yaml:$line_scope:10: outbound.scope: 'everything' is not one of: all, marketing" "$work/err"
# A backreference: RE2 has none, and says where.
grep -q "broken.yaml:$line_pattern:18: outbound.marketing.header_matches\[0\].pattern: regular expression '(bulk)\\\\1' does not compile" "$work/err"
[[ ! -s "$work/out" ]]
echo "ok"
