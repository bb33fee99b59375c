#!/usr/bin/env bash
# Checks deploy/nginx.conf against running Bangfu processes (see README, "Running scaled"): starts a
# private nginx with that file, then through it signs in with a form post, opens a bidding-room page
# (its large `link` header), and opens socket.io by long-polling and by WebSocket upgrade.
# Not part of npm test (it needs nginx). Usage:
#   scripts/proxy-check.sh                       # web on 127.0.0.1:3000, realtime on :3001 and :3002
#   WEB=127.0.0.1:3000 REALTIME="127.0.0.1:3001" PROXY_PORT=8080 LOGIN=qinghe scripts/proxy-check.sh
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
WEB="${WEB:-127.0.0.1:3000}"
REALTIME="${REALTIME:-127.0.0.1:3001 127.0.0.1:3002}"
PROXY_PORT="${PROXY_PORT:-8080}"
LOGIN="${LOGIN:-qinghe}"
PASSWORD="${PASSWORD:-Bangfu2026}"
NGINX="${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}"

work="$(mktemp -d)"
cleanup() {
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The shipped file with this machine's addresses and port.
realtime_servers=""
for r in $REALTIME; do realtime_servers="${realtime_servers}    server ${r};\n"; done
sed -e "s/^\(\s*\)listen 80;/\1listen ${PROXY_PORT};/" \
    -e "s/^\(\s*\)server 127.0.0.1:3000;.*/\1server ${WEB};/" \
    -e "/^\s*server 127.0.0.1:300[12];/d" \
    -e "s/^\(\s*\)ip_hash;/\1ip_hash;\n${realtime_servers}/" \
    "${NGINX_CONF:-$root/deploy/nginx.conf}" > "$work/bangfu.conf"
mkdir -p "$work/logs" "$work/tmp"
cat > "$work/nginx.conf" <<EOF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/logs/error.log warn;
events { worker_connections 256; }
http {
  access_log $work/logs/access.log;
  client_body_temp_path $work/tmp/body;
  proxy_temp_path $work/tmp/proxy;
  fastcgi_temp_path $work/tmp/fastcgi;
  uwsgi_temp_path $work/tmp/uwsgi;
  scgi_temp_path $work/tmp/scgi;
  include $work/bangfu.conf;
}
EOF
"$NGINX" -t -q -p "$work" -c "$work/nginx.conf"
"$NGINX" -p "$work" -c "$work/nginx.conf"
sleep 0.5

base="http://localhost:${PROXY_PORT}"
fail=0
check() { # name, expected, actual
  if [ "$2" = "$3" ]; then echo "ok   $1 ($3)"; else echo "FAIL $1: expected $2, got $3"; fail=1; fi
}

check "GET / through the proxy" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$base/")"

# A form post as a browser sends it (Origin = the address in the address bar): 303, not 403.
jar="$work/cookies"
code="$(curl -s -o /dev/null -w '%{http_code}' -c "$jar" -H "Origin: $base" \
  --data-urlencode "identifier=$LOGIN" --data-urlencode "password=$PASSWORD" "$base/login")"
# SvelteKit answers a successful sign-in with 200 or a 303 redirect; its CSRF check would answer 403.
case "$code" in 200|303) echo "ok   form post /login ($code)";; *) echo "FAIL form post /login: $code"; fail=1;; esac
grep -q bangfu_session "$jar" && echo "ok   session cookie set" || { echo "FAIL no session cookie"; fail=1; }

# A bidding-room page of the signed-in enterprise: the page with the largest `link` header.
project="$(curl -s -b "$jar" "$base/account/projects" | grep -o '/account/projects/[0-9a-f-]\{36\}' | head -n 1 || true)"
if [ -n "$project" ]; then
  headers="$work/room-headers"
  code="$(curl -s -o /dev/null -D "$headers" -w '%{http_code}' -b "$jar" "$base$project/room")"
  check "room page $project/room" 200 "$code"
  echo "     its link header: $(grep -i '^link:' "$headers" | wc -c) bytes"
else
  echo "FAIL no project of $LOGIN found on /account/projects"
  fail=1
fi

# socket.io through the proxy: the long-polling handshake and a WebSocket upgrade.
poll="$(curl -s -b "$jar" "$base/socket.io/?EIO=4&transport=polling")"
case "$poll" in 0\{*) echo "ok   socket.io long-polling handshake";; *) echo "FAIL socket.io polling: $poll"; fail=1;; esac
code="$(curl -s -o /dev/null -w '%{http_code}' --http1.1 --max-time 3 -b "$jar" \
  -H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' \
  -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' -H "Origin: $base" \
  "$base/socket.io/?EIO=4&transport=websocket" || true)"
check "WebSocket upgrade on /socket.io/" 101 "$code"

if [ "$fail" != 0 ]; then
  echo "--- nginx error log"; cat "$work/logs/error.log"
  exit 1
fi
echo "proxy check passed"
