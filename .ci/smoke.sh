#!/usr/bin/env bash
# `npm start` with no services and a fresh DATA_DIR: /health 200, /docs 200, the dev-token
# endpoint off (404, AUTH_DEV_TOKENS is not set), a `npm run token` token accepted, then SIGTERM
# stops the server cleanly.
set -euo pipefail
data=$(mktemp -d)
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
log=$(mktemp)
export DATA_DIR=$data PORT=$port HOST=127.0.0.1
unset DATABASE_URL REDIS_URL JWT_SECRET
fail() { echo "smoke: $1"; echo "--- server log"; tail -50 "$log"; exit 1; }

npm start >"$log" 2>&1 &
npm_pid=$!
for _ in $(seq 1 90); do
  curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  kill -0 $npm_pid 2>/dev/null || fail "server exited before answering"
  sleep 1
done
base="http://127.0.0.1:$port"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$base/health")" = 200 ] || fail "/health is not 200"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$base/health/ready")" = 200 ] || fail "/health/ready is not 200"
[ "$(curl -sL -o /dev/null -w '%{http_code}' "$base/docs")" = 200 ] || fail "/docs is not 200"
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/api/auth/dev-token" -H 'content-type: application/json' \
  -d '{"userId":"smoke-1","name":"Smoke","role":"CLIENT"}')" = 404 ] || fail "dev tokens are on without AUTH_DEV_TOKENS=true"
cli_token=$(npm run -s token -- smoke-2 PERFORMER "Smoke Two")
me=$(curl -fs -H "authorization: Bearer $cli_token" "$base/api/users/me") || fail "npm run token's token refused"
echo "$me" | grep -q '"role":"SPECIALIST"' || fail "unexpected /users/me: $me"

node_pid=$(pgrep -f "node .*dist/src/main.js" -P "$(pgrep -P $npm_pid | head -1)" || true)
[ -n "$node_pid" ] || fail "cannot find the server process started by npm start"
kill -TERM "$node_pid"
for _ in $(seq 1 15); do kill -0 "$node_pid" 2>/dev/null || break; sleep 1; done
kill -0 "$node_pid" 2>/dev/null && fail "server still running 15 s after SIGTERM"
wait $npm_pid 2>/dev/null || true
grep -q '"level":50' "$log" && fail "errors logged during the run"
grep -qF "$cli_token" "$log" && fail "a token reached the logs"

# A bad configuration stops the server at once, naming the variable.
if PORT=eighty node dist/src/main.js >"$log" 2>&1; then fail "started with PORT=eighty"; fi
grep -q 'PORT' "$log" || fail "bad PORT not named: $(cat "$log")"
if NODE_ENV=production node dist/src/main.js >"$log" 2>&1; then fail "started in production without a JWT key"; fi
grep -q 'JWT_SECRET or JWT_PUBLIC_KEY is required' "$log" || fail "missing JWT key not named: $(cat "$log")"
rm -rf "$data" "$log"
echo "smoke: ok (/health, /health/ready, /docs, dev tokens off by default, npm run token, SIGTERM, no tokens in logs, bad config refused)"
