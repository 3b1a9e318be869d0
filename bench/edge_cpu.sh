#!/usr/bin/env bash
# convene's own CPU per registration (issue 17, item 4), against a baseline binary in the same run.
# Each binary serves a fresh database on the same PostgreSQL; wrk posts registrations for one event
# (bench/register.lua) from BENCH_CONNECTIONS (64) keep-alive connections for BENCH_SECONDS (10) after
# a 3 s warm-up, and the server process's user + system CPU over that time (/proc/PID/stat) is divided
# by the registrations it answered. The binaries alternate, BENCH_REPEAT (3) runs each; prints every
# run, each binary's median and the ratio of the medians.
#
#   bench/edge_cpu.sh BASELINE_BINARY [BINARY]      (BINARY: this checkout's build/convene)
#
# A baseline is an earlier commit built the way deploy/lib.sh builds, for example:
#   git worktree add /tmp/base COMMIT
#   cmake -S /tmp/base -B /tmp/base/build -DBUILD_TESTING=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
#   cmake --build /tmp/base/build --target convene
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BASELINE=${1:?usage: bench/edge_cpu.sh BASELINE_BINARY [BINARY]}
CANDIDATE=${2:-$CONVENE_BUILD/convene}
SECONDS_PER_RUN=${BENCH_SECONDS:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
REPEAT=${BENCH_REPEAT:-3}
PORT=${BENCH_PORT:-18081}
DATABASE=convene_edge_cpu
install_packages wrk "${CONVENE_RUNTIME_PACKAGES[@]}"
[ -x "$CANDIDATE" ] || build_convene -DBUILD_TESTING=OFF
[ -x "$BASELINE" ] || die "$BASELINE is not an executable"
TICKS_PER_SECOND=$(getconf CLK_TCK)
SERVER_PID=
trap 'if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; fi' EXIT

# One run of BINARY: prints "cpu_us_per_registration registrations_per_second p99_ms".
measure() {
  local binary=$1 run=$2 token before after out requests failed DB_URL
  DB_URL=$(fresh_bench_database "$DATABASE" 2>/dev/null)
  DATABASE_URL=$DB_URL "$binary" migrate >/dev/null
  token=$(DATABASE_URL=$DB_URL "$binary" organiser add --email bench@example.org --all 2>/dev/null | tail -n1)
  DATABASE_URL=$DB_URL HOST=127.0.0.1 PORT=$PORT RATE_LIMITS=off "$binary" serve --no-worker >/dev/null 2>&1 &
  SERVER_PID=$!
  await_health "127.0.0.1:$PORT" "$binary"
  create_rush_event "$PORT" "$token" bench-rush 300000
  BENCH_RUN="warm-$run" wrk -t 2 -c "$CONNECTIONS" -d 3s -s "$CONVENE_REPO/bench/register.lua" "http://127.0.0.1:$PORT" >/dev/null
  before=$(process_ticks "$SERVER_PID")
  out=$(BENCH_RUN="run-$run" wrk -t 2 -c "$CONNECTIONS" -d "${SECONDS_PER_RUN}s" -s "$CONVENE_REPO/bench/register.lua" \
    "http://127.0.0.1:$PORT")
  after=$(process_ticks "$SERVER_PID")
  kill "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
  requests=$(sed -n 's/^BENCH .*requests=\([0-9]*\).*/\1/p' <<<"$out")
  failed=$(sed -n 's/^BENCH .*non2xx=\([0-9]*\) errors=\([0-9]*\).*/\1 + \2/p' <<<"$out")
  [ "$((failed))" = 0 ] || die "$binary: $failed requests failed"
  awk -v ticks="$((after - before))" -v hz="$TICKS_PER_SECOND" -v n="$requests" -v s="$SECONDS_PER_RUN" \
    -v p99="$(sed -n 's/^BENCH .*p99_us=\([0-9]*\).*/\1/p' <<<"$out")" \
    'BEGIN { printf "%.0f %.0f %.1f\n", ticks / hz * 1e6 / n, n / s, p99 / 1000 }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

baseline_cpu=()
candidate_cpu=()
printf '%-4s %-10s %22s %16s %8s\n' run binary 'CPU us/registration' 'registrations/s' 'p99 ms'
for run in $(seq "$REPEAT"); do
  read -r cpu rate p99 < <(measure "$BASELINE" "b$run")
  baseline_cpu+=("$cpu")
  printf '%-4s %-10s %22s %16s %8s\n' "$run" baseline "$cpu" "$rate" "$p99"
  read -r cpu rate p99 < <(measure "$CANDIDATE" "c$run")
  candidate_cpu+=("$cpu")
  printf '%-4s %-10s %22s %16s %8s\n' "$run" candidate "$cpu" "$rate" "$p99"
done
base=$(printf '%s\n' "${baseline_cpu[@]}" | median)
cand=$(printf '%s\n' "${candidate_cpu[@]}" | median)
echo
echo "baseline:  $BASELINE"
echo "candidate: $CANDIDATE"
awk -v b="$base" -v c="$cand" 'BEGIN { printf "median CPU per registration: baseline %s us, candidate %s us, candidate/baseline %.0f%%\n", b, c, 100 * c / b }'
