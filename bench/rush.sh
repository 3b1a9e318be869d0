#!/usr/bin/env bash
# The opening rush (issue 9, item 5): 20,000 registrations from 200 concurrent keep-alive clients
# against one server and the embedded PostgreSQL, for an event of 15,000 seats, and in the same run
# pgbench replaying the registration's SQL for as many transactions against twin events: with as
# many clients as the rush has, and with as many as the server's database pool.
#
#   bench/rush.sh        (RUSH_REGISTRATIONS=20000 RUSH_CLIENTS=200 RUSH_CAPACITY=15000)
#
# Checks, each printed as PASS or FAIL (the exit status is 1 on any FAIL):
#   zero 5xx        no answer of 500 or above
#   zero lost       every request answered; every 201's e-mail is in the database with the status
#                   the 201 reported, and the database holds no registration without a 201
#   capacity exact  exactly min(capacity, 201s) confirmed, the rest waitlisted, seats unique and
#                   within 1..capacity, no seat left free while anybody waits
# Prints throughput and p50/p99 latency of the HTTP rush and of pgbench, their ratio, and the
# server's RSS at the end.
#
# The server runs with RATE_LIMITS=off: this measures the service, not the limiter (a rush from one
# address would otherwise meet the per-address limit). It runs with HTTP_THREADS=256: cpp-httplib
# gave each keep-alive connection a pool thread for as long as the connection lived, so with the
# default 128 the other 72 of 200 connections waited in its queue until a served one closed. The
# connection gate (service/http/connections.hpp) holds idle connections without a thread; 256 stays
# so that runs compare with the figures in the README.
# No notification worker (`serve --no-worker`), as in bench/registration.sh: the confirmations are
# queued, not sent. The database pool keeps its default (DB_POOL_SIZE, 16) unless set.
#
# HTTP: wrk -t2 -c200 with bench/rush.lua, which sends exactly RUSH_REGISTRATIONS requests (each
# with its own e-mail), times each one and records every answer. Throughput is answers divided by
# the time from the first request sent to the last answer received.
# pgbench: the statement the binary runs (`convene sql insert_registration`, prepared-statement
# protocol, seat guess random in 1..capacity) and, when it comes back waitlisted, the second
# transaction that writes one registration waitlisted and settles it (`lock_capacity`,
# `claim_seat_waiting`; the server does that once for all the members of a batch), RUSH_REGISTRATIONS
# transactions over RUSH_CLIENTS clients (fewer if the cluster's max_connections does not leave
# room: printed), and again over the server's DB_POOL_SIZE clients, the connections the server
# itself funnels the rush into. Its throughput excludes connection set-up, as wrk's does.
#
# The binary: $CONVENE_BINARY if set, else $CONVENE_BUILD/convene (./build/convene), built if missing.
# It is copied first, so a rebuild while the benchmark runs does not change what is measured.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/registration_sql.sh"
TOTAL=${RUSH_REGISTRATIONS:-20000}
CLIENTS=${RUSH_CLIENTS:-200}
CAPACITY=${RUSH_CAPACITY:-15000}
THREADS=2
HTTP_THREADS=${RUSH_HTTP_THREADS:-256}
POOL=${DB_POOL_SIZE:-16}
TIMEOUT=${RUSH_TIMEOUT:-300}  # seconds the HTTP rush may take before it is called off
PORT=${BENCH_PORT:-18085}
install_packages wrk curl "${CONVENE_RUNTIME_PACKAGES[@]}"
if [ -n "${CONVENE_BINARY:-}" ]; then
  [ -x "$CONVENE_BINARY" ] || die "CONVENE_BINARY=$CONVENE_BINARY is not an executable"
else
  [ -x "$CONVENE_BUILD/convene" ] || build_convene -DBUILD_TESTING=OFF
  CONVENE_BINARY=$CONVENE_BUILD/convene
fi
[ $((CLIENTS % THREADS)) = 0 ] || die "RUSH_CLIENTS must be a multiple of $THREADS"

