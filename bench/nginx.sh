#!/usr/bin/env bash
# Scale-out (issue 8, item 7): registration throughput through nginx with one and with two convene
# servers, against pgbench running the registration's SQL in the same run; and the public calendar
# feed through nginx (served from convene's cache) against nginx serving the same bytes as a file.
#
#   bench/nginx.sh      (BENCH_SECONDS=10, BENCH_CONNECTIONS=64)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/registration_sql.sh"
SECONDS_PER_RUN=${BENCH_SECONDS:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
install_packages wrk nginx curl "${CONVENE_RUNTIME_PACKAGES[@]}"
[ -x "$CONVENE_BUILD/convene" ] || build_convene -DBUILD_TESTING=OFF
BIN=$CONVENE_BUILD/convene
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$WORK/n1/nginx.pid" ] && kill -QUIT "$(cat "$WORK/n1/nginx.pid")" 2>/dev/null || true
  [ -f "$WORK/n2/nginx.pid" ] && kill -QUIT "$(cat "$WORK/n2/nginx.pid")" 2>/dev/null || true
  [ -f "$WORK/static/nginx.pid" ] && kill -QUIT "$(cat "$WORK/static/nginx.pid")" 2>/dev/null || true
  sleep 0.5
  rm -rf "$WORK"
}
trap cleanup EXIT

DATABASE_URL=${DATABASE_URL:-$(fresh_bench_database convene_bench_nginx)}
export DATABASE_URL
"$BIN" migrate >/dev/null
"$BIN" seed "$CONVENE_REPO/seed/south-south-2021.json" >/dev/null
TOKEN=$("$BIN" organiser add --email bench@example.org --all 2>/dev/null | tail -n1)

start_server() {  # port pool-size
  HOST=127.0.0.1 PORT=$1 DB_POOL_SIZE=$2 RATE_LIMITS=off "$BIN" serve --no-worker >"$WORK/server-$1.log" 2>&1 &
  PIDS+=($!)
  await_health "127.0.0.1:$1" "server on $1" "$WORK/server-$1.log"
}
start_nginx() {  # name listen upstream...
  local name=$1 listen=$2; shift 2
  mkdir -p "$WORK/$name"
  NGINX_USER=root "$CONVENE_REPO/deploy/nginx/render.sh" "$WORK/$name" "$listen" "$@" >"$WORK/$name/nginx.conf"
  # The benchmark measures throughput, not the per-address limit of the rush.
  sed -i 's/limit_req zone=registrations burst=200 nodelay;//' "$WORK/$name/nginx.conf"
  /usr/sbin/nginx -p "$WORK/$name" -c "$WORK/$name/nginx.conf"
  await_health "$listen" "nginx $name"
}

# The same number of database connections either way: one server with 16, or two with 8 each.
start_server 18101 16
start_server 18102 8
start_server 18103 8
start_nginx n1 127.0.0.1:18111 127.0.0.1:18101
start_nginx n2 127.0.0.1:18112 127.0.0.1:18102 127.0.0.1:18103
create_rush_event 18101 "$TOKEN" bench-rush 1000000
EVENT_ID=$(psql -X -tA "$DATABASE_URL" -c "SELECT id FROM events WHERE slug = 'bench-rush'")
# A million new seat rows: let the database settle them (statistics, a checkpoint) before measuring.
psql -X -q "$DATABASE_URL" -c "VACUUM ANALYZE free_seats" -c "CHECKPOINT"
EVENT_VERSION=$(psql -X -tA "$DATABASE_URL" -c "SELECT version FROM events WHERE slug = 'bench-rush'")

wrk_rps() {  # url [lua]
  local out
  out=$(BENCH_EVENT=bench-rush BENCH_RUN="$RANDOM$RANDOM" wrk -t 2 -c "$CONNECTIONS" -d "${SECONDS_PER_RUN}s" ${2:+-s "$2"} "$1")
  if grep -q "Non-2xx" <<<"$out"; then echo "$out" >&2; die "non-2xx answers from $1"; fi
  sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' <<<"$out"
}

{
  echo '\set n random(1, 9000000000000000)'
  echo '\set seat random(1, 1000000)'
  registration_statement "$BIN" "$EVENT_VERSION" false; echo ';'
} >"$WORK/a.sql"

say "registrations: $CONNECTIONS connections, ${SECONDS_PER_RUN}s each (after a short warm-up)"
SECONDS_PER_RUN=3 wrk_rps http://127.0.0.1:18112 "$CONVENE_REPO/bench/register.lua" >/dev/null
one=$(wrk_rps http://127.0.0.1:18111 "$CONVENE_REPO/bench/register.lua")
two=$(wrk_rps http://127.0.0.1:18112 "$CONVENE_REPO/bench/register.lua")
"${PGBENCH[@]}" -n -M prepared -f "$WORK/a.sql" -D event_id="$EVENT_ID" -c "$CONNECTIONS" -j 2 -T "$SECONDS_PER_RUN" "$DATABASE_URL" >"$WORK/pgbench.out" 2>&1
sql=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$WORK/pgbench.out")

# The feed, through nginx from convene's cache, and the same bytes as a static file.
curl -sf http://127.0.0.1:18112/api/v1/events/south-south-2021/calendar.ics -o "$WORK/feed.ics"
mkdir -p "$WORK/static/files"
cp "$WORK/feed.ics" "$WORK/static/files/calendar.ics"
chmod a+rx "$WORK" "$WORK/static" "$WORK/static/files" && chmod a+r "$WORK/static/files/calendar.ics"  # nginx's workers read it
cat >"$WORK/static/nginx.conf" <<EOF
worker_processes auto;
pid $WORK/static/nginx.pid;
error_log $WORK/static/error.log warn;
events { worker_connections 4096; }
http {
  access_log $WORK/static/access.log;
  server { listen 127.0.0.1:18113; root $WORK/static/files; }
}
EOF
/usr/sbin/nginx -p "$WORK/static" -c "$WORK/static/nginx.conf"
sleep 0.3
feed=$(wrk_rps http://127.0.0.1:18112/api/v1/events/south-south-2021/calendar.ics)
static=$(wrk_rps http://127.0.0.1:18113/calendar.ics)

printf '\n%-52s %10.0f req/s\n' "registrations through nginx, one server" "$one"
printf '%-52s %10.0f req/s  (%.0f%% of one server)\n' "registrations through nginx, two servers" "$two" "$(awk -v a="$two" -v b="$one" 'BEGIN{print 100*a/b}')"
printf '%-52s %10.0f tx/s   (the database ceiling on this machine)\n' "the registration's SQL, pgbench, $CONNECTIONS clients" "$sql"
printf '%-52s %10.0f req/s\n' "public feed through nginx, from convene's cache" "$feed"
printf '%-52s %10.0f req/s  -> feed = %.0f%% of static\n' "the same bytes as a static file, nginx" "$static" "$(awk -v a="$feed" -v b="$static" 'BEGIN{print 100*a/b}')"
