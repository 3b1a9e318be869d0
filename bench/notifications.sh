#!/usr/bin/env bash
# Notification throughput (issue 5, item 7): 10,000 queued reminders delivered by `convene worker`
# into the spool folder and into a local SMTP server (aiosmtpd), against the database's own rate of
# claiming and marking the same rows, measured in the same run with the same SQL.
#
#   bench/notifications.sh          (BENCH_MESSAGES=10000, BENCH_WORKERS=1 worker processes)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
MESSAGES=${BENCH_MESSAGES:-10000}
WORKERS=${BENCH_WORKERS:-1}
install_packages python3-aiosmtpd "${CONVENE_RUNTIME_PACKAGES[@]}"
[ -x "$CONVENE_BUILD/convene" ] || build_convene -DBUILD_TESTING=OFF
BIN=$CONVENE_BUILD/convene
WORK=$(mktemp -d)
SMTP_PID=
trap 'kill $SMTP_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT

DATABASE_URL=${DATABASE_URL:-$(fresh_bench_database convene_bench_mail)}
export DATABASE_URL
"$BIN" migrate >/dev/null

# One event, a session in a week, $MESSAGES confirmed registrants in Kathmandu, and a reminder
# each, due now. Registrants are written directly: this measures delivery, not registration.
psql -X -q "$DATABASE_URL" <<SQL
INSERT INTO events (slug, title, description, timezone, capacity, registration_closes, join_url, organiser_name)
VALUES ('bench-mail', 'Benchmark panel', 'A panel to send reminders about.', 'America/New_York', $MESSAGES,
        'never', 'https://meet.example.org/bench', 'Benchmark organisers');
INSERT INTO sessions (event_id, title, starts_local, timezone, starts_at, duration_minutes, tzdb_version)
SELECT id, 'Benchmark session', (now() + interval '7 days')::timestamp(0), 'America/New_York',
       date_trunc('second', now() + interval '7 days'), 120, '$(date +%Y)' FROM events WHERE slug = 'bench-mail';
INSERT INTO registrations (event_id, email, name, timezone, language, consent_at, status, seat_no, manage_token_hash)
SELECT e.id, 'bench' || n || '@example.org', 'Person ' || n, 'Asia/Kathmandu', 'en', now(), 'confirmed', n,
       sha256(('bench-token-' || n)::bytea)
FROM events e, generate_series(1, $MESSAGES) n WHERE e.slug = 'bench-mail';
CREATE TABLE bench_queue AS
SELECT r.id AS registration_id, r.event_id, s.id AS session_id FROM registrations r JOIN sessions s ON s.event_id = r.event_id;
SQL

enqueue() {
  psql -X -q "$DATABASE_URL" -c "DELETE FROM outbox" -c "DELETE FROM access_tokens" -c "
    INSERT INTO outbox (registration_id, event_id, kind, session_id, offset_seconds, sequence, due_at)
    SELECT registration_id, event_id, 'reminder', session_id, 3600, 0, now() - interval '1 second' FROM bench_queue" \
    -c "VACUUM ANALYZE outbox" -c CHECKPOINT
}

# The baseline: claim 20 due rows and mark each sent, with the worker's own statements, from one
# connection per worker process, until the queue is empty.
{
  echo "\\set now 0"
  "$BIN" sql claim_outbox | sed -e "s/to_timestamp(\$2)/now()/g" -e "s/\$1/'bench'/g" -e "s/\$3/120/g" -e "s/\$4/20/g" \
    | tr '\n' ' ' | sed 's/RETURNING .*/RETURNING id/'
  echo ";"
  echo "UPDATE outbox SET status = 'sent', sent_at = now(), lease_until = NULL WHERE worker = 'bench' AND status = 'sending';"
} >"$WORK/claim.sql"
enqueue
start=$(date +%s.%N)
transactions=$(( (MESSAGES + 19) / 20 / WORKERS ))
"${PGBENCH[@]}" -n -M prepared -f "$WORK/claim.sql" -c "$WORKERS" -j "$WORKERS" -t "$transactions" "$DATABASE_URL" >"$WORK/pgbench.out" 2>&1 \
  || { cat "$WORK/pgbench.out"; die "pgbench failed"; }
