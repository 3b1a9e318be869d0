#!/usr/bin/env bash
# The embedded PostgreSQL 15 cluster: private to this checkout, listening on a unix socket in its
# folder and on 127.0.0.1 only.
#
#   deploy/pg.sh start          initialise (once) and start; idempotent
#   deploy/pg.sh stop           stop (fast shutdown: sessions are ended, nothing committed is lost)
#   deploy/pg.sh status         exit 0 when running
#   deploy/pg.sh url [DBNAME]   print the libpq URI of a database in it (default: convene)
#   deploy/pg.sh createdb NAME  create a database unless it exists
#   deploy/pg.sh psql [ARGS]    psql as the cluster's superuser
#   deploy/pg.sh paths          print PG_ROOT, PG_DATA, PG_RUN, PG_PORT, PG_SUPERUSER as shell
#                               assignments (for deploy/backup.sh: one place decides them)
#
# Where: $CONVENE_REPO/.pg (git-ignored; see cluster_root in deploy/pg-lib.sh for root and for
# checkouts the postgres user cannot enter), or $CONVENE_PG_DIR (a cluster elsewhere, e.g. a test's
# own in a temporary folder; its parent must let the server's user in). Port: 55000 + (hash of the
# checkout path, or of $CONVENE_PG_DIR) mod 900, or $CONVENE_PG_PORT.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/pg-lib.sh"

PG_LINK=$CONVENE_REPO/.pg
PG_SUPERUSER=convene

if [ -n "${CONVENE_PG_DIR:-}" ]; then
  mkdir -p "$CONVENE_PG_DIR"
  [ "$(id -u)" = 0 ] && chown "$PG_OS_USER": "$CONVENE_PG_DIR"
  chmod 700 "$CONVENE_PG_DIR"
  ROOT=$(readlink -f "$CONVENE_PG_DIR")
  # Port and socket folder follow the folder, not the checkout: it may run beside the checkout's.
  PATH_HASH=$(printf '%s' "$ROOT" | cksum | cut -d' ' -f1)
else
  ROOT=$(cluster_root "$PG_LINK")
fi
PG_PORT=${CONVENE_PG_PORT:-$((55000 + PATH_HASH % 900))}
DATA=$ROOT/data
RUN=$ROOT/run
# A unix socket path must fit in 107 bytes; deep checkouts put the socket in /tmp instead.
if [ $(( ${#RUN} + 20 )) -gt 100 ]; then
  RUN=/tmp/convene-pg-$PATH_HASH
fi

is_running() { [ -f "$DATA/PG_VERSION" ] && run_as_pg "$PG_BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

start() {
  install_packages postgresql-15 postgresql-client-15
  mkdir -p "$RUN"
  [ "$(id -u)" = 0 ] && chown "$PG_OS_USER": "$RUN"
  chmod 700 "$RUN"
  if [ ! -f "$DATA/PG_VERSION" ]; then
    say "initialising the embedded PostgreSQL cluster in $DATA"
    run_as_pg "$PG_BIN/initdb" -D "$DATA" -U "$PG_SUPERUSER" --auth-local=trust --auth-host=scram-sha-256 \
      --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    run_as_pg tee -a "$DATA/postgresql.conf" >/dev/null <<EOF
# convene: private cluster, reachable only from this machine.
listen_addresses = '127.0.0.1'
max_connections = 300
shared_buffers = 256MB
unix_socket_permissions = 0700
log_min_messages = warning
EOF
  fi
  if is_running; then
    return 0
  fi
  say "starting PostgreSQL on port $PG_PORT (socket in $RUN)"
  run_as_pg "$PG_BIN/pg_ctl" -D "$DATA" -l "$ROOT/postgres.log" -w -t 60 \
    -o "-p $PG_PORT -k $RUN" start >/dev/null || { tail -20 "$ROOT/postgres.log" >&2; die "PostgreSQL did not start"; }
}

stop() {
  if is_running; then
    say "stopping PostgreSQL"
    run_as_pg "$PG_BIN/pg_ctl" -D "$DATA" -m fast -w -t 60 stop >/dev/null
  fi
}

# The socket directory as a query value of a libpq URI (percent-encoding what would end the value).
encoded_run() { printf '%s' "$RUN" | sed 's/%/%25/g; s/ /%20/g; s/&/%26/g; s/#/%23/g; s/=/%3D/g; s/+/%2B/g'; }

url() { printf 'postgresql://%s@/%s?host=%s&port=%s\n' "$PG_SUPERUSER" "${1:-convene}" "$(encoded_run)" "$PG_PORT"; }

psql_admin() { psql -X -q -h "$RUN" -p "$PG_PORT" -U "$PG_SUPERUSER" -d postgres "$@"; }

createdb() {
  local name=$1
  if [ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'")" != 1 ]; then
    psql_admin -c "CREATE DATABASE \"$name\""
  fi
}

paths() {
  printf 'PG_ROOT=%q\nPG_DATA=%q\nPG_RUN=%q\nPG_PORT=%q\nPG_SUPERUSER=%q\n' "$ROOT" "$DATA" "$RUN" "$PG_PORT" "$PG_SUPERUSER"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) is_running ;;
  url) url "${2:-}" ;;
  createdb) createdb "$2" ;;
  psql) shift; psql_admin "$@" ;;
  paths) paths ;;
  *) echo "usage: $0 start|stop|status|url [DB]|createdb NAME|psql [ARGS]|paths" >&2; exit 2 ;;
esac
