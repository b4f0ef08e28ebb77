#!/usr/bin/env bash
# Start the action server and the Rasa server; Ctrl-C (or either dying) stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
# Nothing needs to be set: the settings' defaults are in bot/config.py (the SMS and WhatsApp
# channels are off while the TWILIO_* settings are empty), and endpoints.yml names the
# action server on port 5055. Knobs of this script only:
#   RASA_PORT (5005), ACTIONS_PORT (5055), ACTION_ENDPOINT_URL (the action server on
#   ACTIONS_PORT), CORS_ORIGINS (this page's own origin).
RASA=.venv/bin/rasa
RASA_PORT=${RASA_PORT:-5005}
ACTIONS_PORT=${ACTIONS_PORT:-5055}
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2}

# endpoints.yml, or a copy of it with another action endpoint (Rasa takes no URL option).
ENDPOINTS=$(.venv/bin/python - "${ACTION_ENDPOINT_URL:-http://localhost:${ACTIONS_PORT}/webhook}" "$RASA_PORT" <<'PY'
import sys
from pathlib import Path

import yaml

url, port = sys.argv[1:]
endpoints = yaml.safe_load(Path("endpoints.yml").read_text(encoding="utf-8"))
if endpoints["action_endpoint"]["url"] == url:
    print("endpoints.yml")
else:
    endpoints["action_endpoint"]["url"] = url
    copy = Path(".run") / f"endpoints-{port}.yml"
    copy.parent.mkdir(exist_ok=True)
    copy.write_text(yaml.safe_dump(endpoints, sort_keys=False), encoding="utf-8")
    print(copy)
PY
)

pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "Stopping..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

$RASA run actions --actions actions --port "$ACTIONS_PORT" --quiet &
pids+=($!)
$RASA run --model models/current.tar.gz --port "$RASA_PORT" --credentials credentials.yml \
  --endpoints "$ENDPOINTS" --cors ${CORS_ORIGINS:-http://localhost:${RASA_PORT}} --quiet &
pids+=($!)

for _ in $(seq 1 120); do
  if curl -fsS "http://localhost:${RASA_PORT}/" >/dev/null 2>&1; then break; fi
  sleep 1
done
cat <<MSG

The assistant is running.
  Website widget (demo page): http://localhost:${RASA_PORT}/webhooks/widget/
  Volunteer reference desk:   http://localhost:${RASA_PORT}/webhooks/volunteer/
  REST:   curl -s -XPOST http://localhost:${RASA_PORT}/webhooks/rest/webhook -d '{"sender":"me","message":"hi"}'
Press Ctrl-C to stop.
MSG
wait -n "${pids[@]}"
