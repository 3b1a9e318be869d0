#!/usr/bin/env bash
# Roster and CSV export for 100,000 registrants (issue 6, item 7): time of a roster page at several
# depths and of a search, and of the whole CSV export against PostgreSQL's own COPY of the same
# columns in the same run, with the server's memory before and after the export. Then what the
# search costs a registration (issue 17): a one-row INSERT into registrations (which notes the row
# for the index written after the commit, migration 016) against the same INSERT into a twin table
# without any search, and into one with the search as 014 had it, folded and indexed in the row.
#
#   bench/roster.sh        (BENCH_REGISTRANTS=100000; inserts: BENCH_INSERT_CLIENTS=16,
#                           BENCH_SECONDS=10 per run, median of BENCH_REPEAT=3)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
COUNT=${BENCH_REGISTRANTS:-100000}
INSERT_CLIENTS=${BENCH_INSERT_CLIENTS:-16}
SECONDS_PER_RUN=${BENCH_SECONDS:-10}
REPEAT=${BENCH_REPEAT:-3}
install_packages curl "${CONVENE_RUNTIME_PACKAGES[@]}"  # pgbench comes with postgresql-15
[ -x "$CONVENE_BUILD/convene" ] || build_convene -DBUILD_TESTING=OFF
BIN=$CONVENE_BUILD/convene
WORK=$(mktemp -d)
SERVER_PID=
trap 'kill $SERVER_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT

DATABASE_URL=${DATABASE_URL:-$(fresh_bench_database convene_bench_roster)}
export DATABASE_URL
"$BIN" migrate >/dev/null
TOKEN=$("$BIN" organiser add --email bench@example.org --all 2>/dev/null | tail -n1)
# The SQL that fills a table shaped like registrations with the benchmark's registrants.
registrants_sql() {  # table
  cat <<SQL
INSERT INTO $1 (event_id, email, name, organisation, country, timezone, language, answers, consent_at,
                status, seat_no, manage_token_hash)
SELECT e.id, 'person' || n || '@example.org', 'Person Número ' || n, 'Organisation ' || (n % 500),
       (ARRAY['NP','PE','WS','KE','IN','BR'])[1 + n % 6], 'Asia/Kathmandu', 'en', '{"topic": "trade"}', now(),
       'confirmed', n, sha256(('roster-' || n)::bytea)
FROM events e, generate_series(1, $COUNT) n WHERE e.slug = 'bench-roster';
VACUUM ANALYZE $1;
SQL
}
say "generating $COUNT registrants"
psql -X -q "$DATABASE_URL" -c "INSERT INTO events (slug, title, timezone, capacity, registration_closes)
  VALUES ('bench-roster', 'Roster benchmark', 'UTC', $COUNT, 'never')"
registrants_sql registrations | psql -X -q "$DATABASE_URL"
# Each row was noted for the search's index; the worker indexes them after the commit. Here, all at
# once with its statement (the server below runs without its worker).
start=$(date +%s.%N)
index_search_backlog "$BIN" "$DATABASE_URL"
end=$(date +%s.%N)
printf '%-36s %8s s  (%s registrants; then VACUUM ANALYZE)\n' "indexing the search after the commit" \
  "$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.2f", b - a}')" "$COUNT"
psql -X -q "$DATABASE_URL" -c "VACUUM ANALYZE registration_search"

PORT=${BENCH_PORT:-18095}
HOST=127.0.0.1 PORT=$PORT RATE_LIMITS=off "$BIN" serve --no-worker >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
await_health "127.0.0.1:$PORT" "the server" "$WORK/server.log"
API="http://127.0.0.1:$PORT/api/v1/events/bench-roster"
AUTH="Authorization: Bearer $TOKEN"

# Walk the roster 50 at a time to collect cursors (signed by the server) at every depth.
say "walking the roster to collect cursors"
cursors=("")
cursor=""
while :; do
  page=$(curl -sf -H "$AUTH" "$API/registrations?limit=500${cursor:+&cursor=$cursor}")
  cursor=$(sed -n 's/.*"next_cursor":"\([^"]*\)".*/\1/p' <<<"$page")
  [ -z "$cursor" ] && break
  cursors+=("$cursor")