WORK=$(mktemp -d)
SERVER_PID='' WRK_PID='' PGBENCH_PID=''
cleanup() {
  local pid
  for pid in $WRK_PID $PGBENCH_PID $SERVER_PID; do kill "$pid" 2>/dev/null || true; done
  for pid in $WRK_PID $PGBENCH_PID $SERVER_PID; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cp "$CONVENE_BINARY" "$WORK/convene"
BIN=$WORK/convene
curl -s -o /dev/null "http://127.0.0.1:$PORT/" && die "something already listens on port $PORT (set BENCH_PORT)"

# A given DATABASE_URL is used as is: it must not hold events with the slugs below.
DB_URL=${DATABASE_URL:-$(fresh_bench_database convene_bench_rush)}
export DATABASE_URL=$DB_URL
q() { psql -X -q -tA -v ON_ERROR_STOP=1 "$DB_URL" "$@"; }
"$BIN" migrate >/dev/null
TOKEN=$("$BIN" organiser add --email bench@example.org --all 2>/dev/null | tail -n1)

HOST=127.0.0.1 PORT=$PORT RATE_LIMITS=off HTTP_THREADS=$HTTP_THREADS DB_POOL_SIZE=$POOL "$BIN" serve --no-worker >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
await_health "127.0.0.1:$PORT" "the server" "$WORK/server.log"

# The rush's event, its twin for pgbench, and one for warming the server up, through the API.
create_event() { create_rush_event "$PORT" "$TOKEN" "$@"; }  # slug capacity
create_event bench-rush "$CAPACITY"
create_event bench-rush-sql "$CAPACITY"
create_event bench-rush-sql-pool "$CAPACITY"
create_event bench-warmup 100000
event_id() { q -c "SELECT id FROM events WHERE slug = '$1'"; }
EVENT_ID=$(event_id bench-rush)
SQL_EVENT_ID=$(event_id bench-rush-sql)
POOL_EVENT_ID=$(event_id bench-rush-sql-pool)

# pgbench's script does what the server does: the registration's statement without waitlisting;
# when it found no free seat (and so wrote nothing), one transaction that writes the registration
# waitlisted and, if it is, settles it under the capacity lock. The statement's last SELECT gains a
# column for \if: whether nothing was written, or whether it waitlisted.
with_flag() {  # column expression
  sed -E "s/ r\.id, r\.status,/ r.id, r.status, $1,/"
}
{
  echo '\set n random(1, 9000000000000000)'
  echo "\\set seat random(1, $CAPACITY)"
  registration_statement "$BIN" :event_version false | with_flag "r.id IS NULL AS refused"
  echo '\gset r_'
  echo '\if :r_refused'
  echo 'BEGIN;'
  registration_statement "$BIN" :event_version true \
    | with_flag "coalesce(r.status = 'waitlisted', false) AS waiting"
  echo '\gset w_'
  echo '\if :w_waiting'
  "$BIN" sql lock_capacity | sed -e "s/\$1\b/:event_id/g" | tr '\n' ' '; echo ';'
  "$BIN" sql claim_seat_waiting | sed -e "s/\$1\b/:event_id/g" -e "s/\$2\b/:w_id/g" \
    -e "s/\$3\b/extract(epoch FROM now())/g" | tr '\n' ' '; echo ';'
  echo '\endif'
  echo 'COMMIT;'
  echo '\endif'
} >"$WORK/rush.sql"
grep -q 'AS refused' "$WORK/rush.sql" && grep -q 'AS waiting' "$WORK/rush.sql" || die "insert_registration's last SELECT changed: adapt bench/rush.sh ($(cat "$WORK/rush.sql"))"
grep -q '\$[0-9]' "$WORK/rush.sql" && die "a parameter was not replaced: $(cat "$WORK/rush.sql")"

# pgbench's clients: as many as the HTTP rush has, if the cluster leaves room for them.
MAX_CONNECTIONS=$(q -c "SHOW max_connections")
RESERVED=$(q -c "SHOW superuser_reserved_connections")
IN_USE=$(q -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'")
ROOM=$((MAX_CONNECTIONS - RESERVED - IN_USE - 10))
PG_CLIENTS=$((CLIENTS < ROOM ? CLIENTS : ROOM))
[ "$PG_CLIENTS" -ge "$POOL" ] || die "no room for pgbench's connections (max_connections $MAX_CONNECTIONS, $IN_USE in use)"

# Before each measured run the tables it writes are vacuumed and analysed and a checkpoint is taken,
# so that each starts from the same state, not inside the other's checkpoint or autovacuum.
settle() { q -c "VACUUM ANALYZE free_seats, registrations, outbox" -c CHECKPOINT; }
settle

say "warming up (2 s, 16 connections, another event)"
BENCH_EVENT=bench-warmup BENCH_RUN=warmup wrk -t 2 -c 16 -d 2s -s "$CONVENE_REPO/bench/register.lua" \
  "http://127.0.0.1:$PORT" >"$WORK/warmup.out" 2>&1 || { cat "$WORK/warmup.out" >&2; die "the warm-up failed"; }
settle

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
say "the rush: $TOTAL registrations, $CLIENTS connections, $CAPACITY seats"
mkdir "$WORK/done"
RUSH_TOTAL=$TOTAL RUSH_THREADS=$THREADS RUSH_RUN="$$-$RANDOM" RUSH_EVENT=bench-rush RUSH_DIR="$WORK/done" \
  RUSH_OUT="$WORK/answers" wrk -t "$THREADS" -c "$CLIENTS" -d "${TIMEOUT}s" --timeout "${TIMEOUT}s" \
  -s "$CONVENE_REPO/bench/rush.lua" "http://127.0.0.1:$PORT" >"$WORK/wrk.out" 2>&1 &
WRK_PID=$!
# wrk runs for its whole -d unless told to stop: stop it once every thread has all its answers.
while kill -0 "$WRK_PID" 2>/dev/null && kill -0 "$SERVER_PID" 2>/dev/null && [ "$(find "$WORK/done" -type f | wc -l)" -lt "$THREADS" ]; do sleep 0.05; done
kill -INT "$WRK_PID" 2>/dev/null || true
wait "$WRK_PID" || { cat "$WORK/wrk.out" >&2; die "wrk failed"; }
WRK_PID=''
grep -q '^RUSH ' "$WORK/wrk.out" || { cat "$WORK/wrk.out" >&2; die "wrk did not report"; }
RUSH_LINE=$(grep '^RUSH ' "$WORK/wrk.out")
field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$RUSH_LINE"; }
SENT=$(field sent); ANSWERED=$(field answered); ELAPSED_US=$(field elapsed_us)
SOCKET_ERRORS="connect $(field connect), read $(field read), write $(field write), timeout $(field timeout)"
SOCKET_ERROR_COUNT=$(($(field connect) + $(field read) + $(field write) + $(field timeout)))

count_status() { awk -v lo="$1" -v hi="$2" '$1 >= lo && $1 <= hi' "$WORK/answers" | wc -l; }
N201=$(awk '$1 == 201' "$WORK/answers" | wc -l)
N409=$(awk '$1 == 409' "$WORK/answers" | wc -l)
N429=$(awk '$1 == 429' "$WORK/answers" | wc -l)
N5XX=$(count_status 500 599)
NOTHER=$((ANSWERED - N201 - N409 - N429 - N5XX))
HTTP_CONFIRMED=$(awk '$1 == 201 && $3 == "confirmed"' "$WORK/answers" | wc -l)
HTTP_WAITLISTED=$(awk '$1 == 201 && $3 == "waitlisted"' "$WORK/answers" | wc -l)
percentile() {  # file p -> value (nearest rank)
  local count; count=$(wc -l <"$1")
  [ "$count" -gt 0 ] || { echo 0; return; }
  sed -n "$(( (count * $2 + 99) / 100 ))p" "$1"
}
awk '$2 >= 0 {print $2}' "$WORK/answers" | sort -n >"$WORK/http.lat"
[ "$(wc -l <"$WORK/http.lat")" = "$ANSWERED" ] || say "warning: some answers had no X-Request-Id: their latency is not counted"
HTTP_P50=$(percentile "$WORK/http.lat" 50); HTTP_P99=$(percentile "$WORK/http.lat" 99)
HTTP_RATE=$(awk -v n="$ANSWERED" -v us="$ELAPSED_US" 'BEGIN { printf "%.0f", (us > 0 ? n * 1e6 / us : 0) }')

pgbench_rush() {  # event_id clients; writes "transactions processed failed tps p50_us p99_us" to $WORK/pg.result
  local per_client=$(((TOTAL + $2 - 1) / $2))
  say "pgbench: $(($2 * per_client)) transactions, $2 clients"
  settle
  rm -f "$WORK"/pgb.*
  "${PGBENCH[@]}" -n -M prepared -f "$WORK/rush.sql" -D event_id="$1" -D event_version="$(q -c "SELECT version FROM events WHERE id = $1")" \
    -c "$2" -j "$THREADS" -t "$per_client" -l --log-prefix="$WORK/pgb" "$DB_URL" >"$WORK/pgbench.out" 2>&1 &
  PGBENCH_PID=$!
  wait "$PGBENCH_PID" || { cat "$WORK/pgbench.out" >&2; die "pgbench failed"; }
  PGBENCH_PID=''
  cat "$WORK"/pgb.* | awk '{print $3}' | sort -n >"$WORK/pg.lat"
  printf '%s %s %s %.0f %s %s\n' "$(($2 * per_client))" \
    "$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$WORK/pgbench.out")" \
    "$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$WORK/pgbench.out" | grep . || echo 0)" \
    "$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$WORK/pgbench.out")" \
    "$(percentile "$WORK/pg.lat" 50)" "$(percentile "$WORK/pg.lat" 99)" >"$WORK/pg.result"
}
pgbench_rush "$SQL_EVENT_ID" "$PG_CLIENTS"
read -r PG_TX PG_DONE PG_FAILED PG_RATE PG_P50 PG_P99 <"$WORK/pg.result"
pgbench_rush "$POOL_EVENT_ID" "$POOL"
read -r POOL_TX POOL_DONE POOL_FAILED POOL_RATE POOL_P50 POOL_P99 <"$WORK/pg.result"

