#!/usr/bin/env bash
# One-click unsubscribes (or signed Mailgun webhooks) against a real fblweb
# on a durable SQLite store (synchronous=FULL, the default), group commit
# (web.max_commit_batch 128, the default) and a transaction per request (1)
# in alternating rounds, each round on a fresh fblweb and store. After each
# round the store must hold exactly N complaints: every 200 was committed.
# Each event also queues one CRM job (a webhook adapter whose worker is not
# running), as a production set-up with one CRM would.
#
# Usage: bench/web/run.sh BUILD_DIR [N] [C] [one-click|mailgun]
#   N requests (default 20000), C in flight (default 32); ROUNDS=3 per mode,
#   THREADS=16 (web.threads: CivetWeb binds a kept-alive connection to one
#   worker, so connections beyond it wait until one closes).
set -euo pipefail

build_dir=${1:?usage: bench/web/run.sh BUILD_DIR [N] [C] [one-click|mailgun]}
count=${2:-20000}
concurrency=${3:-32}
mode=${4:-one-click}
rounds=${ROUNDS:-3}
threads=${THREADS:-16}
fblweb="$build_dir/web/fblweb"
fblctl="$build_dir/cli/fblctl"
load="$build_dir/bench/web/bench_web_load"
for binary in "$fblweb" "$fblctl" "$load"; do
  [[ -x $binary ]] || { echo "missing $binary (build it first)" >&2; exit 2; }
done
case $mode in one-click | mailgun) ;; *) echo "mode must be one-click or mailgun" >&2; exit 2 ;; esac

work=$(mktemp -d "${TMPDIR:-/tmp}/fbl-web-bench.XXXXXX")
web_pid=
stop_fblweb() {
  if [[ -n $web_pid ]] && kill -0 "$web_pid" 2>/dev/null; then
    kill -TERM "$web_pid"
    wait "$web_pid" || true
  fi
  web_pid=
}
trap 'stop_fblweb; rm -rf "$work"' EXIT

(umask 077
 head -c 32 /dev/urandom | base64 > "$work/ref-k1.key"
 head -c 24 /dev/urandom | base64 > "$work/mailgun.key"
 echo "whsec_$(head -c 24 /dev/urandom | base64)" > "$work/webhook.secret")
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"
ticks_per_second=$(getconf CLK_TCK)

write_config() {  # DIR MAX_COMMIT_BATCH
  local dir=$1 batch=$2
  cat > "$dir/fblmilter.yaml" <<EOF
store:
  backend: sqlite
  sqlite:
    path: $dir/store.db
feedback:
  reference_header:
    keys:
      - {id: k1, key_file: $work/ref-k1.key}
    active_key: k1
logging:
  destination: stderr
  level: info
web:
  listen: 127.0.0.1:$port
  public_url: https://fbl.example.com
  threads: $threads
  max_commit_batch: $batch
unsubscribe:
  enabled: true
  rate_limit:
    per_second: 0
crm:
  adapters:
    - name: hook
      preset: webhook
      settings: {url: "http://127.0.0.1:9/consent"}
      allow_insecure: true
      secrets:
        signing_secret: {value_file: $work/webhook.secret}
  worker_in_daemon: false
EOF
  if [[ $mode == mailgun ]]; then
    printf 'webhooks:\n  mailgun:\n    signing_key_file: %s\n' "$work/mailgun.key" >> "$dir/fblmilter.yaml"
  fi
}

start_fblweb() {  # DIR
  local dir=$1
  "$fblweb" -f -c "$dir/fblmilter.yaml" > "$dir/fblweb.log" 2>&1 &
  web_pid=$!
  for _ in $(seq 300); do
    if ! kill -0 "$web_pid" 2>/dev/null; then
      echo "fblweb exited at start:" >&2
      cat "$dir/fblweb.log" >&2
      exit 1
    fi
    if [[ $(curl -s -o /dev/null -w '%{http_code}' "$url/healthz") == 200 ]]; then
      return
    fi
    sleep 0.1
  done
  echo "fblweb: no 200 from /healthz within 30 s" >&2
  exit 1
}

cpu_ticks() {  # utime + stime of fblweb (fields 14 and 15; its comm has no blanks)
  awk '{print $14 + $15}' "/proc/$web_pid/stat"
}

figure() {  # NAME FILE: the value of a "name: value" line of the load's output
  awk -F': ' -v name="$1" '$1 == name {print $2}' "$2"
}

load_arguments() {
  if [[ $mode == mailgun ]]; then
    echo --mailgun-key-file "$work/mailgun.key"
  else
    echo --key-file "$work/ref-k1.key" --key-id k1
  fi
}

failed=0
run_round() {  # ROUND MAX_COMMIT_BATCH
  local round=$1 batch=$2
  local dir="$work/round-$round-batch-$batch"
  mkdir "$dir"
  write_config "$dir" "$batch"
  start_fblweb "$dir"
  local load_before cpu_before cpu_after status=0
  load_before=$(cut -d' ' -f1 /proc/loadavg)
  cpu_before=$(cpu_ticks)
  # shellcheck disable=SC2046
  "$load" --url "$url" $(load_arguments) -n "$count" -c "$concurrency" > "$dir/load.out" || status=$?
  cpu_after=$(cpu_ticks)
  stop_fblweb
  local stored
  stored=$("$fblctl" -c "$dir/fblmilter.yaml" complaints --format csv | tail -n +2 | wc -l)
  local cpu_us=$(((cpu_after - cpu_before) * 1000000 / ticks_per_second / count))
  printf '%-5s batch %-4s %6s req/s  p50 %7s ms  p99 %7s ms  max %7s ms  fblweb CPU %5s us/req  client CPU %5s s  stored %s/%s  load %s->%s\n' \
    "$round" "$batch" "$(figure requests_per_s "$dir/load.out")" "$(figure p50_ms "$dir/load.out")" \
    "$(figure p99_ms "$dir/load.out")" "$(figure max_ms "$dir/load.out")" "$cpu_us" \
    "$(figure client_cpu_s "$dir/load.out")" "$stored" "$count" "$load_before" \
    "$(cut -d' ' -f1 /proc/loadavg)"
  if ((status != 0)) || [[ $stored != "$count" ]]; then
    echo "round $round batch $batch FAILED (load exit $status):" >&2
    grep '^status' "$dir/load.out" >&2 || true
    tail -5 "$dir/fblweb.log" >&2
    failed=1
  fi
}

echo "fblweb $mode: N=$count C=$concurrency web.threads=$threads, $rounds rounds per mode, $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$rounds"); do
  run_round "$round" 128
  run_round "$round" 1
done
exit $failed