done
pages=${#cursors[@]}
time_page() {  # cursor -> milliseconds, median of 15
  for _ in $(seq 15); do
    curl -sf -o /dev/null -w '%{time_total}\n' -H "$AUTH" "$API/registrations?limit=50${1:+&cursor=$1}"
  done | sort -n | awk '{v[NR]=$1} END {printf "%.2f", 1000 * v[int((NR+1)/2)]}'
}
printf '\n%-36s %8s\n' "roster page (50 rows)" "ms"
for fraction in 0 25 50 75 99; do
  index=$(( (pages - 1) * fraction / 100 ))
  printf '%-36s %8s\n' "  at ${fraction}% depth (row $((index * 500)))" "$(time_page "${cursors[$index]}")"
done
time_search() {  # q, URL-encoded -> milliseconds, median of 15
  for _ in $(seq 15); do
    curl -sf -o /dev/null -w '%{time_total}\n' -H "$AUTH" "$API/registrations?limit=50&q=$1"
  done | sort -n | awk '{v[NR]=$1} END {printf "%.2f", 1000 * v[int((NR+1)/2)]}'
}
printf '%-36s %8s\n' "  search q=número 4242" "$(time_search n%C3%BAmero%204242)"
# Two letters hold no trigram: the index cannot help, and every registrant's folded text is read.
printf '%-36s %8s\n' "  search q=zq (no trigram, no match)" "$(time_search zq)"
printf '%-36s %8s\n' "  search q=número (every row matches)" "$(time_search n%C3%BAmero)"

rss() { awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status"; }
before=$(rss)
start=$(date +%s.%N)
curl -sf -H "$AUTH" "$API/registrations.csv" -o "$WORK/export.csv"
end=$(date +%s.%N)
after=$(rss)
rows=$(( $(wc -l <"$WORK/export.csv") - 1 ))
[ "$rows" = "$COUNT" ] || die "the export has $rows rows, not $COUNT"
copy_start=$(date +%s.%N)
psql -X -q "$DATABASE_URL" -c "COPY (SELECT r.id, r.status, r.email, r.name, r.organisation, r.country, r.timezone,
  r.language, r.created_at, r.updated_at, r.cancelled_at, r.checked_in_at, r.first_joined_at, r.last_joined_at,
  r.answers FROM registrations r JOIN events e ON e.id = r.event_id WHERE e.slug = 'bench-roster'
  AND r.erased_at IS NULL ORDER BY r.id) TO STDOUT WITH CSV HEADER" >"$WORK/copy.csv"
copy_end=$(date +%s.%N)
export_s=$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.2f", b - a}')
copy_s=$(awk -v a="$copy_start" -v b="$copy_end" 'BEGIN {printf "%.2f", b - a}')
printf '\n%-36s %8s s  (%s rows, %s MB)\n' "CSV export through convene" "$export_s" "$rows" "$(( $(stat -c %s "$WORK/export.csv") / 1000000 ))"
printf '%-36s %8s s  -> export/COPY = %.2f\n' "COPY ... TO STDOUT of the same columns" "$copy_s" "$(awk -v a="$export_s" -v b="$copy_s" 'BEGIN {print a / b}')"
printf '%-36s %8s kB before, %s kB after (growth %s kB; peak %s kB)\n' "server RSS" "$before" "$after" "$((after - before))" \
  "$(awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status")"

# What the search costs a registration: the same one-row INSERT into registrations (a note for the
# index written after the commit, migration 016), into a twin without any search (LIKE copies no
# trigger), and into a twin with the search as 014 had it (a generated column of the three folded
# fields and its trigram index), each table holding the same $COUNT registrants. The three are
# interleaved, each run after a CHECKPOINT; each figure is the median of $REPEAT runs. With one
# client every INSERT waits for its commit to reach the disk and all three are alike; the search's
# cost shows with many.
say "filling the twin tables for the insert benchmark"
psql -X -q "$DATABASE_URL" <<'SQL'
CREATE TABLE bench_no_search (LIKE registrations INCLUDING ALL);
CREATE TABLE bench_search_014 (LIKE registrations INCLUDING ALL);
ALTER TABLE bench_search_014 ADD COLUMN search_text text GENERATED ALWAYS AS (
  convene_fold(name) || E'\n' || convene_fold(email) || E'\n' || convene_fold(coalesce(organisation, ''))) STORED;
CREATE INDEX ON bench_search_014 USING gin (search_text gin_trgm_ops);
SQL
psql -X -q "$DATABASE_URL" -c "CREATE SEQUENCE bench_seat START $((COUNT + 1))"
registrants_sql bench_no_search | psql -X -q "$DATABASE_URL"
registrants_sql bench_search_014 | psql -X -q "$DATABASE_URL"
EVENT_ID=$(psql -X -tA "$DATABASE_URL" -c "SELECT id FROM events WHERE slug = 'bench-roster'")
for table in registrations bench_no_search bench_search_014; do
  cat >"$WORK/insert_$table.sql" <<SQL
\set n random(1, 9000000000000000)
INSERT INTO $table (event_id, email, name, organisation, country, timezone, language, answers, consent_at, status, seat_no, manage_token_hash) VALUES ($EVENT_ID, 'pg-' || :n || '@example.org', 'Person Número ' || :n, 'Organisation ' || (:n::bigint % 500), 'NP', 'Asia/Kathmandu', 'en', '{}', now(), 'confirmed', nextval('bench_seat'), decode(md5(random()::text) || md5(random()::text), 'hex'));
SQL
done
insert_tps() {  # table clients -> transactions per second
  psql -X -q "$DATABASE_URL" -c CHECKPOINT
  "${PGBENCH[@]}" -n -M prepared -f "$WORK/insert_$1.sql" -c "$2" -j $(( $2 < 2 ? 1 : 2 )) -T "$SECONDS_PER_RUN" \
    "$DATABASE_URL" >"$WORK/pgbench.out" 2>&1 || { cat "$WORK/pgbench.out" >&2; die "pgbench failed"; }
  sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$WORK/pgbench.out"
}
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
printf '\none-row INSERT with %s registrants in the table, tx/s (median of %s runs of %s s)\n' "$COUNT" "$REPEAT" \
  "$SECONDS_PER_RUN"
printf '%-8s | %-20s | %-20s | %-20s | %-11s | %-11s\n' clients "noted (016)" "no search" "indexed in the row (014)" \
  "cost of 016" "cost of 014"
for clients in $INSERT_CLIENTS; do
  : >"$WORK/with"; : >"$WORK/none"; : >"$WORK/old"
  for _ in $(seq "$REPEAT"); do
    insert_tps registrations "$clients" >>"$WORK/with"
    insert_tps bench_no_search "$clients" >>"$WORK/none"
    insert_tps bench_search_014 "$clients" >>"$WORK/old"
  done
  awk -v c="$clients" -v w="$(median <"$WORK/with")" -v n="$(median <"$WORK/none")" -v o="$(median <"$WORK/old")" 'BEGIN {
    printf "%-8s | %20.0f | %20.0f | %20.0f | %10.2fx | %10.2fx\n", c, w, n, o, n / w, n / o }'
done
echo "(cost: the time of an insert against the same insert without any search, from the tx/s)"
