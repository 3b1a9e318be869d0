#!/usr/bin/env bash
# Backups of the embedded PostgreSQL cluster (deploy/pg.sh) with pgBackRest: continuous WAL archiving,
# base backups, and restores to any point in time the archive covers.
#
#   deploy/backup.sh enable            archive every WAL segment through pgBackRest (restarts the
#                                      cluster, which ends its sessions), create the stanza, check
#   deploy/backup.sh disable           stop archiving (restarts the cluster); backups stay
#   deploy/backup.sh backup [full|diff|incr]
#                                      a base backup while the server runs (default incr; the first
#                                      one is always full)
#   deploy/backup.sh restore-point NAME
#                                      a named point to restore to (pg_create_restore_point), and
#                                      the WAL holding it archived before this returns
#   deploy/backup.sh info              the backups and the WAL range the repository holds
#   deploy/backup.sh check             archiving works (switches WAL, waits for it in the repository)
#   deploy/backup.sh restore (--target TIME | --name POINT | --latest) [--set LABEL] [--into DIR]
#                                      point-in-time recovery. Without --into: into the cluster's data
#                                      folder, with the server stopped (the old folder is moved aside,
#                                      never deleted); the server is then started, replays WAL up to
#                                      the target and opens for writes on a new timeline. With --into:
#                                      into DIR (new or empty), not started, with archiving off (a copy
#                                      must not archive into the original's stanza).
#                                      TIME as PostgreSQL reads it, e.g. "2026-03-01 12:00:00+00".
#
# Where (git-ignored): $CONVENE_REPO/.backup, or $CONVENE_BACKUP_DIR. It holds pgbackrest.conf
# (written by `enable`, mode 600), conf.d/ (your own pgBackRest options, e.g. a second repository
# on S3 or SFTP: read after pgbackrest.conf), log/, lock/ and, unless $CONVENE_BACKUP_REPO names
# another folder, the repository itself (repo/). A repository on the database's own disk is no
# protection against losing that disk: put it elsewhere (CONVENE_BACKUP_REPO on another disk or
# mount, or a repo2 in conf.d).
#
# At `enable` only (pgBackRest fixes them when the stanza is created or reads them on each run):
#   CONVENE_BACKUP_CIPHER_PASS     encrypt the repository (aes-256-cbc) with this passphrase; the
#                                  backups hold personal data in clear otherwise
#   CONVENE_BACKUP_RETENTION_FULL  full backups kept (older ones and their WAL expire) [2]
#   CONVENE_BACKUP_PROCESSES       parallel processes of backup and restore [1]
#   CONVENE_ARCHIVE_TIMEOUT        seconds after which a WAL segment with changes is archived even
#                                  if not full: the most a lost disk loses [60]
# The cluster is the one deploy/pg.sh runs (CONVENE_PG_DIR, CONVENE_PG_PORT apply). As root,
# PostgreSQL and pgBackRest run as the `postgres` user.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/pg-lib.sh"

PG_SH=$CONVENE_REPO/deploy/pg.sh
STANZA=convene
eval "$("$PG_SH" paths)"  # PG_ROOT, PG_DATA, PG_RUN, PG_PORT, PG_SUPERUSER

if [ -n "${CONVENE_BACKUP_DIR:-}" ]; then
  mkdir -p "$CONVENE_BACKUP_DIR"
  [ "$(id -u)" = 0 ] && chown "$PG_OS_USER": "$CONVENE_BACKUP_DIR"
  chmod 700 "$CONVENE_BACKUP_DIR"
  BACKUP_DIR=$(readlink -f "$CONVENE_BACKUP_DIR")
else
  BACKUP_DIR=$(cluster_root "$CONVENE_REPO/.backup")
fi
CONF=$BACKUP_DIR/pgbackrest.conf
REPO=${CONVENE_BACKUP_REPO:-$BACKUP_DIR/repo}

