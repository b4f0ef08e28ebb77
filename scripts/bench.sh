#!/usr/bin/env bash
# make bench: the two loads against the local production stack, with 1 Rasa replica and
# then 2; cold start and memory; results in docs/benchmarks.md; the last line printed is
#   saturation_turns_per_s X p95_ms Y errors Z   (single replica; Y = p95 under the conversational load)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
OUT=results/bench
SECONDS_PER_LOAD=${BENCH_SECONDS:-30}
mkdir -p "$OUT"
STACK_PORT=${STACK_PORT:-8000}

rss_mb() {  # pidfiles... -> total resident memory in MB
  local kb=0
  for f in "$@"; do
    [ -f "$f" ] || continue
    kb=$((kb + $(awk '/VmRSS/ {print $2}' "/proc/$(cat "$f")/status" 2>/dev/null || echo 0)))
  done
  echo $((kb / 1024))
}

first_reply_seconds() {  # start epoch (ns) -> seconds until the stack answers a message
  local start=$1
  for _ in $(seq 1 600); do
    if curl -fsS -XPOST "http://127.0.0.1:$STACK_PORT/webhooks/rest/webhook" \
         -d '{"sender":"cold-start","message":"hello"}' 2>/dev/null | grep -q text; then
      $PY -c "import sys, time; print(round((time.time_ns() - int(sys.argv[1])) / 1e9, 1))" "$start"
      return
    fi
    sleep 0.2
  done
  echo "nan"
}

for replicas in 1 2; do
  scripts/stack.sh down >/dev/null 2>&1 || true
  start=$(date +%s%N)
  scripts/stack.sh up "$replicas" | tail -1
  cold=$(first_reply_seconds "$start")
  $PY scripts/bench_cpu.py --turns-from "$OUT/replicas-$replicas.json" --json-out "$OUT/cpu-$replicas.json" -- \
      $PY scripts/bench.py --url "http://127.0.0.1:$STACK_PORT" --seconds "$SECONDS_PER_LOAD" \
      --json-out "$OUT/replicas-$replicas.json"
  rasa_rss=$(rss_mb .run/stack/rasa-*.pid)
  actions_rss=$(rss_mb .run/stack/actions-*.pid)
  $PY - "$OUT/replicas-$replicas.json" "$cold" "$rasa_rss" "$actions_rss" <<'PY'
import json, sys
path, cold, rasa, actions = sys.argv[1:5]
data = json.load(open(path))
data.update({"cold_start_s": float(cold), "rasa_rss_mb": int(rasa), "actions_rss_mb": int(actions),
             "cpu_ms_per_turn": json.load(open(path.replace("replicas-", "cpu-")))["cpu_ms_per_turn"]})
json.dump(data, open(path, "w"), indent=1)
PY
done
scripts/stack.sh down >/dev/null 2>&1 || true
$PY scripts/bench_report.py "$OUT" docs/benchmarks.md
