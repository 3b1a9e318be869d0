#!/usr/bin/env bash
# A replicated PostgreSQL 15 on one machine, for trying and testing failover: a primary and two
# streaming standbys, each made with pg_basebackup -R and a physical replication slot, and
# synchronous_standby_names = 'ANY 1 (...)' on the primary with synchronous_commit = on: a commit is
# acknowledged only once it is flushed on the primary and on at least one standby, and losing one
# standby does not stop commits. docs/operations.md ("Replication and failover") says why, and how to
# run the same across machines.
#
#   deploy/ha.sh start [NODE]     initialise (once) and start every node, or only NODE; idempotent
#   deploy/ha.sh stop             stop every node (fast shutdown; the primary first)
#   deploy/ha.sh status           one line per node; exit 0 when all three run and one is primary
#   deploy/ha.sh url [DBNAME]     a multi-host libpq URI of all three nodes with
#                                 target_session_attrs=read-write (default database: convene)
#   deploy/ha.sh primary          print the node that is primary now (exit 1 if none)
#   deploy/ha.sh kill NODE        SIGKILL the node's postmaster and all its processes ("machine lost")
#   deploy/ha.sh promote [NODE]   make a standby the primary (default: the one that received the most
#                                 WAL; NODE is refused if another standby received more) and point the
#                                 other standbys at it
#   deploy/ha.sh rebuild NODE     make a dead, stopped or old node a standby of the primary again
#                                 (fresh pg_basebackup)
#   deploy/ha.sh createdb NAME    create a database on the primary unless it exists
#   deploy/ha.sh psql NODE [ARGS] psql on that node as the cluster's superuser
#   deploy/ha.sh destroy          kill every node and delete the folder
#
# Nodes are node1, node2, node3; node1 is the first primary. Each standby's application_name and
# slot are its node name. Where: $CONVENE_HA_DIR or $CONVENE_REPO/.pg-ha (git-ignored; see
# cluster_root in deploy/pg-lib.sh for root and for checkouts the postgres user cannot enter), one
# data folder per node. The nodes listen on a unix socket only (in the folder's run/), on ports
# $CONVENE_HA_PORT, +1 and +2, by default 56000 + (hash of the checkout path) mod 900; the ports are
# fixed at the first start. CONVENE_HA_NOSYNC=1 (the drills in tests/drills) makes initdb and
# pg_basebackup return without waiting for their files to reach the disk: seconds instead of tens of
# seconds on a busy disk, at the price of a node an OS crash during its copy would leave unusable. The
# servers themselves always fsync.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/pg-lib.sh"

HA_LINK=${CONVENE_HA_DIR:-$CONVENE_REPO/.pg-ha}
PG_SUPERUSER=convene
NODES=(node1 node2 node3)
NOSYNC=()
[ "${CONVENE_HA_NOSYNC:-0}" = 1 ] && NOSYNC=(--no-sync)

usage() {
  echo "usage: $0 start [NODE]|stop|status|url [DB]|primary|kill NODE|promote [NODE]|rebuild NODE|createdb NAME|psql NODE [ARGS]|destroy" >&2
  exit 2
}

# destroy must not create the folder it is about to delete; every other command may.
if [ "${1:-}" = destroy ] && [ ! -e "$HA_LINK" ]; then
  exit 0
