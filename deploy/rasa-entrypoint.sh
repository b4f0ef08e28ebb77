#!/usr/bin/env bash
# Entrypoint of the production Rasa image (deploy/Dockerfile.rasa): `rasa "$@"`, plus what
# only the environment knows, added to `rasa run` (the server):
#
#   CORS_ORIGINS     origins allowed to call the webhooks from a browser, separated by spaces
#                    or commas -> `--cors a b`. Empty: same origin only (the widget's own page).
#   RASA_ENABLE_API  "true" turns on Rasa's HTTP API. It then needs RASA_AUTH_TOKEN (a secret,
#                    32+ characters) and passes it as --auth-token; without one it refuses to
#                    start. The API cannot be switched on any other way (--enable-api and
#                    --auth-token on the command line are refused).
#
# Why a script: the base image's ENTRYPOINT is `rasa`, so a shell-form CMD would run as
# `rasa /bin/sh -c ...`, and an exec-form CMD never expands ${CORS_ORIGINS}.
#
# It also refuses, before Rasa starts:
#   - --debug / -vv and LOG_LEVEL=DEBUG: debug logs contain message text; and
#     LOG_LEVEL_LIBRARIES=INFO/DEBUG: Sanic's access log has request URLs (sender ids);
#   - an unset variable that endpoints.yml or credentials.yml refer to (Rasa would stop on the
#     first one anyway; this names them all, never their values). The project's own settings
#     (TWILIO_*, SMS_SENDER_SECRET, TRACKER_RETENTION_DAYS, ...) are not among them: bot/config.py
#     reads them with their defaults, and empty Twilio settings switch SMS and WhatsApp off;
#   - a value still starting with "change-me" (the placeholders of .env.example and
#     k8s/secret.example.yaml).
set -euo pipefail

fail() {
  echo "rasa-entrypoint: $*" >&2
  exit 64
}

# Anything but the server (`rasa --version`, `rasa run actions`, ...) passes straight through.
if [[ "${1:-}" != run || "${2:-}" == actions ]]; then
  exec rasa "$@"
fi

for arg in "$@"; do
  case "$arg" in
    --debug | -vv) fail "$arg would log message text; never in production (deploy/README.md, Privacy)" ;;
    --enable-api | --auth-token | --auth-token=*) fail "$arg: set RASA_ENABLE_API=true and RASA_AUTH_TOKEN instead" ;;
    --cors | --cors=*) fail "--cors: set CORS_ORIGINS instead" ;;
  esac
done
case "${LOG_LEVEL:-INFO}" in
  [Dd][Ee][Bb][Uu][Gg]) fail "LOG_LEVEL=DEBUG would log message text; use INFO or WARNING" ;;
esac
# Sanic's access log (INFO) would log every request line, query string (sender ids) included.
case "${LOG_LEVEL_LIBRARIES:-ERROR}" in
  [Dd][Ee][Bb][Uu][Gg] | [Ii][Nn][Ff][Oo]) fail "LOG_LEVEL_LIBRARIES=${LOG_LEVEL_LIBRARIES} would log request URLs (sender ids); use WARNING or ERROR" ;;
esac

# Every ${VAR} in Rasa's configuration must be set; a placeholder must have been replaced.
missing=()
placeholders=()
for file in endpoints.yml credentials.yml; do
  [[ -f "$file" ]] || fail "$file not found in $(pwd)"
  for var in $(grep -v '^[[:space:]]*#' "$file" | grep -o '\${[A-Za-z_][A-Za-z0-9_]*}' | tr -d '${}' | sort -u || true); do
    if [[ ! -v $var ]]; then
      missing+=("$var")
    elif [[ "${!var}" == change-me* ]]; then
      placeholders+=("$var")
    fi
  done
done
((${#missing[@]} == 0)) || fail "not set: ${missing[*]} (see deploy/.env.example)"
((${#placeholders[@]} == 0)) || fail "still a placeholder (change-me...): ${placeholders[*]}"

args=("$@")

cors="${CORS_ORIGINS:-}"
read -r -a origins <<<"${cors//,/ }"
if ((${#origins[@]} > 0)); then
  args+=(--cors "${origins[@]}")
fi

case "${RASA_ENABLE_API:-false}" in
  true | True | TRUE | 1 | yes)
    token="${RASA_AUTH_TOKEN:-}"
    [[ "$token" != change-me* ]] || fail "RASA_AUTH_TOKEN is still a placeholder"
    ((${#token} >= 32)) || fail "RASA_ENABLE_API=true needs RASA_AUTH_TOKEN (32+ characters, e.g. \`openssl rand -hex 32\`); refusing to open the HTTP API without it"
    args+=(--enable-api --auth-token "$token")
    api=on
    ;;
  false | False | FALSE | 0 | no | "")
    api=off
    ;;
  *) fail "RASA_ENABLE_API must be true or false" ;;
esac

echo "rasa-entrypoint: starting the Rasa server (HTTP API ${api}; CORS origins: ${origins[*]:-same origin only})" >&2
exec rasa "${args[@]}"
