# Shared by deploy/serve.sh and deploy/test.sh (sourced, not run). Every step is idempotent.
# shellcheck shell=bash

CONVENE_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CONVENE_BUILD=${CONVENE_BUILD:-$CONVENE_REPO/build}

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# What the service needs to build and run (Debian 12 package names).
CONVENE_RUNTIME_PACKAGES=(
  build-essential cmake pkg-config ca-certificates tzdata
  libcpp-httplib-dev libpqxx-dev libhowardhinnant-date-dev nlohmann-json3-dev
  libssl-dev libcurl4-openssl-dev
  postgresql-15 postgresql-client-15
)
# What the test suite adds: GoogleTest, independent calendar parsers, a real SMTP server, a browser.
CONVENE_TEST_PACKAGES=(
  libgtest-dev libgmock-dev libbenchmark-dev libical-dev
  python3 python3-icalendar python3-aiosmtpd
  chromium curl procps util-linux nginx
  clang-16 libclang-rt-16-dev llvm-16  # fuzz/: libFuzzer and the sanitizers (clang 16: std::expected), llvm-symbolizer
  pgbackrest  # the restore drill (tests/drills/restore.py); deploy/backup.sh installs it where it runs
)
# Node.js for the browser tests: Debian's, unless a node with npm is already there (NodeSource's
# nodejs bundles npm and conflicts with Debian's npm package).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  CONVENE_TEST_PACKAGES+=(nodejs npm)
fi

# Installs the Debian packages of the given lists that are not installed yet.
install_packages() {
  local missing=() package
  for package in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed"; then
      missing+=("$package")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Configures and builds into $CONVENE_BUILD. Extra arguments go to cmake's configure step.
build_convene() {
  say "building convene in $CONVENE_BUILD"
  cmake -S "$CONVENE_REPO" -B "$CONVENE_BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$CONVENE_BUILD" -j "$(nproc)"
}
