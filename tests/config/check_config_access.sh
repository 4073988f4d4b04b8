#!/usr/bin/env bash
# --check-config checks files as the daemon's user (milter.user) would:
# as root it really tries, in a child with that user's ids; as anyone else
# it says that it could not. `trust: any` is a warning, every time.
set -euo pipefail
fblmilter=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 0755 "$work"
mkdir "$work/var" "$work/secrets"
head -c 32 /dev/urandom | base64 > "$work/secrets/ref-k1.key"
chmod 0600 "$work/secrets/ref-k1.key"
cat > "$work/fbl.yaml" <<YAML
milter:
  user: nobody
feedback:
  trust: any
  reference_header:
    keys:
      - {id: k1, key_file: $work/secrets/ref-k1.key}
    active_key: k1
store:
  sqlite:
    path: $work/var/fbl.db
YAML

check() {
    status=0
    "$fblmilter" --check-config -c "$work/fbl.yaml" >"$work/out" 2>"$work/err" || status=$?
    cat "$work/out" "$work/err"
}

if [[ $(id -u) -ne 0 ]]; then
    check
    [[ $status -eq 0 ]] || { echo "expected exit 0, got $status"; exit 1; }
    grep -q "warning: file access was not checked for milter.user nobody" "$work/err"
    grep -q "warning: feedback.trust is 'any'" "$work/err"
    echo "ok (not root: the warning path)"
    exit 0
fi

# Root can read everything; nobody can neither read the key nor write var/.
check
[[ $status -eq 78 ]] || { echo "expected exit 78, got $status"; exit 1; }
grep -q "cannot read $work/secrets/ref-k1.key: Permission denied" "$work/err"
grep -q "cannot create the store in $work/var: Permission denied" "$work/err"
grep -q "warning: feedback.trust is 'any'" "$work/err"
! grep -q "configuration OK" "$work/out"

# Given to the daemon's user, the same files pass.
chown nobody "$work/secrets/ref-k1.key" "$work/var"
chmod 0755 "$work/secrets"
check
[[ $status -eq 0 ]] || { echo "expected exit 0, got $status"; exit 1; }
grep -q "$work/fbl.yaml: configuration OK" "$work/out"
grep -q "warning: feedback.trust is 'any'" "$work/err"
echo "ok"
