#!/usr/bin/env bash
# The Python client: checks that client/ is what openapi-python-client generates from the
# committed spec (no warning, nothing dropped), then runs its pytest end-to-end tests
# against target/debug/runyard on its embedded PostgreSQL, on a free loopback port.
#
# The generator, the client's dependencies and pytest come from PyPI, pinned in
# requirements.txt, into a virtualenv under target/ (which `cargo xtask openapi` then uses
# to regenerate client/).
#
#   openapi/clients/python/run.sh            # stale check, then the tests
#   openapi/clients/python/run.sh --check    # the stale check only
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
cd "$HERE/../../.."

PYTHON="${PYTHON:-python3.11}"
VENV="${PY_CLIENT_VENV:-target/python-client-venv}"
STAMP="$VENV/requirements.txt"

if ! cmp -s "$HERE/requirements.txt" "$STAMP"; then
  echo "installing $HERE/requirements.txt into $VENV"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$HERE/requirements.txt"
  cp "$HERE/requirements.txt" "$STAMP"
fi
export PATH="$PWD/$VENV/bin:$PATH"

# The stale check: generate into a scratch directory and compare.
SCRATCH="$(mktemp -d /tmp/runyard-python-client.XXXXXX)"
chmod 755 "$SCRATCH"
DATA="$SCRATCH/server"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$SCRATCH"
}
trap cleanup EXIT INT TERM

openapi-python-client generate --path openapi/runyard.openapi.json --config "$HERE/generator.yaml" \
  --meta setup --output-path "$SCRATCH/client" --fail-on-warning
rm -rf "$SCRATCH/client/.ruff_cache"
if ! diff -r -q -x .ruff_cache -x __pycache__ "$SCRATCH/client" "$HERE/client"; then
  echo "openapi/clients/python/client is stale: run \`cargo xtask openapi\`" >&2
  exit 1
fi
echo "openapi/clients/python/client is up to date"
if [ "${1:-}" = "--check" ]; then
  exit 0
fi

cargo build --quiet -p runyard
BIN="$PWD/target/debug/runyard"
mkdir -p "$DATA"
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

RUNYARD_URL="$BASE" RUNYARD_USER_TOKEN="$("$BIN" token --sub py-client)" \
  PYTHONPATH="$HERE/client" python -m pytest -p no:cacheprovider -q "$HERE/tests"
