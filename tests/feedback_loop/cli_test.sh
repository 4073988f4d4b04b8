#!/usr/bin/env bash
# fblctl parse and fblctl ingest as a pipe transport runs them: exit codes,
# output keys, idempotence. Usage: cli_test.sh FBLCTL FIXTURES_DIR
set -euo pipefail
fblctl=$1
fixtures=$2/arf
work=$(mktemp -d "${TMPDIR:-/tmp}/fbl-cli-parse.XXXXXX")
trap 'rm -rf "$work"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
expect_status() {
  local want=$1; shift
  local got=0
  "$@" >"$work/out" 2>"$work/err" || got=$?
  [[ $got == "$want" ]] || { cat "$work/out" "$work/err" >&2; fail "$* exited $got, want $want"; }
}

cat >"$work/any.yaml" <<YAML
feedback:
  trust: any
  verp_patterns: ["bounces+{local}={domain}@mail.example.com"]
store:
  sqlite:
    path: $work/store.db
YAML
sed 's/trust: any/trust: any\n  non_report: bounce/' "$work/any.yaml" >"$work/bounce.yaml"
cat >"$work/down.yaml" <<YAML
feedback:
  trust: any
store:
  sqlite:
    path: $work/no/such/dir/store.db
YAML

# parse: 0 when every input is a report, 1 when one is not, 2 on I/O error.
expect_status 0 "$fblctl" -c "$work/any.yaml" parse --json "$fixtures/standard.eml" "$fixtures/aol_redacted.eml"
[[ $(wc -l <"$work/out") == 2 ]] || fail "parse --json prints one line per input"
python3 - "$work/out" <<'PY' || fail "parse output keys"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
first, aol = lines
for key in ("file", "kind", "feedback_type", "recipients", "recipient_source", "redacted",
            "original_message_id", "original_mail_from", "reporter", "user_agent", "arrival_date",
            "source_ip", "reported_domains", "original_subject", "mailing_id", "extensions",
            "errors", "warnings"):
    assert key in first, key
assert first["recipients"] == ["Alice.Smith@example.org"], first["recipients"]
assert first["original_message_id"] == "mailing-42.alice@mail.example.com"
assert first["arrival_date"] == "2026-11-02T09:58:11Z"
assert first["reporter"] == "fbl.provider.example"
assert aol["recipients"] == [] and aol["redacted"] and aol["unresolved"]
PY
expect_status 0 "$fblctl" -c "$work/any.yaml" parse - <"$fixtures/standard_cr.eml"
grep -q '"recipients": \[' "$work/out" || fail "parse without --json prints indented JSON"
expect_status 1 "$fblctl" -c "$work/any.yaml" parse "$fixtures/standard.eml" "$fixtures/not_a_report.eml"
expect_status 2 "$fblctl" -c "$work/any.yaml" parse "$work/missing.eml"
expect_status 2 "$fblctl" -c "$work/any.yaml" parse
head -c 3000000 /dev/urandom >"$work/random.bin"
expect_status 1 "$fblctl" -c "$work/any.yaml" parse "$work/random.bin"

# ingest: stored once, however often delivered.
expect_status 0 "$fblctl" -c "$work/any.yaml" ingest "$fixtures/standard.eml"
expect_status 0 "$fblctl" -c "$work/any.yaml" ingest - <"$fixtures/standard_crlf.eml"
expect_status 1 "$fblctl" -c "$work/any.yaml" check alice.smith@example.org
[[ $(sqlite3 "$work/store.db" 'SELECT count(*) FROM complaints') == 1 ]] || fail "report counted twice"

# Non-reports: a pipe transport has no mailbox to keep them in, so ingest
# never says "done" (0) for one: EX_DATAERR, and the sender gets the reason.
expect_status 65 "$fblctl" -c "$work/any.yaml" ingest "$fixtures/not_a_report.eml"
grep -q "not a feedback report" "$work/err" || fail "ingest says why it refused a non-report"
expect_status 65 "$fblctl" -c "$work/bounce.yaml" ingest "$fixtures/not_a_report.eml"
# Over milter.report_size_limit: refused the same way, never acknowledged.
sed 's/^store:/milter:\n  report_size_limit: 1KiB\nstore:/' "$work/any.yaml" >"$work/small.yaml"
expect_status 65 "$fblctl" -c "$work/small.yaml" ingest "$fixtures/standard.eml"
# Store unavailable: EX_TEMPFAIL so the MTA retries.
expect_status 75 "$fblctl" -c "$work/down.yaml" ingest "$fixtures/standard.eml"
# Any other failure is EX_TEMPFAIL too, never EX_SOFTWARE (70), which Postfix
# bounces: here the complaints table is gone under a valid schema version.
cp "$work/store.db" "$work/broken.db"
sqlite3 "$work/broken.db" 'DROP TABLE complaints'
sed "s|$work/store.db|$work/broken.db|" "$work/any.yaml" >"$work/broken.yaml"
expect_status 75 "$fblctl" -c "$work/broken.yaml" ingest "$fixtures/aol_redacted.eml"
# DKIM keys unreachable (here: the key file cannot be opened, as a DNS
# timeout looks to libopendkim): a young report is refused with 75 and nothing
# is stored; an old one (past dkim_tempfail_for) is stored untrusted.
cat >"$work/keysdown.yaml" <<YAML
feedback:
  trust: dkim
  reporter_domains: [fbl.provider.example]
  dkim_key_file: $work/no-such-key-file
store:
  sqlite:
    path: $work/keysdown.db
YAML
sed -e "s/^Date: Mon, 02 Nov 2026 10:15:00 +0000/Date: $(date -u -R)/" -e "/^X-FBL-Ref:/d" \
  "$fixtures/standard.eml" >"$work/young.eml"
expect_status 75 "$fblctl" -c "$work/keysdown.yaml" ingest "$work/young.eml"
grep -q "try again later" "$work/err" || fail "ingest names the temporary DKIM failure"
expect_status 0 "$fblctl" -c "$work/keysdown.yaml" complaints --format json
[[ $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$work/out") == 0 ]] ||
  fail "a tempfailed report is not stored"
expect_status 0 "$fblctl" -c "$work/keysdown.yaml" ingest "$fixtures/standard.eml"
echo "ok"
