#!/usr/bin/env bash
# make bench-long: 200-turn conversations (scripts/bench_long.py) against `make run` (in-memory
# tracker store, on free ports) and against the local production stack with 1 Rasa replica.
# Prints the median latency per block of 20 turns for each; results/bench/long-*.json; updates
# docs/benchmarks.md; the last line printed is
#   turn200_over_turn10 X      (the larger of the two: median of turns 181-200 / turns 1-20)
# Hold `flock /tmp/stack.lock` around it: the stack uses fixed ports.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
OUT=results/bench
CONVERSATIONS=${BENCH_LONG_CONVERSATIONS:-3}
STACK_PORT=${STACK_PORT:-8000}
mkdir -p "$OUT" .run

free_port() { $PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

run_pid=""
stop_run() {
  if [ -n "$run_pid" ]; then
    kill -- "-$run_pid" 2>/dev/null || true
    wait "$run_pid" 2>/dev/null || true
    run_pid=""
  fi
}
stack_up=""
cleanup() { stop_run; if [ -n "$stack_up" ]; then scripts/stack.sh down >/dev/null 2>&1 || true; fi; }
trap cleanup EXIT

# 1. make run: scripts/run.sh in its own process group, on free ports
rasa_port=$(free_port); actions_port=$(free_port)
RASA_PORT=$rasa_port ACTIONS_PORT=$actions_port setsid scripts/run.sh > .run/bench-long-run.log 2>&1 &
run_pid=$!
for _ in $(seq 1 240); do
  curl -fsS "http://127.0.0.1:$rasa_port/" >/dev/null 2>&1 && break
  kill -0 "$run_pid" 2>/dev/null || { echo "bench-long: make run exited; see .run/bench-long-run.log" >&2; exit 1; }
  sleep 1
done
$PY scripts/bench_long.py --url "http://127.0.0.1:$rasa_port" --conversations "$CONVERSATIONS" \
    --label "make run (in-memory)" --json-out "$OUT/long-memory.json"
stop_run

# 2. the production stack, 1 Rasa replica
stack_up=1
scripts/stack.sh down >/dev/null 2>&1 || true
scripts/stack.sh up 1 | tail -1
$PY scripts/bench_long.py --url "http://127.0.0.1:$STACK_PORT" --conversations "$CONVERSATIONS" \
    --label "stack (1 replica: PostgreSQL, Redis, nginx)" --json-out "$OUT/long-stack.json"
scripts/stack.sh down >/dev/null 2>&1 || true
stack_up=""

$PY scripts/bench_report.py "$OUT" docs/benchmarks.md --summary long
