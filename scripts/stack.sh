#!/usr/bin/env bash
# The production profile on this machine, on loopback only: PostgreSQL (tracker store),
# Redis (lock store), N Rasa replicas and 2 action servers behind nginx, all configured
# by deploy/endpoints.yml and environment variables, as in a real cluster.
#
#   scripts/stack.sh up [REPLICAS]   start (default 2 Rasa replicas); prints the URL
#   scripts/stack.sh down            stop everything (data is kept under .run/stack)
#   scripts/stack.sh env             print the environment the replicas run with
#   scripts/stack.sh start-rasa I | start-actions I   (re)start one replica (tests use these)
#   scripts/stack.sh run CMD...      run a command with the stack's environment, e.g.
#                                    scripts/stack.sh run .venv/bin/python -m bot.retention purge
#
# PostgreSQL, Redis and nginx come from Debian's packages, installed here if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUN=$ROOT/.run/stack
RASA_BIN=$ROOT/.venv/bin/rasa

export STACK_PORT=${STACK_PORT:-8000}          # nginx -> Rasa replicas
export STACK_ACTIONS_PORT=${STACK_ACTIONS_PORT:-8055}  # nginx -> action servers
export RASA_BASE_PORT=${RASA_BASE_PORT:-5106}  # replicas on 5106, 5107, ...
export ACTIONS_BASE_PORT=${ACTIONS_BASE_PORT:-5156}
export DB_HOST=127.0.0.1 DB_PORT=${DB_PORT:-5433} DB_NAME=rasa DB_USER=rasa DB_PASSWORD=${DB_PASSWORD:-rasa-local-only}
export REDIS_HOST=127.0.0.1 REDIS_PORT=${REDIS_PORT:-6380} REDIS_DB=1 REDIS_PASSWORD=${REDIS_PASSWORD:-redis-local-only}
# The DB_*, REDIS_* and ACTION_ENDPOINT_URL variables are what deploy/endpoints.yml names:
# Rasa substitutes them itself and refuses to start without them. The project's own settings
# (TRACKER_RETENTION_DAYS, the TWILIO_* channel settings, ...) have their defaults in
# bot/config.py and are passed through when set.
export ACTION_ENDPOINT_URL=http://127.0.0.1:${STACK_ACTIONS_PORT}/webhook
export TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)