# archive_command is a shell command line run by the server, holding these paths.
case "$BACKUP_DIR$PG_DATA" in
  *[\'\"\\\$\`]*) die "the backup and data folders may not hold quotes, backslashes, \$ or backquotes" ;;
esac

pgbackrest_as_pg() { run_as_pg pgbackrest --config-path="$BACKUP_DIR" --stanza="$STANZA" "$@"; }
psql_admin() { "$PG_SH" psql "$@"; }
is_running() { "$PG_SH" status; }
need_config() { [ -f "$CONF" ] || die "no $CONF: run '$0 enable' first"; }

# A folder the server's user owns, mode 700.
owned_folder() {
  mkdir -p "$1"
  [ "$(id -u)" = 0 ] && chown "$PG_OS_USER": "$1"
  chmod 700 "$1"
}

write_config() {
  owned_folder "$BACKUP_DIR/conf.d"
  owned_folder "$BACKUP_DIR/log"
  owned_folder "$BACKUP_DIR/lock"
  owned_folder "$REPO"
  local cipher=""
  if [ -n "${CONVENE_BACKUP_CIPHER_PASS:-}" ]; then
    cipher=$'repo1-cipher-type=aes-256-cbc\nrepo1-cipher-pass='$CONVENE_BACKUP_CIPHER_PASS
  fi
  local text
  text=$(cat <<EOF
# Written by deploy/backup.sh enable; your own options go in conf.d/*.conf.
[global]
repo1-path=$REPO
repo1-retention-full=${CONVENE_BACKUP_RETENTION_FULL:-2}
$cipher
compress-type=zst
process-max=${CONVENE_BACKUP_PROCESSES:-1}
start-fast=y
log-path=$BACKUP_DIR/log
lock-path=$BACKUP_DIR/lock
log-level-console=warn
log-level-file=info

[$STANZA]
pg1-path=$PG_DATA
pg1-socket-path=$PG_RUN
pg1-port=$PG_PORT
pg1-user=$PG_SUPERUSER
EOF
)
  # Created with its mode before the passphrase goes in.
  (umask 077 && printf '%s\n' "$text" >"$CONF.new")
  [ "$(id -u)" = 0 ] && chown "$PG_OS_USER": "$CONF.new"
  mv "$CONF.new" "$CONF"
}

restart_cluster() {
  "$PG_SH" stop
  "$PG_SH" start
}

enable() {
  install_packages pgbackrest
  "$PG_SH" start
  write_config
  local command="pgbackrest --config-path=\"$BACKUP_DIR\" --stanza=$STANZA archive-push %p"
  local current
  current=$(psql_admin -tAc "SELECT current_setting('archive_mode') || ' ' || current_setting('archive_command')")
  psql_admin -c "ALTER SYSTEM SET archive_mode = on" \
             -c "ALTER SYSTEM SET archive_command = '$command'" \
             -c "ALTER SYSTEM SET archive_timeout = '${CONVENE_ARCHIVE_TIMEOUT:-60}s'" \
             -c "ALTER SYSTEM SET wal_level = replica"
  if [ "$current" != "on $command" ]; then
    say "restarting PostgreSQL with WAL archiving on"
    restart_cluster
  else
    psql_admin -tAc "SELECT pg_reload_conf()" >/dev/null
  fi
  say "creating the stanza '$STANZA' in $REPO"
  pgbackrest_as_pg stanza-create
  pgbackrest_as_pg check
  say "WAL archiving is on: take a first backup with '$0 backup full'"
}

disable() {
  psql_admin -c "ALTER SYSTEM RESET archive_mode" -c "ALTER SYSTEM RESET archive_command" \
             -c "ALTER SYSTEM RESET archive_timeout"
  say "restarting PostgreSQL without WAL archiving (the repository keeps what it holds)"
  restart_cluster
}

backup() {
  need_config
  local type=${1:-incr}
  case "$type" in full|diff|incr) ;; *) die "backup type: full, diff or incr" ;; esac
  is_running || die "PostgreSQL is not running (deploy/pg.sh start)"
  say "taking a backup (type $type)"
  pgbackrest_as_pg backup --type="$type"
  pgbackrest_as_pg info
}

