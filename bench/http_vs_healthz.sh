#!/usr/bin/env bash
# Throughput of read endpoints against /healthz on the same server in the same run (wrk, keep-alive).
#
#   bench/http_vs_healthz.sh [PATH...]     default: the 10-zone conversion of the panel
#   bench/http_vs_healthz.sh --calendars    a registrant's invite.ics and the public feed
#
# /healthz does no work beyond HTTP itself, so the ratio says what the endpoint's own work costs.
# The server runs with RATE_LIMITS=off: a benchmark from one address would otherwise meet them.
# Each figure is the median of BENCH_REPEAT (3) runs of BENCH_SECONDS (10) at BENCH_CONNECTIONS (16).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SECONDS_PER_RUN=${BENCH_SECONDS:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-16}
REPEAT=${BENCH_REPEAT:-3}
install_packages wrk "${CONVENE_RUNTIME_PACKAGES[@]}"
[ -x "$CONVENE_BUILD/convene" ] || build_convene -DBUILD_TESTING=OFF
BIN=$CONVENE_BUILD/convene
PATHS=("$@")
CALENDARS=no
if [ "${1:-}" = --calendars ]; then CALENDARS=yes; PATHS=(); fi
if [ ${#PATHS[@]} -eq 0 ] && [ $CALENDARS = no ]; then
  PATHS=("/api/v1/time/convert?at=2021-09-10T09:00&from=America/New_York&to=Asia/Kathmandu&to=Pacific/Chatham&to=Australia/Lord_Howe&to=Asia/Tehran&to=America/St_Johns&to=Pacific/Kiritimati&to=America/Lima&to=Africa/Lagos&to=Pacific/Apia&to=Asia/Kolkata")
fi

DATABASE_URL=${DATABASE_URL:-$(fresh_bench_database convene_bench_http)}
export DATABASE_URL
"$BIN" migrate >/dev/null
"$BIN" seed "$CONVENE_REPO/seed/south-south-2021.json" >/dev/null
PORT=${BENCH_PORT:-18090}
HOST=127.0.0.1 PORT=$PORT RATE_LIMITS=off "$BIN" serve --no-worker >/dev/null 2>&1 &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null || true' EXIT
await_health "127.0.0.1:$PORT" "the server"

rps() {  # path -> requests/s (median of REPEAT runs); fails on any non-2xx answer
  local path=$1 out
  for _ in $(seq "$REPEAT"); do
    out=$(wrk -t 2 -c "$CONNECTIONS" -d "${SECONDS_PER_RUN}s" "http://127.0.0.1:$PORT$path")
    if grep -q "Non-2xx" <<<"$out"; then echo "$out" >&2; die "non-2xx answers from $path"; fi
    sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' <<<"$out"
  done | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'
}

if [ $CALENDARS = yes ]; then
  TOKEN=$(curl -sf -X POST "http://127.0.0.1:$PORT/api/v1/events/south-south-2021/registrations" \
    -H 'Content-Type: application/json' \
    -d "{\"email\":\"bench.$RANDOM$RANDOM@example.org\",\"name\":\"Bench Person\",\"timezone\":\"Asia/Kathmandu\",\"consent\":true}" |
    sed -n 's/.*"manage_token":"\([^"]*\)".*/\1/p')
  [ -n "$TOKEN" ] || die "could not register for the benchmark"
  PATHS=("/api/v1/registrations/$TOKEN/invite.ics" "/api/v1/events/south-south-2021/calendar.ics")
fi
curl -sf "http://127.0.0.1:$PORT${PATHS[0]}" >/dev/null || die "${PATHS[0]} does not answer 200"
base=$(rps /healthz)
printf '%-10s %10.0f req/s\n' "/healthz" "$base"
for path in "${PATHS[@]}"; do
  r=$(rps "$path")
  printf '%-10s %10.0f req/s  %5.0f%% of /healthz   %s\n' "endpoint" "$r" "$(awk -v a="$r" -v b="$base" 'BEGIN{print 100*a/b}')" "$path"
done
