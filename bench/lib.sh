#!/usr/bin/env bash
# What the benchmarks share (sourced after deploy/lib.sh): a fresh database, waiting for a server
# they started, the rush's event, and a process's CPU time.

# Waits until http://ADDRESS/healthz answers; else prints LOG (if given) and dies naming WHAT.
await_health() {  # address what [log]
  for _ in $(seq 100); do curl -sf "http://$1/healthz" >/dev/null && return; sleep 0.1; done
  if [ -n "${3:-}" ]; then cat "$3" >&2; fi
  die "$2 did not start"
}

# The URL of a database NAME, empty and new, in the checkout's own PostgreSQL (started if need be):
# where a benchmark runs unless DATABASE_URL names another. One of that name is dropped first.
fresh_bench_database() {  # name -> url
  "$CONVENE_REPO/deploy/pg.sh" start >&2
  psql -X -q "$("$CONVENE_REPO/deploy/pg.sh" url postgres)" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" \
    -c "CREATE DATABASE $1" >&2
  "$CONVENE_REPO/deploy/pg.sh" url "$1"
}

# An event taking registrations with no closing time, created through the API of the server on PORT
# as the organiser whose token is TOKEN, with BENCH_SESSIONS (1) sessions of two hours, a day apart:
# like the panel, so that each reply carries what a real one does (its times in two zones, its
# calendar links). BENCH_SESSIONS=0 gives the bare event the runs before 2026-12-05 12:00 used.
create_rush_event() {  # port token slug capacity
  curl -sf -X POST "http://127.0.0.1:$1/api/v1/events" -H "Authorization: Bearer $2" \
    -H 'Content-Type: application/json' \
    -d "{\"slug\":\"$3\",\"title\":\"Opening rush\",\"timezone\":\"America/New_York\",\"capacity\":$4,\"registration_closes_at\":null}" \
    >/dev/null || die "could not create the event $3"
  local day
  [ "${BENCH_SESSIONS:-1}" -le 20 ] || die "BENCH_SESSIONS: at most 20 (one a day from 10 September)"
  for ((day = 10; day < 10 + ${BENCH_SESSIONS:-1}; day++)); do
    curl -sf -X POST "http://127.0.0.1:$1/api/v1/events/$3/sessions" -H "Authorization: Bearer $2" \
      -H 'Content-Type: application/json' \
      -d "{\"title\":\"Panel\",\"starts_local\":\"2030-09-${day}T09:00:00\",\"duration_minutes\":120}" \
      >/dev/null || die "could not add a session to the event $3"
  done
}

# pgbench, its sessions set up as convene's pool sets up its own (store/pool.cpp): without JIT. With
# JIT on, a session compiled the registration statement on every execution once the plan's estimate
# passed jit_above_cost, which no server session does: at 256 clients 1.2 s of a 1.5 s statement,
# and the replay (a) in bench/registration.sh made 25 registrations a second.
# shellcheck disable=SC2034  # used by the scripts that source this one
PGBENCH=(env PGOPTIONS="-c jit=off" /usr/lib/postgresql/15/bin/pgbench)

# Indexes every registration noted for the roster search, with the worker's own statement
# (store/search.cpp) as BINARY prints it, in rounds of the worker's size, until none is left: what
# the worker does after a rush, all at once (the benchmarks run the server without its worker).
index_search_backlog() {  # binary url
  local sql; sql=$("$1" sql index_search_backlog)
  until [ "$(psql -X -q -tA "$2" -c "PREPARE index_backlog (integer) AS $sql" -c "EXECUTE index_backlog (5000)")" = 0 ]; do :; done
}

# A process's user + system CPU so far, all its threads, in clock ticks (0 once it is gone).
process_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