end=$(date +%s.%N)
claimed=$(psql -X -tA "$DATABASE_URL" -c "SELECT count(*) FROM outbox WHERE status = 'sent'")
baseline=$(awk -v n="$claimed" -v a="$start" -v b="$end" 'BEGIN {printf "%.0f", n / (b - a)}')

deliver() {  # label, extra env -> messages/s
  local label=$1; shift
  enqueue
  local start end sent
  start=$(date +%s.%N)
  local pids=()
  for _ in $(seq "$WORKERS"); do
    env "$@" WORKER_POLL_MS=50 "$BIN" worker >>"$WORK/worker.log" 2>&1 &
    pids+=($!)
  done
  while :; do
    sent=$(psql -X -tA "$DATABASE_URL" -c "SELECT count(*) FROM outbox WHERE status IN ('sent', 'failed', 'skipped')")
    [ "$sent" -ge "$MESSAGES" ] && break
    sleep 0.2
  done
  end=$(date +%s.%N)
  kill "${pids[@]}"; wait "${pids[@]}" 2>/dev/null || true
  local failed; failed=$(psql -X -tA "$DATABASE_URL" -c "SELECT count(*) FROM outbox WHERE status <> 'sent'")
  [ "$failed" = 0 ] || die "$label: $failed messages not sent"
  awk -v n="$MESSAGES" -v a="$start" -v b="$end" 'BEGIN {printf "%.0f", n / (b - a)}'
}

spool_rate=$(deliver spool SPOOL_DIR="$WORK/spool")
spooled=$(find "$WORK/spool" -name '*.eml' | wc -l)
[ "$spooled" = "$MESSAGES" ] || die "the spool holds $spooled files, not $MESSAGES"
# The same into tmpfs: what the worker costs when creating a file costs nothing, to tell its own
# overhead from the file system's.
SHM=/dev/shm/convene-bench-$$
shm_rate=$(deliver spool SPOOL_DIR="$SHM")
rm -rf "$SHM"
# And the file system alone: create, write and rename as many files of the same size, one by one.
size=$(stat -c %s "$(find "$WORK/spool" -name '*.eml' | head -1)")
fs_rate=$(/usr/bin/python3 - "$WORK/fs" "$MESSAGES" "$size" <<'PY'
import os, sys, time
folder, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(folder)
body = b"x" * size
start = time.monotonic()
for i in range(count):
    tmp = os.path.join(folder, ".tmp-%d" % i)
    with open(tmp, "wb") as f:
        f.write(body)
    os.rename(tmp, os.path.join(folder, "%d.eml" % i))
print(round(count / (time.monotonic() - start)))
PY
)
SMTP_PORT=$((20000 + RANDOM % 20000))
/usr/bin/python3 "$CONVENE_REPO/tests/mail/smtp_server.py" --port "$SMTP_PORT" --maildir "$WORK/smtp" >"$WORK/smtp.log" 2>&1 &
SMTP_PID=$!
for _ in $(seq 50); do grep -q READY "$WORK/smtp.log" && break; sleep 0.1; done
smtp_rate=$(deliver smtp SMTP_URL="smtp://127.0.0.1:$SMTP_PORT")

printf '\n%-44s %8s msg/s\n' "database claim + mark (baseline, $WORKERS conn)" "$baseline"
printf '%-44s %8s msg/s  %4.0f%% of baseline\n' "worker into the spool ($WORKERS process)" "$spool_rate" \
  "$(awk -v a="$spool_rate" -v b="$baseline" 'BEGIN {print 100 * a / b}')"
printf '%-44s %8s files/s (create, write, rename; no sync)\n' "  the spool's file system alone" "$fs_rate"
printf '%-44s %8s msg/s  %4.0f%% of baseline\n' "worker into a spool on tmpfs" "$shm_rate" \
  "$(awk -v a="$shm_rate" -v b="$baseline" 'BEGIN {print 100 * a / b}')"
printf '%-44s %8s msg/s  %4.0f%% of baseline\n' "worker into SMTP, aiosmtpd ($WORKERS process)" "$smtp_rate" \
  "$(awk -v a="$smtp_rate" -v b="$baseline" 'BEGIN {print 100 * a / b}')"
