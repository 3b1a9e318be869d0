#!/usr/bin/env bash
# Registration throughput: HTTP through convene against the SQL it runs, and against plain
# INSERTs, all in one run on the same PostgreSQL.
#
#   bench/registration.sh            (BENCH_SECONDS=10 per measurement, BENCH_CONCURRENCY="16 64 256")
#
# (a) is exactly the SQL of one registration written alone: the statement is printed by `convene sql`
#     from the binary under test and replayed by pgbench with the same prepared-statement protocol.
# (b) is a single-row INSERT into a table LIKE registrations (same columns and indexes).
# (c) is a single-row INSERT into a minimal table: id, event, e-mail, name, unique (event, lower(email)).
# Each pgbench transaction is one row with its own commit; the server commits concurrent
# registrations together (REGISTRATION_BATCH_MAX), which is how HTTP can pass (a) and (b).
# Prints throughput, p50/p99 latency and the ratios; where the CPU went (per request: convene, the
# load generator, PostgreSQL), which is what decides the ratios on a machine they all share; what
# the registration statement costs PostgreSQL per batch and per registration, for batches of
# BENCH_BATCH_ROWS ("1 4 16 64") rows; the server's peak RSS at the end.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/registration_sql.sh"
SECONDS_PER_RUN=${BENCH_SECONDS:-10}
CONCURRENCY=${BENCH_CONCURRENCY:-"16 64 256"}
install_packages wrk time "${CONVENE_RUNTIME_PACKAGES[@]}"
[ -x "$CONVENE_BUILD/convene" ] || build_convene -DBUILD_TESTING=OFF
BIN=$CONVENE_BUILD/convene
WORK=$(mktemp -d)
trap 'kill $SERVER_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT

DB_URL=${DATABASE_URL:-$(fresh_bench_database convene_bench)}  # a given one is used as is
export DATABASE_URL=$DB_URL
"$BIN" migrate >/dev/null
PORT=${BENCH_PORT:-18080}
TOKEN=$("$BIN" organiser add --email bench@example.org --all 2>/dev/null | tail -n1)
# The server under test: its access log goes to a file, as in production.
HOST=127.0.0.1 PORT=$PORT RATE_LIMITS=off "$BIN" serve --no-worker >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
await_health "127.0.0.1:$PORT" "the server" "$WORK/server.log"
# Two events of the largest capacity allowed, alike: the server registers for one, pgbench (a) for
# the other, so that neither runs out of free seats in a full run (every registration must find one).
CAPACITY=1000000
# A third, alike, for the batches of the last table.
for slug in bench-rush bench-rush-sql bench-batches; do create_rush_event "$PORT" "$TOKEN" "$slug" "$CAPACITY"; done
EVENT_ID=$(psql -X -tA "$DB_URL" -c "SELECT id FROM events WHERE slug = 'bench-rush-sql'")
EVENT_VERSION=$(psql -X -tA "$DB_URL" -c "SELECT version FROM events WHERE slug = 'bench-rush-sql'")
BATCH_EVENT_ID=$(psql -X -tA "$DB_URL" -c "SELECT id FROM events WHERE slug = 'bench-batches'")
BATCH_EVENT_VERSION=$(psql -X -tA "$DB_URL" -c "SELECT version FROM events WHERE slug = 'bench-batches'")

# (a) The registration's own SQL: what the server runs for a registration without an
# Idempotency-Key (the event comes from its cache, checked by version inside the statement): one
# statement, committed on its own. Parameters are spelled as pgbench expressions.
{
  echo '\set n random(1, 9000000000000000)'
  echo "\\set seat random(1, $CAPACITY)"
  registration_statement "$BIN" "$EVENT_VERSION" false; echo ';'
} >"$WORK/a.sql"
grep -q '\$[0-9]' "$WORK/a.sql" && die "a parameter of insert_registration was not replaced: $(cat "$WORK/a.sql")"

# (b) A plain single-row INSERT into a table with the same columns and indexes.
# It stores a confirmed registration, so it also carries a seat number (from a sequence).
psql -X -q "$DB_URL" -c "CREATE TABLE bench_plain (LIKE registrations INCLUDING ALL)" -c "CREATE SEQUENCE bench_seat"
cat >"$WORK/b.sql" <<SQL
\set n random(1, 9000000000000000)
INSERT INTO bench_plain (event_id, email, name, organisation, country, timezone, language, answers, consent_at, status, seat_no, manage_token_hash, created_at, updated_at) VALUES (:event_id, 'pg-' || :n || '@example.org', 'Bench Person', NULL, 'NP', 'Asia/Kathmandu', 'en', '{}', now(), 'confirmed', nextval('bench_seat'), decode(md5(random()::text) || md5(random()::text), 'hex'), now(), now());
SQL