fi
ROOT=$(cluster_root "$HA_LINK")
ROOT_HASH=$(printf '%s' "$ROOT" | cksum | cut -d' ' -f1)
RUN=$ROOT/run
# A unix socket path must fit in 107 bytes; deep folders put the sockets in /tmp instead.
if [ $(( ${#RUN} + 20 )) -gt 100 ]; then
  RUN=/tmp/convene-ha-$ROOT_HASH
fi
case $RUN in *,*) die "the socket folder $RUN contains a comma, which a multi-host URI cannot carry" ;; esac

if [ -f "$ROOT/port" ]; then
  BASE_PORT=$(cat "$ROOT/port")
else
  BASE_PORT=${CONVENE_HA_PORT:-$((56000 + PATH_HASH % 900))}
fi

data_of() { printf '%s/%s' "$ROOT" "$1"; }
port_of() {
  local i
  for i in "${!NODES[@]}"; do
    if [ "${NODES[$i]}" = "$1" ]; then
      echo $((BASE_PORT + i))
      return
    fi
  done
  die "no node $1 (nodes: ${NODES[*]})"
}
check_node() { port_of "$1" >/dev/null; }

is_initialised() { [ -f "$(data_of "$1")/PG_VERSION" ]; }
# A process that exists and has not died (a SIGKILLed postmaster stays a zombie until its parent, often
# not a shell of ours, reaps it; pg_ctl status would take it for a running server).
is_alive() {
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  [[ $state != Z* ]]
}
postmaster_pid() { head -1 "$(data_of "$1")/postmaster.pid" 2>/dev/null; }
is_running() {
  local pid
  is_initialised "$1" || return 1
  pid=$(postmaster_pid "$1") && [ -n "$pid" ] && is_alive "$pid" && [ "$(ps -o comm= -p "$pid")" = postgres ]
}
is_standby() { [ -f "$(data_of "$1")/standby.signal" ]; }

sql_on() {  # NODE SQL: one value per line, unaligned
  local node=$1
  shift
  "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -tA -h "$RUN" -p "$(port_of "$node")" -U "$PG_SUPERUSER" -d postgres -c "$1"
}

# The node that runs and accepts writes; nothing when there is none.
current_primary() {
  local node
  for node in "${NODES[@]}"; do
    if is_running "$node" && [ "$(sql_on "$node" 'SELECT pg_is_in_recovery()' 2>/dev/null)" = f ]; then
      echo "$node"
      return
    fi
  done
}

# The node meant to be primary (written at initialisation and by promote).
recorded_primary() { cat "$ROOT/primary"; }

conninfo_to() {  # PRIMARY_NODE APPLICATION_NAME
  printf 'host=%s port=%s user=%s application_name=%s' "$RUN" "$(port_of "$1")" "$PG_SUPERUSER" "$2"
}

# synchronous_standby_names for PRIMARY: ANY 1 of the other nodes that are standbys (a node that was
# primary before a failover is not one until it is rebuilt).
sync_names_for() {
  local primary=$1 node names=()
  for node in "${NODES[@]}"; do
    if [ "$node" != "$primary" ] && is_initialised "$node" && is_standby "$node"; then
      names+=("$node")
    fi
  done
  local IFS=,
  printf 'ANY 1 (%s)' "${names[*]}"
}

set_sync_names() {  # NODE: that node's synchronous_standby_names, as primary (applied at once)
  local names
  names=$(sync_names_for "$1")
  sql_on "$1" "ALTER SYSTEM SET synchronous_standby_names = '$names'" >/dev/null
  sql_on "$1" 'SELECT pg_reload_conf()' >/dev/null
  say "$1: synchronous_standby_names = '$names'"
}

start_node() {
  local node=$1 data
  data=$(data_of "$node")
  is_running "$node" && return 0
  if ! is_standby "$node" && [ "$node" != "$(recorded_primary)" ]; then
    die "$node was primary before a failover and would now be a second primary: run '$0 rebuild $node' to make it a standby of $(recorded_primary)"
  fi
  say "starting $node on port $(port_of "$node")"
  run_as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$ROOT/$node.log" -w -t 60 \
    -o "-p $(port_of "$node") -k $RUN" start >/dev/null || { tail -20 "$ROOT/$node.log" >&2; die "$node did not start"; }
  # A standby that was down during a promotion still names the old primary.
  if is_standby "$node"; then
    follow "$node" "$(recorded_primary)"
  fi
}

follow() {  # STANDBY PRIMARY: point a running standby at PRIMARY, unless it streams from it already
  local standby=$1 primary=$2
  case " $(sql_on "$standby" 'SHOW primary_conninfo') " in
    *" port=$(port_of "$primary") "*) return 0 ;;
  esac
  say "pointing $standby at $primary"
  sql_on "$standby" "ALTER SYSTEM SET primary_conninfo = '$(conninfo_to "$primary" "$standby")'" >/dev/null
  sql_on "$standby" 'SELECT pg_reload_conf()' >/dev/null
}

# pg_basebackup of the current primary into NODE's (empty) folder, as a standby streaming through a
# slot named after it.
make_standby() {
  local node=$1 primary=$2 data
  data=$(data_of "$node")
  if [ "$(sql_on "$primary" "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '$node'")" = 1 ]; then
    sql_on "$primary" "SELECT pg_drop_replication_slot('$node')" >/dev/null
  fi
  say "copying $primary into $node (pg_basebackup -R, slot $node)"
  run_as_pg "$PG_BIN/pg_basebackup" -d "$(conninfo_to "$primary" "$node")" -D "$data" \
    -R -C -S "$node" -X stream -c fast "${NOSYNC[@]}"
}

init() {
  install_packages postgresql-15 postgresql-client-15
  mkdir -p "$RUN"
  [ "$(id -u)" = 0 ] && chown "$PG_OS_USER": "$RUN"
  chmod 700 "$RUN"
  if is_initialised node1; then
    [ -f "$ROOT/initialised" ] || die "an earlier initialisation of $ROOT stopped half-way: run '$0 destroy', then start again"
    return 0
  fi
  printf '%s\n' "$BASE_PORT" | run_as_pg tee "$ROOT/port" >/dev/null
  say "initialising the replicated PostgreSQL in $ROOT (ports $BASE_PORT-$((BASE_PORT + 2)))"
  run_as_pg "$PG_BIN/initdb" -D "$(data_of node1)" -U "$PG_SUPERUSER" --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 "${NOSYNC[@]}" >/dev/null
  run_as_pg tee -a "$(data_of node1)/postgresql.conf" >/dev/null <<EOF
# convene: a replicated cluster on one machine (deploy/ha.sh), reachable only through its sockets.
listen_addresses = ''
max_connections = 300
shared_buffers = 128MB
unix_socket_permissions = 0700
log_min_messages = warning
# Replication (the defaults of PostgreSQL 15, written out): WAL for standbys, walsenders, slots.
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
hot_standby = on
# A commit waits until its WAL is flushed here and on the synchronous standbys (set on the primary:
# synchronous_standby_names); 'on' and not 'remote_apply': a standby serves no reads for convene.
synchronous_commit = on
# A standby whose primary went away retries every second (default 5 s): a standby pointed at a new
# primary follows it sooner.
wal_retrieve_retry_interval = 1s
EOF
  printf '%s\n' node1 | run_as_pg tee "$ROOT/primary" >/dev/null
  start_node node1
  sql_on node1 "CREATE DATABASE convene" >/dev/null
  local node
  for node in node2 node3; do
    make_standby "$node" node1
  done
  set_sync_names node1
  run_as_pg touch "$ROOT/initialised"
}

start() {
  local only=${1:-} node
  [ -n "$only" ] && check_node "$only"
  init
  mkdir -p "$RUN"
  if [ -n "$only" ]; then
    start_node "$only"
    return
  fi
  # The primary first: a standby started without it waits for it anyway. The standbys together: a
  # standby that was not shut down cleanly first syncs its whole folder to disk, which takes seconds.
  start_node "$(recorded_primary)"
  local pids=() pid failed=0
  for node in "${NODES[@]}"; do
    if [ "$node" != "$(recorded_primary)" ]; then
      start_node "$node" &
      pids+=($!)
    fi
  done
  for pid in "${pids[@]}"; do
    wait "$pid" || failed=1
  done
  [ "$failed" = 0 ] || die "a node did not start (see above)"
}

stop() {
  local node primary
  primary=$(current_primary)
  # The primary first: its shutdown waits until its walsenders have sent all its WAL.
  local order=("${NODES[@]}")
  [ -n "$primary" ] && order=("$primary" "${NODES[@]}")
  for node in "${order[@]}"; do
    if is_running "$node"; then
      say "stopping $node"
      run_as_pg "$PG_BIN/pg_ctl" -D "$(data_of "$node")" -m fast -w -t 60 stop >/dev/null
    fi
  done
}

status() {
  local node ok=0 primaries=0 role detail
  for node in "${NODES[@]}"; do
    if ! is_initialised "$node"; then
      printf '%s  port %s  not initialised\n' "$node" "$(port_of "$node")"
      ok=1
      continue
    fi
    if ! is_running "$node"; then
      printf '%s  port %s  stopped\n' "$node" "$(port_of "$node")"
      ok=1
      continue
    fi
    if [ "$(sql_on "$node" 'SELECT pg_is_in_recovery()')" = f ]; then
      role=primary
      primaries=$((primaries + 1))
      detail=$(sql_on "$node" "SELECT string_agg(application_name || ' ' || state || ' ' || sync_state, ', ' ORDER BY application_name) FROM pg_stat_replication")
      detail="standbys: ${detail:-none}; synchronous_standby_names = '$(sql_on "$node" 'SHOW synchronous_standby_names')'"
    else
      role=standby
      detail=$(sql_on "$node" "SELECT coalesce(status || ' from port ' || sender_port, 'not streaming') FROM (SELECT 1) one LEFT JOIN pg_stat_wal_receiver ON true")
    fi
    printf '%s  port %s  %s  %s\n' "$node" "$(port_of "$node")" "$role" "$detail"
  done
  [ "$ok" = 0 ] && [ "$primaries" = 1 ]
}

encode() { printf '%s' "$1" | sed 's/%/%25/g; s/ /%20/g; s/&/%26/g; s/#/%23/g; s/=/%3D/g; s/+/%2B/g'; }

url() {
  local hosts ports node run
  run=$(encode "$RUN")
  hosts="$run,$run,$run"
  ports=""
  for node in "${NODES[@]}"; do
    ports="${ports:+$ports,}$(port_of "$node")"
  done
  printf 'postgresql://%s@/%s?host=%s&port=%s&target_session_attrs=read-write\n' \
    "$PG_SUPERUSER" "${1:-convene}" "$hosts" "$ports"
}

primary() {
  local node
  node=$(current_primary)
  [ -n "$node" ] || { echo "no node is primary" >&2; return 1; }
  echo "$node"
}

kill_node() {
  local node=$1 pid children
  is_running "$node" || { say "$node is not running"; return 0; }
  pid=$(postmaster_pid "$node")
  # Stopped first, so that it forks nothing between the listing of its children and the kill.
  kill -STOP "$pid"
  children=$(ps -o pid= --ppid "$pid" | tr -d ' ' | tr '\n' ' ')
  say "SIGKILL to $node (postmaster $pid and its processes $children)"
  kill -KILL "$pid"
  local child
  for child in $children; do
    # A child may have ended by itself since it was listed: nothing left to kill then.
    if ! kill -KILL "$child" 2>/dev/null && is_alive "$child"; then
      die "cannot kill $node's process $child"
    fi
  done
  local waited=0
  while is_alive "$pid"; do
    [ "$waited" -lt 200 ] || die "$node's postmaster $pid outlived SIGKILL for 10 s"
    sleep 0.05
    waited=$((waited + 1))
  done
  # It may stay a zombie for a while (its parent is not us), and a new postmaster takes a lock file
  # (and a socket lock file) naming a pid that still exists for another server's: it is dead, so its
  # locks go.
  local port
  port=$(port_of "$node")
  run_as_pg rm -f "$(data_of "$node")/postmaster.pid" "$RUN/.s.PGSQL.$port.lock" "$RUN/.s.PGSQL.$port"
}

# How far a standby received WAL (or replayed it, if it streamed nothing since it started): the
# receive position of a walreceiver whose primary is gone stays at what it flushed.
received_lsn() {
  sql_on "$1" "SELECT CASE WHEN r IS NULL OR r < p THEN p ELSE r END
               FROM (SELECT pg_last_wal_receive_lsn() AS r, pg_last_wal_replay_lsn() AS p) x"
}

promote() {
  local node=${1:-} other best best_lsn lsn primary
  primary=$(current_primary)
  [ -z "$primary" ] || die "$primary is primary and running: a second primary would split the cluster (kill or stop it first)"
  # Every acknowledged commit is on at least one standby, but not necessarily on every one: the
  # standby to promote is the one that received the most.
  best=""
  best_lsn=""
  for other in "${NODES[@]}"; do
    if ! is_running "$other" || ! is_standby "$other"; then continue; fi
    lsn=$(received_lsn "$other")
    if [ -z "$best" ] || [ "$(sql_on "$other" "SELECT '$lsn'::pg_lsn > '$best_lsn'::pg_lsn")" = t ]; then
      best=$other
      best_lsn=$lsn
    fi
  done
  [ -n "$best" ] || die "no standby is running"
  for other in "${NODES[@]}"; do
    if is_initialised "$other" && is_standby "$other" && ! is_running "$other"; then
      say "warning: standby $other is down: commits acknowledged by it alone (ANY 1) are lost unless it is promoted instead, once it runs"
    fi
  done
  if [ -z "$node" ]; then
    node=$best
  else
    check_node "$node"
    if ! is_running "$node" || ! is_standby "$node"; then die "$node is not a running standby"; fi
    lsn=$(received_lsn "$node")
    if [ "$(sql_on "$node" "SELECT '$lsn'::pg_lsn < '$best_lsn'::pg_lsn")" = t ]; then
      die "$node received WAL up to $lsn, $best up to $best_lsn: promote $best, or commits acknowledged to clients would be lost"
    fi
  fi
  # Slots for the nodes that will stream from it, and the standbys it waits for, set before it
  # becomes primary: it never waits for a standby that is gone.
  for other in "${NODES[@]}"; do
    [ "$other" = "$node" ] && continue
    if [ "$(sql_on "$node" "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '$other'")" = 0 ]; then
      sql_on "$node" "SELECT pg_create_physical_replication_slot('$other', true)" >/dev/null
    fi
  done
  local names others=()
  names=$(sync_names_for "$node")
  for other in "${NODES[@]}"; do
    if [ "$other" != "$node" ] && is_initialised "$other" && is_standby "$other"; then
      others+=("$other")
    fi
  done
  sql_on "$node" "ALTER SYSTEM SET synchronous_standby_names = '$names'" >/dev/null
  sql_on "$node" 'SELECT pg_reload_conf()' >/dev/null
  say "promoting $node (WAL received up to $(received_lsn "$node")); synchronous_standby_names = '$names'"
  run_as_pg "$PG_BIN/pg_ctl" -D "$(data_of "$node")" -w -t 60 promote >/dev/null
  printf '%s\n' "$node" | run_as_pg tee "$ROOT/primary" >/dev/null
  # The other standbys follow the new timeline (recovery_target_timeline is 'latest').
  # A standby that is down follows when it starts (start_node), if its WAL did not go past the point
  # where the new primary's timeline begins; otherwise: rebuild it.
  for other in "${others[@]}"; do
    if is_running "$other"; then
      follow "$other" "$node"
    fi
  done
  wait_for_sync_standby "$node" 15 || say "warning: no synchronous standby streams from $node after 15 s: its commits wait"
}

wait_for_sync_standby() {  # PRIMARY SECONDS [NAME]
  local primary=$1 tries=$(($2 * 10)) which=""
  [ -n "${3:-}" ] && which=" AND application_name = '$3'"
  while [ "$tries" -gt 0 ]; do
    if [ "$(sql_on "$primary" "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming' AND sync_state IN ('sync', 'quorum')$which")" != 0 ]; then
      return 0
    fi
    sleep 0.1
    tries=$((tries - 1))
  done
  return 1
}

rebuild() {
  local node=$1 primary
  check_node "$node"
  primary=$(current_primary)
  [ -n "$primary" ] || die "no primary is running to copy"
  [ "$node" != "$primary" ] || die "$node is the primary"
  if is_running "$node"; then
    say "stopping $node"
    run_as_pg "$PG_BIN/pg_ctl" -D "$(data_of "$node")" -m immediate -w -t 60 stop >/dev/null
  fi
  run_as_pg rm -rf "$(data_of "$node")"
  make_standby "$node" "$primary"
  start_node "$node"
  set_sync_names "$primary"
  wait_for_sync_standby "$primary" 30 "$node" || die "$node does not stream from $primary"
}

createdb() {
  local name=$1 primary
  primary=$(current_primary)
  [ -n "$primary" ] || die "no primary is running"
  if [ "$(sql_on "$primary" "SELECT count(*) FROM pg_database WHERE datname = '$name'")" = 0 ]; then
    sql_on "$primary" "CREATE DATABASE \"$name\"" >/dev/null
  fi
}

destroy() {
  local node
  # Only a folder this script made (or an empty one) is deleted.
  if [ -n "$(ls -A "$ROOT")" ] && [ ! -f "$ROOT/port" ]; then
    die "$ROOT is not a folder of deploy/ha.sh (no port file): not deleting it"
  fi
  for node in "${NODES[@]}"; do
    is_running "$node" && kill_node "$node"
  done
  say "deleting $ROOT"
  rm -rf "$ROOT" "$RUN"
  if [ -L "$HA_LINK" ]; then rm -f "$HA_LINK"; fi
  return 0
}

case "${1:-}" in
  start) start "${2:-}" ;;
  stop) stop ;;
  status) status ;;
  url) url "${2:-}" ;;
  primary) primary ;;
  kill) [ $# -eq 2 ] || usage; check_node "$2"; kill_node "$2" ;;
  promote) promote "${2:-}" ;;
  rebuild) [ $# -eq 2 ] || usage; rebuild "$2" ;;
  createdb) [ $# -eq 2 ] || usage; createdb "$2" ;;
  psql) [ $# -ge 2 ] || usage; check_node "$2"; node=$2; shift 2
        "$PG_BIN/psql" -X -h "$RUN" -p "$(port_of "$node")" -U "$PG_SUPERUSER" -d postgres "$@" ;;
  destroy) destroy ;;
  *) usage ;;
esac