# What the database holds, against what the clients were told.
q -c "DROP TABLE IF EXISTS bench_rush_answers" -c "CREATE TABLE bench_rush_answers (status int, latency_us bigint, state text, email text)"
q -c "\\copy bench_rush_answers FROM '$WORK/answers' WITH (DELIMITER ' ')"
audit() {  # event_id answers? -> "rows confirmed waitlisted other dup_emails dup_seats outside free stored_not_answered answered_not_stored status_differs"
  q -F ' ' -c "
    WITH r AS (SELECT * FROM registrations WHERE event_id = $1),
         a AS (SELECT lower(email) AS email, state FROM bench_rush_answers WHERE status = 201 AND $2)
    SELECT (SELECT count(*) FROM r),
           (SELECT count(*) FROM r WHERE status = 'confirmed'),
           (SELECT count(*) FROM r WHERE status = 'waitlisted'),
           (SELECT count(*) FROM r WHERE status NOT IN ('confirmed', 'waitlisted')),
           (SELECT count(*) - count(DISTINCT lower(email)) FROM r),
           (SELECT count(seat_no) - count(DISTINCT seat_no) FROM r),
           (SELECT count(*) FROM r WHERE seat_no < 1 OR seat_no > $CAPACITY
                                      OR (status = 'confirmed') <> (seat_no IS NOT NULL)),
           (SELECT count(*) FROM free_seats WHERE event_id = $1),
           (SELECT count(*) FROM r WHERE $2 AND lower(email) NOT IN (SELECT email FROM a)),
           (SELECT count(*) FROM a WHERE email NOT IN (SELECT lower(email) FROM r)),
           (SELECT count(*) FROM a JOIN r ON lower(r.email) = a.email WHERE a.state <> r.status)"
}
read -r ROWS CONFIRMED WAITLISTED OTHER DUP_EMAILS DUP_SEATS OUTSIDE FREE STORED_NOT_ANSWERED \
  ANSWERED_NOT_STORED STATUS_DIFFERS <<<"$(audit "$EVENT_ID" true)"