# (c) A single-row INSERT into the smallest table a registration could be: what the disk and
# PostgreSQL allow for one committed row at a time.
psql -X -q "$DB_URL" -c "CREATE TABLE bench_minimal (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, event_id bigint NOT NULL, email text NOT NULL, name text NOT NULL)" \
  -c "CREATE UNIQUE INDEX ON bench_minimal (event_id, lower(email))"
cat >"$WORK/c.sql" <<SQL
\set n random(1, 9000000000000000)
INSERT INTO bench_minimal (event_id, email, name) VALUES (:event_id, 'pg-' || :n || '@example.org', 'Bench Person');
SQL

# CPU accounting, in clock ticks: the server process; the load generator (from /usr/bin/time); the
# PostgreSQL cluster (the postmaster, its live children, and the children it has reaped). Only when
# the cluster runs on this machine; otherwise its figure is left out.
TICKS_PER_SECOND=$(getconf CLK_TCK)
CHECKPOINTER=$(psql -X -tA "$DB_URL" -c "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'")
POSTMASTER=$(ps -o ppid= -p "$CHECKPOINTER" 2>/dev/null | tr -d ' ' || true)
[ -r "/proc/${POSTMASTER:-none}/stat" ] || POSTMASTER=
cluster_ticks() {
  [ -n "$POSTMASTER" ] || { echo 0; return; }
  local total child
  total=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$POSTMASTER/stat")
  for child in $(pgrep -P "$POSTMASTER"); do total=$(( total + $(process_ticks "$child") )); done
  echo "$total"
}
# The backends of a load generator that just exited are counted only once the postmaster has reaped
# them: wait (up to 5 s) until it has no more children than before the run.
children_settled() {
  [ -n "$POSTMASTER" ] || return 0
  for _ in $(seq 100); do [ "$(pgrep -c -P "$POSTMASTER")" -le "$1" ] && return 0; sleep 0.05; done
}
generator_ticks() { awk -v hz="$TICKS_PER_SECOND" '{printf "%.0f\n", ($1 + $2) * hz}' "$WORK/time"; }

pgbench_run() {  # script clients -> "tps p50_us p99_us transactions generator_ticks cluster_ticks server_ticks"
  local script=$1 clients=$2 threads=$(( $2 < 2 ? 1 : 2 ))
  local pg0 server0 children; pg0=$(cluster_ticks); server0=$(process_ticks "$SERVER_PID")
  children=$(pgrep -c -P "${POSTMASTER:-0}" || true)
  /usr/bin/time -f '%U %S' -o "$WORK/time" \
    "${PGBENCH[@]}" -n -M prepared -f "$script" -D event_id="$EVENT_ID" -c "$clients" -j "$threads" \
    -T "$SECONDS_PER_RUN" -l --log-prefix="$WORK/pgb" "$DB_URL" >"$WORK/pgbench.out" 2>&1 \
    || { cat "$WORK/pgbench.out" >&2; die "pgbench failed"; }
  children_settled "$children"
  local cpu; cpu="$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$WORK/pgbench.out") $(generator_ticks) $(( $(cluster_ticks) - pg0 )) $(( $(process_ticks "$SERVER_PID") - server0 ))"
  local tps; tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$WORK/pgbench.out")
  # Per-transaction latencies (microseconds) from pgbench's log, column 3.
  cat "$WORK"/pgb.* | awk '{print $3}' | sort -n >"$WORK/lat"
  rm -f "$WORK"/pgb.*
  local count; count=$(wc -l <"$WORK/lat")
  printf '%s %s %s %s\n' "$tps" "$(sed -n "$(( (count + 1) / 2 ))p" "$WORK/lat")" \
    "$(sed -n "$(( (count * 99 + 99) / 100 ))p" "$WORK/lat")" "$cpu"
}

