#!/usr/bin/env bash
# What the benchmarks share (sourced after deploy/lib.sh): waiting for a server they started, the
# rush's event, and a process's CPU time.

# Waits until http://ADDRESS/healthz answers; else prints LOG (if given) and dies naming WHAT.
await_health() {  # address what [log]
  for _ in $(seq 100); do curl -sf "http://$1/healthz" >/dev/null && return; sleep 0.1; done
  if [ -n "${3:-}" ]; then cat "$3" >&2; fi
  die "$2 did not start"
}

# An event taking registrations with no closing time, created through the API of the server on PORT
# as the organiser whose token is TOKEN.
create_rush_event() {  # port token slug capacity
  curl -sf -X POST "http://127.0.0.1:$1/api/v1/events" -H "Authorization: Bearer $2" \
    -H 'Content-Type: application/json' \
    -d "{\"slug\":\"$3\",\"title\":\"Opening rush\",\"timezone\":\"America/New_York\",\"capacity\":$4,\"registration_closes_at\":null}" \
    >/dev/null || die "could not create the event $3"
}

# A process's user + system CPU so far, all its threads, in clock ticks (0 once it is gone).
process_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