read -r SQL_ROWS SQL_CONFIRMED SQL_WAITLISTED SQL_OTHER _ SQL_DUP_SEATS SQL_OUTSIDE SQL_FREE _ _ _ \
  <<<"$(audit "$SQL_EVENT_ID" false)"
read -r POOL_ROWS POOL_CONFIRMED POOL_WAITLISTED POOL_OTHER _ POOL_DUP_SEATS POOL_OUTSIDE POOL_FREE _ _ _ \
  <<<"$(audit "$POOL_EVENT_ID" false)"

capacity_exact() {  # rows confirmed waitlisted other dup_seats outside free
  local expected=$(($1 < CAPACITY ? $1 : CAPACITY))
  [ "$2" = "$expected" ] && [ "$3" = $(($1 - expected)) ] && [ "$4" = 0 ] && [ "$5" = 0 ] && [ "$6" = 0 ] \
    && [ "$7" = $((CAPACITY - expected)) ]
}

RESULT=0
verdict() {  # ok? text
  if [ "$1" = yes ]; then printf 'PASS %s\n' "$2"; else printf 'FAIL %s\n' "$2"; RESULT=1; fi
}
ok() { if "$@"; then echo yes; else echo no; fi; }

printf '\nopening rush: %s registrations over %s keep-alive connections (wrk -t%s), an event of %s seats\n' \
  "$TOTAL" "$CLIENTS" "$THREADS" "$CAPACITY"