# The roster search's notes a run left are indexed after it (index_search_backlog), as the worker
# would, and PostgreSQL's CPU for that is the last figure: not part of the run's, but the rush's cost.
http_run() {  # clients -> "rps p50_us p99_us requests generator_ticks cluster_ticks server_ticks index_ticks"
  local clients=$1 threads=$(( $1 < 2 ? 1 : 2 ))
  local pg0 server0; pg0=$(cluster_ticks); server0=$(process_ticks "$SERVER_PID")
  BENCH_RUN="$clients-$RANDOM" /usr/bin/time -f '%U %S' -o "$WORK/time" \
    wrk -t "$threads" -c "$clients" -d "${SECONDS_PER_RUN}s" --latency \
    -s "$CONVENE_REPO/bench/register.lua" "http://127.0.0.1:$PORT" >"$WORK/wrk.out" 2>&1
  local rps; rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$WORK/wrk.out")
  local line; line=$(grep '^BENCH' "$WORK/wrk.out")
  local non2xx errors; non2xx=$(sed 's/.*non2xx=\([0-9]*\).*/\1/' <<<"$line"); errors=$(sed 's/.*errors=\([0-9]*\).*/\1/' <<<"$line")
  [ "$non2xx" = 0 ] && [ "$errors" = 0 ] || { cat "$WORK/wrk.out" >&2; die "HTTP run had $non2xx non-2xx and $errors socket errors"; }
  local cpu; cpu="$(sed 's/.*requests=\([0-9]*\).*/\1/' <<<"$line") $(generator_ticks) $(( $(cluster_ticks) - pg0 )) $(( $(process_ticks "$SERVER_PID") - server0 ))"
  local index0; index0=$(cluster_ticks)
  index_search_backlog "$BIN" "$DB_URL"
  printf '%s %s %s %s %s\n' "$rps" "$(sed 's/.*p50_us=\([0-9]*\).*/\1/' <<<"$line")" "$(sed 's/.*p99_us=\([0-9]*\).*/\1/' <<<"$line")" "$cpu" \
    "$(( $(cluster_ticks) - index0 ))"
}

# Microseconds of CPU per request over all runs in a file of *_run lines: "generator PostgreSQL
# convene PostgreSQL-indexing-after".
cpu_per_request() {
  awk -v hz="$TICKS_PER_SECOND" '{n += $4; g += $5; p += $6; s += $7; x += $8}
    END { if (n > 0) printf "%.0f %.0f %.0f %.0f", g * 1e6 / hz / n, p * 1e6 / hz / n, s * 1e6 / hz / n, x * 1e6 / hz / n }' "$1"
}

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
REPEAT=${BENCH_REPEAT:-3}

say "warming up"
pgbench_run "$WORK/a.sql" 4 >/dev/null
http_run 4 >/dev/null

# Each figure is the median of $REPEAT runs, the three kinds interleaved, each after a CHECKPOINT,
# so that a checkpoint or autovacuum landing in one run does not decide a ratio.
printf '\n%-8s | %-28s | %-28s | %-28s | %-28s | %-7s | %-7s | %-7s\n' clients "HTTP POST (req/s p50 p99 ms)" \
  "(a) registration SQL (tx/s)" "(b) LIKE INSERT (tx/s)" "(c) minimal INSERT (tx/s)" "HTTP/(a)" "HTTP/(b)" "HTTP/(c)"
for c in $CONCURRENCY; do
  : >"$WORK/h"; : >"$WORK/a"; : >"$WORK/b"; : >"$WORK/c"
  for _ in $(seq "$REPEAT"); do
    index_search_backlog "$BIN" "$DB_URL"; psql -X -q "$DB_URL" -c CHECKPOINT; http_run "$c" >>"$WORK/h"
    psql -X -q "$DB_URL" -c CHECKPOINT; pgbench_run "$WORK/a.sql" "$c" >>"$WORK/a"
    psql -X -q "$DB_URL" -c CHECKPOINT; pgbench_run "$WORK/b.sql" "$c" >>"$WORK/b"
    psql -X -q "$DB_URL" -c CHECKPOINT; pgbench_run "$WORK/c.sql" "$c" >>"$WORK/c"
  done
  for k in h a b c; do
    for col in 1 2 3; do printf -v "${k}${col}" '%s' "$(cut -d' ' -f$col "$WORK/$k" | median)"; done
  done
  awk -v c="$c" -v h="$h1" -v h50="$h2" -v h99="$h3" -v a="$a1" -v a50="$a2" -v a99="$a3" \
      -v b="$b1" -v b50="$b2" -v b99="$b3" -v m="$c1" -v m50="$c2" -v m99="$c3" 'BEGIN {
    printf "%-8s | %8.0f %8.2f %8.2f  | %8.0f %8.2f %8.2f  | %8.0f %8.2f %8.2f  | %8.0f %8.2f %8.2f  | %6.0f%% | %6.0f%% | %6.0f%%\n",
      c, h, h50/1000, h99/1000, a, a50/1000, a99/1000, b, b50/1000, b99/1000, m, m50/1000, m99/1000,
      100*h/a, 100*h/b, 100*h/m }'
  read -r hg hp hs hx < <(cpu_per_request "$WORK/h") || true
  read -r ag ap _ < <(cpu_per_request "$WORK/a") || true
  read -r bg bp _ < <(cpu_per_request "$WORK/b") || true
  read -r cg cp _ < <(cpu_per_request "$WORK/c") || true
  [ -n "$POSTMASTER" ] || hp=n/a ap=n/a bp=n/a cp=n/a hx=n/a
  printf '%-8s   CPU us per registration: HTTP: convene %s, wrk %s, PostgreSQL %s (+ %s indexing the search after) | PostgreSQL for (a) %s, (b) %s, (c) %s\n' \
    "" "$hs" "$hg" "$hp" "$hx" "$ap" "$bp" "$cp"
