#!/usr/bin/env bash
# Smoke test of the production build, doing what the Dockerfile does (Docker cannot run on
# our CI machines): build dist/, lay out the runtime image's /app in a temporary directory
# (dist/, production dependencies only, intents/, templates/, demo/, test/conversations/),
# start `node dist/src/main.js` there on the embedded store with a temporary DATA_DIR and a
# free port, check /healthz (with the HEALTHCHECK's own command), /storefront, the
# compressed widget and a chat with the minified widget in Chromium (CHROMIUM_PATH), then stop
# it with SIGTERM and expect a clean exit.
set -euo pipefail
cd "$(dirname "$0")/.."

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill -KILL "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Build stage: npm ci (done by the caller) && npm run build
npm run build

# Runtime stage: production dependencies only, so a dev-only import would fail here.
app="$work/app"
mkdir -p "$app" "$work/data"
cp package.json package-lock.json "$app/"
(cd "$app" && npm ci --omit=dev --no-audit --no-fund --ignore-scripts >/dev/null)
cp -r dist intents templates demo "$app/"
mkdir -p "$app/test" && cp -r test/conversations "$app/test/"

# The image's CMD, with the image's environment (HOST/DATA_DIR) narrowed to this machine.
(
  cd "$app"
  exec env NODE_ENV=production HOST=127.0.0.1 PORT=0 DATA_DIR="$work/data" LOG_LEVEL=info \
    node dist/src/main.js >"$work/server.log" 2>&1
) &
server_pid=$!

port=""
for _ in $(seq 1 600); do
  port="$(sed -n 's#.*Health:[[:space:]]*http://127\.0\.0\.1:\([0-9]*\)/healthz.*#\1#p' "$work/server.log" | head -1)"
  [ -n "$port" ] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then cat "$work/server.log"; echo "smoke: the production server exited at start"; exit 1; fi
  sleep 0.1
done
if [ -z "$port" ]; then cat "$work/server.log"; echo "smoke: the production server did not print its address in 60 s"; exit 1; fi
base="http://127.0.0.1:$port"

fail() { echo "smoke: $*"; cat "$work/server.log"; exit 1; }
PORT="$port" node tools/healthcheck.js || fail "HEALTHCHECK command failed"
code="$(curl -s -o /dev/null -w '%{http_code}' "$base/healthz")"; [ "$code" = 200 ] || fail "/healthz answered $code"
code="$(curl -s -o /dev/null -w '%{http_code}' "$base/storefront")"; [ "$code" = 200 ] || fail "/storefront answered $code"
enc="$(curl -s -o /dev/null -D - -H 'accept-encoding: br' "$base/widget.js" | tr -d '\r' | sed -n 's/^content-encoding: //Ip')"
[ "$enc" = br ] || fail "/widget.js was not sent brotli-compressed (content-encoding: '$enc')"
echo "smoke: $base/healthz and /storefront answer 200, /widget.js is compressed"
node tools/smoke-browser.js "$base" || fail "the widget did not work in Chromium"

kill -TERM "$server_pid"
status=0
wait "$server_pid" || status=$?
server_pid=""
[ "$status" = 0 ] || fail "server exited with $status after SIGTERM"
grep -q '"msg":"stopped"' "$work/server.log" || fail "no 'stopped' log line after SIGTERM"
echo "smoke: SIGTERM stopped the production server cleanly"
