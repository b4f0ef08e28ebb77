#!/usr/bin/env bash
# Start the action server and the Rasa server; Ctrl-C (or either dying) stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
RASA=.venv/bin/rasa
RASA_PORT=${RASA_PORT:-5005}
ACTIONS_PORT=${ACTIONS_PORT:-5055}
export ACTION_ENDPOINT_URL=${ACTION_ENDPOINT_URL:-http://localhost:${ACTIONS_PORT}/webhook}
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2}
# SMS and WhatsApp channels (credentials.yml): empty means off.
for var in TWILIO_ACCOUNT_SID TWILIO_AUTH_TOKEN TWILIO_NUMBER SMS_SENDER_SECRET TWILIO_SMS_PUBLIC_URL TWILIO_WHATSAPP_NUMBER TWILIO_WHATSAPP_PUBLIC_URL; do
  export "$var=${!var:-}"
done

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
  --endpoints endpoints.yml --cors ${CORS_ORIGINS:-http://localhost:${RASA_PORT}} --quiet &
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