done
# What a batch costs PostgreSQL: the registration statement of (a) with BENCH_BATCH_ROWS rows each,
# from 2 clients (one per core, as at most two batches of an event are in flight in the server), each
# statement committed on its own. A line fitted through the figures splits the cost into a part paid
# once per statement (the commit, the plan's start and end, the constraints and triggers set up) and
# a part paid per row: the floor under PostgreSQL's CPU per registration, however large the batches.
printf '\n%-22s | %12s | %28s | %20s\n' "rows per statement" "statements/s" "PostgreSQL CPU us/statement" "us/registration"
: >"$WORK/fit"
for rows in ${BENCH_BATCH_ROWS:-1 4 16 64}; do
  { echo '\set n random(1, 9000000000000000)'; echo "\\set seat random(1, $CAPACITY)"
    registration_statement "$BIN" "$BATCH_EVENT_VERSION" false "$rows"; echo ';'; } >"$WORK/batch.sql"
  psql -X -q "$DB_URL" -c CHECKPOINT
  read -r tps _ _ statements _ pg _ < <(EVENT_ID=$BATCH_EVENT_ID pgbench_run "$WORK/batch.sql" 2)
  per_statement=$(awk -v p="$pg" -v n="$statements" -v hz="$TICKS_PER_SECOND" 'BEGIN { printf "%.0f", p * 1e6 / hz / n }')
  printf '%-22s | %12.0f | %28s | %20.0f\n' "$rows" "$tps" "$per_statement" "$(( per_statement / rows ))"
  echo "$rows $per_statement" >>"$WORK/fit"
done
[ -n "$POSTMASTER" ] && awk '{n++; x += $1; y += $2; xx += $1 * $1; xy += $1 * $2}
  END { if (n < 2) exit; b = (n * xy - x * y) / (n * xx - x * x); a = (y - b * x) / n
        printf "least squares: %.0f us per statement + %.0f us per registration\n", a, b }' "$WORK/fit"

BATCHES=$(curl -sf "http://127.0.0.1:$PORT/metrics" | awk '/^convene_registration_batches_total/ {b=$2} /^convene_registration_batched_requests_total/ {r=$2} END {if (b > 0) printf "%d batches, %.1f requests per batch", b, r / b}')
printf '\nserver group commit: %s\n' "${BATCHES:-none}"
CONFIRMED=$(psql -X -tA "$DB_URL" -c "SELECT count(*) FROM registrations WHERE status = 'confirmed'")
WAITLISTED=$(psql -X -tA "$DB_URL" -c "SELECT count(*) FROM registrations WHERE status = 'waitlisted'")
[ "$WAITLISTED" = 0 ] || say "warning: $WAITLISTED registrations were waitlisted: the event filled up and later runs measured the slow path"
HELD=$(psql -X -tA "$DB_URL" -c "SELECT 3 * $CAPACITY - count(*) FROM free_seats")
printf '\nserver RSS: %s (peak %s); confirmed registrations %s, seats taken %s\n' \
  "$(awk '/VmRSS/ {print $2 " kB"}' /proc/$SERVER_PID/status)" "$(awk '/VmHWM/ {print $2 " kB"}' /proc/$SERVER_PID/status)" \
  "$CONFIRMED" "$HELD"
[ "$CONFIRMED" = "$HELD" ] || die "seats and confirmed registrations disagree"
