#!/usr/bin/env bash
# Schemathesis against the live server: every operation of the served spec, as a user
# (workspace owner), a viewer and a runner, with a fixed seed and bounded examples.
# Fails on any 5xx, any response the spec does not describe, and any failed check.
#
# Builds and starts target/debug/runyard on its embedded PostgreSQL in a temporary data
# directory on a free loopback port, and stops it on exit. Schemathesis comes from PyPI
# (pinned) into a virtualenv under target/.
#
#   openapi/schemathesis/run.sh                 # all three identities
#   ST_MAX_EXAMPLES=50 openapi/schemathesis/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

SCHEMATHESIS_VERSION=4.32.5
SEED="${ST_SEED:-20261203}"
MAX_EXAMPLES="${ST_MAX_EXAMPLES:-15}"
PYTHON="${PYTHON:-python3.11}"
VENV="${ST_VENV:-target/schemathesis-venv}"

if [ "$("$VENV/bin/st" --version 2>/dev/null | grep -o '[0-9][0-9.]*' | head -n 1)" != "$SCHEMATHESIS_VERSION" ]; then
  echo "installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

cargo build --quiet -p runyard
BIN="$PWD/target/debug/runyard"

DATA="$(mktemp -d /tmp/runyard-schemathesis.XXXXXX)"
chmod 755 "$DATA"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$DATA"
}
trap cleanup EXIT INT TERM

PORT="$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
export RUNYARD_DATA_DIR="$DATA/data"
unset DATABASE_URL RUNYARD_MIGRATION_DATABASE_URL RUNYARD_JWT_SECRET RUNYARD_JWT_PUBLIC_KEY_FILE \
  RUNYARD_JWT_ISSUER RUNYARD_JWT_AUDIENCE
RUNYARD_LOG=warn "$BIN" serve --listen "127.0.0.1:$PORT" >"$DATA/server.log" 2>&1 &
SERVER_PID=$!

for _ in $(seq 1 120); do
  if curl -fsS "$BASE/readyz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    cat "$DATA/server.log"
    echo "the server exited before it was ready" >&2
    exit 1
  fi
  sleep 0.5
done
curl -fsS "$BASE/readyz" >/dev/null

token() { "$BIN" token --sub "$1"; }
USER_TOKEN="$(token st-owner)"
VIEWER_TOKEN="$(token st-viewer)"
api() { # METHOD PATH TOKEN [BODY]
  curl -fsS -X "$1" "$BASE$2" -H "Authorization: Bearer $3" -H 'Content-Type: application/json' \
    ${4:+--data "$4"}
}
api POST /v1/workspaces "$USER_TOKEN" '{"name": "Schemathesis", "slug": "schemathesis"}' >/dev/null
api POST /v1/workspaces/schemathesis/members "$USER_TOKEN" '{"subject": "st-viewer", "role": "viewer"}' >/dev/null
RUNNER_TOKEN="$(api POST /v1/workspaces/schemathesis/runners "$USER_TOKEN" '{"name": "st-runner", "labels": []}' |
  "$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["token"])')"
# Queued work, so that most claims answer at once instead of long-polling.
JOBS="$("$PYTHON" -c 'import json; print(json.dumps({"jobs": [{"type": "st", "payload": {"n": n}} for n in range(1000)]}))')"
for _ in 1 2 3; do
  api POST /v1/workspaces/schemathesis/runner-jobs/batch "$USER_TOKEN" "$JOBS" >/dev/null
done

# One worker: Hypothesis draws in two threads at once made one seeded coverage draw fail
# on its first run and pass on the replay ("FlakyFailure"), failing the run for nothing
# the server did.
status=0
for who in user viewer runner; do
  case "$who" in
    user) TOKEN="$USER_TOKEN" ;;
    viewer) TOKEN="$VIEWER_TOKEN" ;;
    runner) TOKEN="$RUNNER_TOKEN" ;;
  esac
  echo "==> schemathesis as $who"
  "$VENV/bin/st" --config-file openapi/schemathesis/schemathesis.toml run "$BASE/openapi.json" \
    --url "$BASE" \
    --header "Authorization: Bearer $TOKEN" \
    --seed "$SEED" \
    --max-examples "$MAX_EXAMPLES" \
    --generation-database none \
    --request-timeout 30 \
    --workers 1 \
    --no-color \
    --exclude-path-regex '/stream$' \
    || status=$?
done

if [ "$status" != 0 ]; then
  echo "--- server log (warnings and errors) ---"
  tail -n 100 "$DATA/server.log"
fi
exit "$status"
