#!/usr/bin/env bash
# An adapter with an unknown preset is a configuration error: exit 78.
set -euo pipefail
fblmilter=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/crm.yaml" <<YAML
crm:
  adapters:
    - name: legacy
      preset: no-such-crm
YAML
status=0
"$fblmilter" --check-config -c "$work/crm.yaml" 2> "$work/err" || status=$?
cat "$work/err"
[[ $status -eq 78 ]] || { echo "expected exit 78, got $status"; exit 1; }
grep -q "no-such-crm" "$work/err"
echo ok