need_packages() {
  local missing=()
  [ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ] || missing+=(postgresql)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v nginx >/dev/null || missing+=(nginx)
  [ ${#missing[@]} -eq 0 ] && return 0
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "installing ${missing[*]} from Debian's packages..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  else
    echo "stack: needs ${missing[*]} (apt-get as root was not available)" >&2
    exit 2
  fi
}

as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

wait_http() {  # url seconds [pidfile]: the URL answers, and (with a pidfile) it is our process answering
  for _ in $(seq 1 "$2"); do
    if [ -n "${3:-}" ] && ! kill -0 "$(cat "$3")" 2>/dev/null; then
      echo "stack: the process for $1 exited (port taken?); see ${3%.pid}.log" >&2; return 1
    fi
    curl -fsS "$1" >/dev/null 2>&1 && return 0
    sleep 1
  done
  echo "stack: $1 did not come up" >&2; return 1
}

start_postgres() {
  local data=$RUN/pg
  if [ ! -f "$data/PG_VERSION" ]; then
    mkdir -p "$data"; chown postgres "$data" 2>/dev/null || true; chmod 700 "$data"
    as_postgres "$PG_BIN/initdb" -D "$data" -U postgres --auth=trust >/dev/null
  fi
  chown -R postgres "$RUN/pg" 2>/dev/null || true
  if ! as_postgres "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_postgres "$PG_BIN/pg_ctl" -D "$data" -l "$data/server.log" -w \
      -o "-p $DB_PORT -k /tmp -c listen_addresses=127.0.0.1" start >/dev/null
  fi
  local psql=("$PG_BIN/psql" -h 127.0.0.1 -p "$DB_PORT" -U postgres -qtA)
  if [ "$("${psql[@]}" -c "select 1 from pg_roles where rolname='$DB_USER'")" != 1 ]; then
    "${psql[@]}" -c "create role $DB_USER login password '$DB_PASSWORD'"
  fi
  if [ "$("${psql[@]}" -c "select 1 from pg_database where datname='$DB_NAME'")" != 1 ]; then
    "${psql[@]}" -c "create database $DB_NAME owner $DB_USER"
  fi
}

start_redis() {
  if ! redis-cli -p "$REDIS_PORT" -a "$REDIS_PASSWORD" --no-auth-warning ping >/dev/null 2>&1; then
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --requirepass "$REDIS_PASSWORD" --save "" \
      --appendonly no --daemonize yes --pidfile "$RUN/redis.pid" --logfile "$RUN/redis.log" --dir "$RUN"
  fi
}

start_nginx() {  # replicas
  local rasa_servers="" action_servers=""
  for i in $(seq 0 $(($1 - 1))); do
    rasa_servers+="        server 127.0.0.1:$((RASA_BASE_PORT + i)) max_fails=1 fail_timeout=5s;"$'\n'
  done
  for i in 0 1; do
    action_servers+="        server 127.0.0.1:$((ACTIONS_BASE_PORT + i)) max_fails=1 fail_timeout=5s;"$'\n'
  done
  python3 - "$RUN" "$rasa_servers" "$action_servers" <<'PY'
import sys, os
run, rasa, actions = sys.argv[1:4]
text = open("deploy/nginx/stack.conf.template").read()
for key, value in {"@RUN@": run, "@RASA_SERVERS@": rasa.rstrip("\n"), "@ACTION_SERVERS@": actions.rstrip("\n"),
                   "@RASA_PORT@": os.environ["STACK_PORT"], "@ACTIONS_PORT@": os.environ["STACK_ACTIONS_PORT"]}.items():
    text = text.replace(key, value)
open(os.path.join(run, "nginx.conf"), "w").write(text)
PY
  if [ -f "$RUN/nginx.pid" ] && kill -0 "$(cat "$RUN/nginx.pid")" 2>/dev/null; then
    nginx -c "$RUN/nginx.conf" -p "$RUN" -s reload
  else
    nginx -c "$RUN/nginx.conf" -p "$RUN"
  fi
}

start_actions() {  # index
  local port=$((ACTIONS_BASE_PORT + $1))
  nohup "$RASA_BIN" run actions --actions actions --port "$port" > "$RUN/actions-$1.log" 2>&1 &
  echo $! > "$RUN/actions-$1.pid"
}

start_rasa() {  # index
  local port=$((RASA_BASE_PORT + $1))
  nohup "$RASA_BIN" run --model models/current.tar.gz --port "$port" --endpoints deploy/endpoints.yml \
    --credentials credentials.yml --cors ${CORS_ORIGINS:-http://127.0.0.1:$STACK_PORT} > "$RUN/rasa-$1.log" 2>&1 &
  echo $! > "$RUN/rasa-$1.pid"
}

up() {
  local replicas=${1:-2}
  [ -f models/current.tar.gz ] || { echo "stack: no model; run make train" >&2; exit 2; }
  need_packages
  mkdir -p "$RUN"
  stop_servers  # idempotent: replicas from an earlier run would hold the ports
  start_postgres
  start_redis
  for i in 0 1; do start_actions "$i"; done
  for i in $(seq 0 $((replicas - 1))); do start_rasa "$i"; done
  start_nginx "$replicas"
  for i in 0 1; do wait_http "http://127.0.0.1:$((ACTIONS_BASE_PORT + i))/health" 120 "$RUN/actions-$i.pid"; done
  for i in $(seq 0 $((replicas - 1))); do wait_http "http://127.0.0.1:$((RASA_BASE_PORT + i))/" 240 "$RUN/rasa-$i.pid"; done
  sleep 2  # a process that lost the race for its port exits just after a foreign one answered
  for pidfile in "$RUN"/actions-*.pid "$RUN"/rasa-*.pid; do
    kill -0 "$(cat "$pidfile")" 2>/dev/null || { echo "stack: $(basename "$pidfile" .pid) exited; see ${pidfile%.pid}.log" >&2; exit 1; }
  done
  echo "$replicas" > "$RUN/replicas"
  echo "stack up: http://127.0.0.1:$STACK_PORT ($replicas Rasa replicas, 2 action servers, PostgreSQL :$DB_PORT, Redis :$REDIS_PORT)"
}

stop_servers() {
  local pids=()
  for pidfile in "$RUN"/rasa-*.pid "$RUN"/actions-*.pid; do
    [ -f "$pidfile" ] || continue
    pids+=("$(cat "$pidfile")")
    rm -f "$pidfile"
  done
  [ ${#pids[@]} -eq 0 ] && return 0
  kill "${pids[@]}" 2>/dev/null || true
  for _ in $(seq 1 20); do kill -0 "${pids[@]}" 2>/dev/null || return 0; sleep 0.5; done
  kill -9 "${pids[@]}" 2>/dev/null || true
}

down() {
  stop_servers
  [ -f "$RUN/nginx.pid" ] && nginx -c "$RUN/nginx.conf" -p "$RUN" -s quit 2>/dev/null || true
  redis-cli -p "$REDIS_PORT" -a "$REDIS_PASSWORD" --no-auth-warning shutdown nosave >/dev/null 2>&1 || true
  if [ -n "$PG_BIN" ] && [ -f "$RUN/pg/PG_VERSION" ]; then
    as_postgres "$PG_BIN/pg_ctl" -D "$RUN/pg" -m fast stop >/dev/null 2>&1 || true
  fi
  echo "stack down"
}

case "${1:-}" in
  up) up "${2:-2}" ;;
  start-rasa) mkdir -p "$RUN"; start_rasa "$2"; wait_http "http://127.0.0.1:$((RASA_BASE_PORT + $2))/" 240 "$RUN/rasa-$2.pid" ;;
  start-actions) mkdir -p "$RUN"; start_actions "$2"; wait_http "http://127.0.0.1:$((ACTIONS_BASE_PORT + $2))/health" 120 "$RUN/actions-$2.pid" ;;
  down) down ;;
  run) shift; exec "$@" ;;
  env) env | grep -E '^(STACK_|RASA_BASE|ACTIONS_BASE|DB_|REDIS_|ACTION_ENDPOINT|TRACKER_RETENTION)' | grep -v PASSWORD ;;
  *) echo "usage: $0 up [REPLICAS] | down | env | run CMD... | start-rasa I | start-actions I" >&2; exit 2 ;;
esac
