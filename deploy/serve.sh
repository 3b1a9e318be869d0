#!/usr/bin/env bash
# Command 1: install what is missing, build, start the embedded PostgreSQL (unless DATABASE_URL is
# set), migrate, seed the South-South panel, and serve on http://127.0.0.1:8080 (Ctrl-C stops the
# server; PostgreSQL keeps running for the next start: `deploy/pg.sh stop` stops it).
# Extra arguments go to `convene serve` (e.g. --no-worker); --prepare only installs and builds.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

install_packages "${CONVENE_RUNTIME_PACKAGES[@]}"
build_convene -DBUILD_TESTING=OFF
# --prepare: install and build only (the container image does this once, at build time).
[ "${1:-}" = --prepare ] && exit 0

if [ -z "${DATABASE_URL:-}" ]; then
  "$CONVENE_REPO/deploy/pg.sh" start
  "$CONVENE_REPO/deploy/pg.sh" createdb convene
  DATABASE_URL=$("$CONVENE_REPO/deploy/pg.sh" url convene)
  export DATABASE_URL
fi
export SPOOL_DIR=${SPOOL_DIR:-$CONVENE_REPO/.spool}

"$CONVENE_BUILD/convene" migrate
"$CONVENE_BUILD/convene" seed "$CONVENE_REPO"/seed/*.json
say "serving on http://${HOST:-127.0.0.1}:${PORT:-8080} (the panel: /api/v1/events/south-south-2021)"
exec "$CONVENE_BUILD/convene" serve "$@"
