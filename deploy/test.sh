#!/usr/bin/env bash
# Command 2: the same set-up as deploy/serve.sh, then the whole test suite through ctest: first the
# unit and integration tests built with AddressSanitizer and UndefinedBehaviorSanitizer (in
# build-sanitize/), then everything (unit, integration, iCalendar parsers, browser, OpenAPI, deploy
# configuration, and a bounded run of each fuzzer) in the normal build, whose summary comes last.
# The embedded PostgreSQL is stopped again at the end if this script started it. Extra arguments go
# to both ctest runs (e.g. -R Registration). CONVENE_SANITIZERS=off skips the sanitizer pass.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

install_packages "${CONVENE_RUNTIME_PACKAGES[@]}" "${CONVENE_TEST_PACKAGES[@]}"
build_convene -DBUILD_TESTING=ON
# The tests' npm packages, exactly as their package-lock.json files pin them: playwright-core drives
# Debian's chromium and axe-core scans the pages (tests/browser); swagger-parser validates the
# OpenAPI document (tests/openapi).
for folder in browser openapi; do
  if [ -f "$CONVENE_REPO/tests/$folder/package-lock.json" ]; then
    say "installing the npm packages of tests/$folder"
    npm ci --prefix "$CONVENE_REPO/tests/$folder" --no-audit --no-fund --loglevel=error
  fi
done

started_pg=no
if [ -z "${DATABASE_URL:-}" ]; then
  if ! "$CONVENE_REPO/deploy/pg.sh" status; then
    started_pg=yes
  fi
  "$CONVENE_REPO/deploy/pg.sh" start
  CONVENE_TEST_DATABASE_URL=$("$CONVENE_REPO/deploy/pg.sh" url postgres)
  CONVENE_TEST_PG_CONTROL="$CONVENE_REPO/deploy/pg.sh"
else
  # An external server: tests create their own databases in it, so the role needs CREATEDB.
  # Tests that stop and start PostgreSQL are skipped (they need the embedded cluster).
  CONVENE_TEST_DATABASE_URL=$DATABASE_URL
  CONVENE_TEST_PG_CONTROL=
fi
export CONVENE_TEST_DATABASE_URL CONVENE_TEST_PG_CONTROL
cleanup() { if [ "$started_pg" = yes ]; then "$CONVENE_REPO/deploy/pg.sh" stop; fi; }
trap cleanup EXIT

sanitizers=pass
if [ "${CONVENE_SANITIZERS:-on}" != off ]; then
  say "building the unit and integration tests with ASan and UBSan in $CONVENE_REPO/build-sanitize"
  CONVENE_BUILD=$CONVENE_REPO/build-sanitize build_convene -DBUILD_TESTING=ON -DCONVENE_SANITIZE=ON
  say "running the unit and integration tests under the sanitizers"
  # Any report fails the test that triggered it (UBSan does not recover; ASan aborts), except the
  # library leaks listed, with their reasons, in tests/lsan.supp.
  (cd "$CONVENE_REPO/build-sanitize" &&
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
      LSAN_OPTIONS="suppressions=$CONVENE_REPO/tests/lsan.supp:print_suppressions=0" \
      ctest --output-on-failure --timeout 900 -j "$(nproc)" -L 'unit|integration' "$@") || sanitizers=fail
fi

say "running the test suite"
cd "$CONVENE_BUILD"
status=0
ctest --output-on-failure --timeout 900 -j "$(nproc)" "$@" || status=$?
if [ "$sanitizers" = fail ]; then
  echo "The sanitizer pass (build-sanitize) failed: see its output above." >&2
  [ "$status" = 0 ] && status=1
fi
exit "$status"