printf 'server: HTTP_THREADS=%s DB_POOL_SIZE=%s RATE_LIMITS=off, no worker; binary %s; load average before the rush %s\n' \
  "$HTTP_THREADS" "$POOL" "$CONVENE_BINARY" "$LOAD_BEFORE"
printf 'answers: %s of %s sent: 201 %s (confirmed %s, waitlisted %s), 409 %s, 429 %s, 5xx %s, other %s; socket errors: %s\n' \
  "$ANSWERED" "$SENT" "$N201" "$HTTP_CONFIRMED" "$HTTP_WAITLISTED" "$N409" "$N429" "$N5XX" "$NOTHER" "$SOCKET_ERRORS"
printf 'database: %s registrations, %s confirmed, %s waitlisted, %s other; %s seats still free; duplicate e-mails %s, duplicate seats %s, seats out of 1..%s %s\n' \
  "$ROWS" "$CONFIRMED" "$WAITLISTED" "$OTHER" "$FREE" "$DUP_EMAILS" "$DUP_SEATS" "$CAPACITY" "$OUTSIDE"
printf '          201s not in the database %s, registrations without a 201 %s, status differing from the 201 %s\n' \
  "$ANSWERED_NOT_STORED" "$STORED_NOT_ANSWERED" "$STATUS_DIFFERS"
printf 'pgbench:  %s clients: %s of %s transactions (failed %s): %s registrations, %s confirmed, %s waitlisted; %s seats still free\n' \
  "$PG_CLIENTS" "$PG_DONE" "$PG_TX" "$PG_FAILED" "$SQL_ROWS" "$SQL_CONFIRMED" "$SQL_WAITLISTED" "$SQL_FREE"
printf 'pgbench:  %s clients: %s of %s transactions (failed %s): %s registrations, %s confirmed, %s waitlisted; %s seats still free\n\n' \
  "$POOL" "$POOL_DONE" "$POOL_TX" "$POOL_FAILED" "$POOL_ROWS" "$POOL_CONFIRMED" "$POOL_WAITLISTED" "$POOL_FREE"
