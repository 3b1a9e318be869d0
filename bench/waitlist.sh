#!/usr/bin/env bash
# What moving waitlisted registrants onto free seats costs, against how much there is to move from.
#
#   bench/waitlist.sh [BINARY]   (BENCH_REPEATS=5 timings of each case, the median printed)
#
# BINARY (default: this checkout's build) is the convene whose statement is timed: pass one built from
# an older commit to compare (its statement's parameters are filled in the same way; ones it lacks
# are simply absent).
# The statement is the binary's own (`convene sql fill_seats_from_waitlist`), timed by psql inside a
# transaction that is rolled back, in two pairs of cases:
#   cancellation: one seat freed at a full event of 10 seats, with 100 waitlisted against 50,000;
#   raised capacity: 10 waitlisted, with 1,000 free seats against 1,000,000.
# Each pair prints both medians and their ratio: a fill that costs what it moves keeps the ratio near 1;
# one that numbers every free seat and every waitlisted registrant grows with the larger side.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
REPEATS=${BENCH_REPEATS:-5}
install_packages "${CONVENE_RUNTIME_PACKAGES[@]}"
BIN=${1:-$CONVENE_BUILD/convene}
[ -x "$BIN" ] || build_convene -DBUILD_TESTING=OFF
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

if [ -n "${DATABASE_URL:-}" ]; then say "using $DATABASE_URL as is: its events named waitlist-* are replaced"; fi
DB_URL=${DATABASE_URL:-$(fresh_bench_database convene_bench_waitlist)}
DATABASE_URL=$DB_URL "$BIN" migrate >/dev/null

# Events and registrants written directly: what is timed is the fill alone. Each event's waitlisted
# registrants are its newest rows; a full event's seats 1..capacity are held.
say "writing the events (a million free seats take a while)"
psql -X -q -v ON_ERROR_STOP=1 -o /dev/null "$DB_URL" <<'SQL'
DELETE FROM events WHERE slug LIKE 'waitlist-%';
CREATE FUNCTION pg_temp.event(slug text, capacity int, held int, waiting int, free int) RETURNS void AS $$
DECLARE id bigint;
BEGIN
  INSERT INTO events (slug, title, timezone, capacity) VALUES (slug, slug, 'UTC', capacity) RETURNING events.id INTO id;
  INSERT INTO registrations (event_id, email, name, timezone, language, consent_at, status, seat_no, manage_token_hash)
  SELECT id, 'held' || n || '@example.org', 'Held ' || n, 'UTC', 'en', now(), 'confirmed', n, decode(md5(slug || 'h' || n), 'hex')
  FROM generate_series(1, held) n;
  INSERT INTO registrations (event_id, email, name, timezone, language, consent_at, status, manage_token_hash)
  SELECT id, 'wait' || n || '@example.org', 'Waiting ' || n, 'UTC', 'en', now(), 'waitlisted', decode(md5(slug || 'w' || n), 'hex')
  FROM generate_series(1, waiting) n;
  INSERT INTO free_seats (event_id, seat_no) SELECT id, n FROM generate_series(held + 1, held + free) n;
END $$ LANGUAGE plpgsql;
SELECT pg_temp.event('waitlist-short', 10, 10, 100, 0);
SELECT pg_temp.event('waitlist-long', 10, 10, 50000, 0);
SELECT pg_temp.event('waitlist-few-seats', 1000, 0, 10, 1000);
SELECT pg_temp.event('waitlist-many-seats', 1000000, 0, 10, 1000000);
VACUUM ANALYZE;
SQL

# The binary's statement, its parameters spelled as psql variables: the event, the first chunk's
# starting point (after seat 0 and registration 0), a chunk as large as the server's first (64),
# the time.
"$BIN" sql fill_seats_from_waitlist | sed -e 's/\$1\b/:event_id/g' -e 's/\$2\b/0/g' -e 's/\$3\b/0/g' \
  -e 's/\$4\b/64/g' -e 's/\$5\b/extract(epoch FROM now())/g' >"$WORK/fill.sql"
echo ';' >>"$WORK/fill.sql"
grep -q '\$[0-9]' "$WORK/fill.sql" && die "a parameter of fill_seats_from_waitlist was not replaced"

# Median milliseconds of the fill for event SLUG; a full event first has its seat 5 given up.
median_ms() {  # slug
  local id
  id=$(psql -X -tA "$DB_URL" -c "SELECT id FROM events WHERE slug = '$1'")
  for _ in $(seq "$REPEATS"); do
    {
      echo 'BEGIN;'
      echo "WITH given_up AS (UPDATE registrations SET status = 'cancelled', seat_no = NULL
              WHERE event_id = $id AND seat_no = 5 RETURNING event_id)
            INSERT INTO free_seats (event_id, seat_no) SELECT event_id, 5 FROM given_up;"
      echo '\timing on'
      echo "\\set event_id $id"
      echo "\\i $WORK/fill.sql"
      echo '\timing off'
      echo 'ROLLBACK;'
    } | psql -X -q -o /dev/null "$DB_URL" | awk '/^Time:/ {print $2}'
  done | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'
}

pair() {  # label small-slug small-label large-slug large-label
  local small large
  small=$(median_ms "$2")
  large=$(median_ms "$4")
  printf '%-16s %-22s %8.2f ms   %-26s %8.2f ms   ratio %5.1f\n' "$1" "$3" "$small" "$5" "$large" \
    "$(awk -v a="$large" -v b="$small" 'BEGIN {print a / b}')"
}
echo "fill_seats_from_waitlist, median of $REPEATS (rolled back each time):"
pair cancellation waitlist-short "100 waitlisted" waitlist-long "50,000 waitlisted"
pair "raised capacity" waitlist-few-seats "1,000 free seats" waitlist-many-seats "1,000,000 free seats"
