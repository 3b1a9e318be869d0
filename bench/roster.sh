#!/usr/bin/env bash
# Roster and CSV export for 100,000 registrants (issue 6, item 7): time of a roster page at several
# depths, and of the whole CSV export against PostgreSQL's own COPY of the same columns in the same
# run, with the server's memory before and after the export.
#
#   bench/roster.sh        (BENCH_REGISTRANTS=100000)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/lib.sh"
COUNT=${BENCH_REGISTRANTS:-100000}
install_packages curl "${CONVENE_RUNTIME_PACKAGES[@]}"
[ -x "$CONVENE_BUILD/convene" ] || build_convene -DBUILD_TESTING=OFF
BIN=$CONVENE_BUILD/convene
WORK=$(mktemp -d)
SERVER_PID=
trap 'kill $SERVER_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT

if [ -z "${DATABASE_URL:-}" ]; then
  "$CONVENE_REPO/deploy/pg.sh" start
  ADMIN_URL=$("$CONVENE_REPO/deploy/pg.sh" url postgres)
  psql -X -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS convene_bench_roster WITH (FORCE)" -c "CREATE DATABASE convene_bench_roster"
  DATABASE_URL=$("$CONVENE_REPO/deploy/pg.sh" url convene_bench_roster)
fi
export DATABASE_URL
"$BIN" migrate >/dev/null
TOKEN=$("$BIN" organiser add --email bench@example.org --all 2>/dev/null | tail -n1)
say "generating $COUNT registrants"
psql -X -q "$DATABASE_URL" <<SQL
INSERT INTO events (slug, title, timezone, capacity, registration_closes)
VALUES ('bench-roster', 'Roster benchmark', 'UTC', $COUNT, 'never');
INSERT INTO registrations (event_id, email, name, organisation, country, timezone, language, answers, consent_at,
                           status, seat_no, manage_token_hash)
SELECT e.id, 'person' || n || '@example.org', 'Person Número ' || n, 'Organisation ' || (n % 500),
       (ARRAY['NP','PE','WS','KE','IN','BR'])[1 + n % 6], 'Asia/Kathmandu', 'en', '{"topic": "trade"}', now(),
       'confirmed', n, sha256(('roster-' || n)::bytea)
FROM events e, generate_series(1, $COUNT) n WHERE e.slug = 'bench-roster';
VACUUM ANALYZE registrations;
SQL

PORT=${BENCH_PORT:-18095}
HOST=127.0.0.1 PORT=$PORT RATE_LIMITS=off "$BIN" serve --no-worker >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
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
printf '%-36s %8s\n' "  search q=número 4242" "$(for _ in $(seq 15); do curl -sf -o /dev/null -w '%{time_total}\n' -H "$AUTH" "$API/registrations?limit=50&q=n%C3%BAmero%204242"; done | sort -n | awk '{v[NR]=$1} END {printf "%.2f", 1000 * v[int((NR+1)/2)]}')"

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
