# What the scripts that run PostgreSQL clusters share (sourced after lib.sh, not run): the server
# binaries, the OS user the server runs as, and where a cluster's folder lives.
# shellcheck shell=bash

PG_BIN=/usr/lib/postgresql/15/bin
PATH_HASH=$(printf '%s' "$CONVENE_REPO" | cksum | cut -d' ' -f1)

# PostgreSQL refuses to run as root, so when run as root the server runs as the unprivileged
# `postgres` user (it comes with the postgresql-15 package).
if [ "$(id -u)" = 0 ]; then
  PG_OS_USER=postgres
  run_as_pg() { runuser -u "$PG_OS_USER" -- "$@"; }
else
  PG_OS_USER=$(id -un)
  run_as_pg() { "$@"; }
fi

# Prints the folder a cluster lives in, given its link in the checkout (e.g. $CONVENE_REPO/.pg),
# creating it on first use. If the server's user cannot enter the checkout (a clone under /root,
# mode 700), the folder is /var/lib/convene/NAME-<hash of the checkout path> (NAME: the link's name
# without its dot) and the link is a symlink to it.
cluster_root() {
  local link=$1
  if [ -e "$link" ]; then
    readlink -f "$link"
    return
  fi
  if [ "$(id -u)" = 0 ]; then
    id "$PG_OS_USER" >/dev/null 2>&1 || die "user $PG_OS_USER missing (it comes with the postgresql-15 package)"
    mkdir -p "$link"
    chown "$PG_OS_USER": "$link"
    chmod 700 "$link"
    if ! run_as_pg test -w "$link" 2>/dev/null; then
      rmdir "$link"
      local name elsewhere
      name=$(basename "$link")
      elsewhere=/var/lib/convene/${name#.}-$PATH_HASH
      mkdir -p "$elsewhere"
      chmod 755 /var/lib/convene
      chown "$PG_OS_USER": "$elsewhere"
      chmod 700 "$elsewhere"
      ln -s "$elsewhere" "$link"
    fi
  else
    mkdir -p "$link"
    chmod 700 "$link"
  fi
  readlink -f "$link"
}