restore_point() {
  need_config
  local name=${1:-}
  [ -n "$name" ] || die "usage: $0 restore-point NAME"
  case "$name" in *\'*) die "a restore point's name may not hold a quote" ;; esac
  psql_admin -tAc "SELECT 'restore point ' || '$name' || ' at ' || pg_create_restore_point('$name') || ', ' || now()"
  # Switches to a new WAL segment and waits until the one holding the point is in the repository.
  pgbackrest_as_pg check
}

restore() {
  need_config
  local type="" target="" set="" into=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --target) type="time"; target=${2:?--target TIME}; shift 2 ;;
      --name) type=name; target=${2:?--name POINT}; shift 2 ;;
      --latest) type=default; shift ;;
      --set) set=${2:?--set LABEL}; shift 2 ;;
      --into) into=${2:?--into DIR}; shift 2 ;;
      *) die "unknown restore option $1" ;;
    esac
  done
  [ -n "$type" ] || die "usage: $0 restore (--target TIME | --name POINT | --latest) [--set LABEL] [--into DIR]"
  local options=(--type="$type")
  [ -n "$target" ] && options+=(--target="$target" --target-action=promote)
  [ -n "$set" ] && options+=(--set="$set")

  if [ -n "$into" ]; then
    [ -z "$(ls -A "$into" 2>/dev/null)" ] || die "$into is not empty"
    owned_folder "$into"
    into=$(readlink -f "$into")
    say "restoring into $into (not started; archiving off in the copy)"
    pgbackrest_as_pg restore "${options[@]}" --pg1-path="$into" --archive-mode=off
    say "restored; start it with: $PG_BIN/pg_ctl -D $into -o '-p PORT -k $into' start" \
        "(as $PG_OS_USER), then convene migrate and convene restore-floor on it"
    return
  fi

  is_running && die "PostgreSQL is running: stop every convene process, then deploy/pg.sh stop"
  local aside=""
  if [ -d "$PG_DATA" ]; then
    aside=$PG_DATA.before-restore-$(date -u +%Y%m%dT%H%M%SZ)
    mv "$PG_DATA" "$aside"
    say "the data folder as it was is kept in $aside (its pg_wal may hold changes no archive has)"
  fi
  owned_folder "$PG_DATA"
  say "restoring into $PG_DATA (${options[*]})"
  local started=$SECONDS
  pgbackrest_as_pg restore "${options[@]}"
  "$PG_SH" start
  # The server replays the archive up to the target, then promotes itself (a new timeline). Until
  # then it answers read-only; if the archive ends before the target, it stops with a FATAL.
  local patience=$((SECONDS + ${CONVENE_RESTORE_TIMEOUT:-600}))
  while [ "$(psql_admin -tAc 'SELECT pg_is_in_recovery()' 2>/dev/null || echo gone)" != f ]; do
    if ! is_running; then
      tail -20 "$PG_ROOT/postgres.log" >&2
      die "PostgreSQL stopped during recovery (was the target within the archive?)"
    fi
    [ $SECONDS -lt "$patience" ] || die "recovery did not end within ${CONVENE_RESTORE_TIMEOUT:-600} s"
    sleep 0.2
  done
  local timeline
  # The first 8 hex digits of a WAL file's name are its timeline.
  timeline=$(psql_admin -tAc "SELECT ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int")
  say "restored and open for writes in $((SECONDS - started)) s (timeline $timeline)"
  say "next: convene migrate; convene restore-floor; then serve; then '$0 backup full'"
}

case "${1:-}" in
  enable) enable ;;
  disable) disable ;;
  backup) shift; backup "$@" ;;
  restore-point) shift; restore_point "$@" ;;
  info) need_config; pgbackrest_as_pg info ;;
  check) need_config; pgbackrest_as_pg check ;;
  restore) shift; restore "$@" ;;
  *) echo "usage: $0 enable|disable|backup [full|diff|incr]|restore-point NAME|info|check|restore ..." >&2; exit 2 ;;
esac