line() {  # label per_second p50_us p99_us [reference_per_second]
  awk -v l="$1" -v r="$2" -v a="$3" -v b="$4" -v h="${5:-}" 'BEGIN {
    printf "%-52s %10d %9.1f %9.1f", l, r, a / 1000, b / 1000
    if (h != "") printf "   HTTP = %3.0f%%", (r > 0 ? 100 * h / r : 0)
    printf "\n" }'
}
printf '%-52s %10s %9s %9s\n' "" "per second" "p50 ms" "p99 ms"
line "HTTP POST /registrations, $CLIENTS connections" "$HTTP_RATE" "$HTTP_P50" "$HTTP_P99"
line "registration SQL, pgbench, $PG_CLIENTS clients" "$PG_RATE" "$PG_P50" "$PG_P99" "$HTTP_RATE"
line "registration SQL, pgbench, $POOL clients (= DB_POOL_SIZE)" "$POOL_RATE" "$POOL_P50" "$POOL_P99" "$HTTP_RATE"
[ "$PG_CLIENTS" = "$CLIENTS" ] || printf '(pgbench ran %s clients, not %s: max_connections %s, %s in use)\n' \
  "$PG_CLIENTS" "$CLIENTS" "$MAX_CONNECTIONS" "$IN_USE"
echo

nothing_lost() {
  [ "$SENT" = "$TOTAL" ] && [ "$ANSWERED" = "$TOTAL" ] && [ "$SOCKET_ERROR_COUNT" = 0 ] && [ "$ROWS" = "$N201" ] \
    && [ "$ANSWERED_NOT_STORED" = 0 ] && [ "$STORED_NOT_ANSWERED" = 0 ] && [ "$STATUS_DIFFERS" = 0 ] \
    && [ "$DUP_EMAILS" = 0 ] && [ "$N201" = $((HTTP_CONFIRMED + HTTP_WAITLISTED)) ]
}
verdict "$(ok [ "$N5XX" = 0 ])" "zero 5xx ($N5XX)"
verdict "$(ok nothing_lost)" \
  "zero lost ($ANSWERED of $TOTAL answered, $N201 201s, $ROWS in the database, $ANSWERED_NOT_STORED of the 201s missing, $STORED_NOT_ANSWERED without a 201)"
verdict "$(ok capacity_exact "$ROWS" "$CONFIRMED" "$WAITLISTED" "$OTHER" "$DUP_SEATS" "$OUTSIDE" "$FREE")" \
  "capacity exact ($CONFIRMED confirmed of $CAPACITY seats, $WAITLISTED waitlisted, $FREE free)"
verdict "$(ok capacity_exact "$SQL_ROWS" "$SQL_CONFIRMED" "$SQL_WAITLISTED" "$SQL_OTHER" "$SQL_DUP_SEATS" "$SQL_OUTSIDE" "$SQL_FREE")" \
  "capacity exact under pgbench, $PG_CLIENTS clients ($SQL_CONFIRMED confirmed, $SQL_WAITLISTED waitlisted, $SQL_FREE free)"
verdict "$(ok capacity_exact "$POOL_ROWS" "$POOL_CONFIRMED" "$POOL_WAITLISTED" "$POOL_OTHER" "$POOL_DUP_SEATS" "$POOL_OUTSIDE" "$POOL_FREE")" \
  "capacity exact under pgbench, $POOL clients ($POOL_CONFIRMED confirmed, $POOL_WAITLISTED waitlisted, $POOL_FREE free)"

if [ -r "/proc/$SERVER_PID/status" ]; then
  printf '\nserver RSS at the end: %s (peak %s)\n' \
    "$(awk '/VmRSS/ {printf "%.0f MiB", $2 / 1024}' "/proc/$SERVER_PID/status")" \
    "$(awk '/VmHWM/ {printf "%.0f MiB", $2 / 1024}' "/proc/$SERVER_PID/status")"
else
  verdict no "the server kept running"
  tail -20 "$WORK/server.log" >&2
fi
[ "$N5XX" = 0 ] || { say "server log, last lines:"; tail -20 "$WORK/server.log" >&2; }
exit "$RESULT"
