#!/usr/bin/env bash
# Connections that cannot starve the server (issue 17, part 5): the server on its own port, no
# nginx, against clients that hold connections open, trickle headers or send huge ones.
#
#   bench/connections.sh
#
# Prints, each against the baseline of the same run (/healthz on a new connection with nothing else
# open): the time /healthz takes with 300 and with 1,000 idle connections open; while 300 clients
# send one header line every 2 s (for BENCH_TRICKLE_SECONDS, 30), and when the server cut them off;
# the server's RSS before and after one request of 5,000 headers of 8 KB (40 MB) and after 5,000
# requests with one 8 KB header each. The clients are bench/connections.py (Python, standard library).
# The server runs with RATE_LIMITS=off and default settings otherwise.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
TRICKLE_SECONDS=${BENCH_TRICKLE_SECONDS:-30}
install_packages python3 "${CONVENE_RUNTIME_PACKAGES[@]}"
[ -x "$CONVENE_BUILD/convene" ] || build_convene -DBUILD_TESTING=OFF
BIN=$CONVENE_BUILD/convene
CLIENTS="python3 $CONVENE_REPO/bench/connections.py"

DATABASE_URL=${DATABASE_URL:-$(fresh_bench_database convene_bench_connections)}
export DATABASE_URL
"$BIN" migrate >/dev/null 2>&1 || die "could not migrate $DATABASE_URL"
PORT=${BENCH_PORT:-18091}
# 1,000 connections need as many descriptors, in the server as in the clients.
ulimit -n "$(ulimit -Hn)"
start_server() {
  HOST=127.0.0.1 PORT=$PORT RATE_LIMITS=off "$BIN" serve --no-worker >/dev/null 2>&1 &
  SERVER_PID=$!
  await_health "127.0.0.1:$PORT" "the server"
}
# A fresh server for each case, so that what one case leaves behind (threads still busy with the
# last one's connections) does not weigh on the next. Killed, not stopped: nothing of it is kept.
restart_server() {
  kill -KILL "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  start_server
}
trap 'kill -KILL $SERVER_PID 2>/dev/null || true' EXIT

start_server
$CLIENTS "$PORT" "$SERVER_PID" baseline
for n in 300 1000; do
  restart_server
  $CLIENTS "$PORT" "$SERVER_PID" idle "$n"
done
restart_server
$CLIENTS "$PORT" "$SERVER_PID" trickle 300 2 "$TRICKLE_SECONDS"
restart_server
$CLIENTS "$PORT" "$SERVER_PID" rss
