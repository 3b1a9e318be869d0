#!/usr/bin/env bash
# Debian 12's own Node.js 18 for the test suite, on a machine whose `node` is another version (say
# NodeSource's 20): the browser and OpenAPI tests run under it too (tests/CMakeLists.txt, *.node18),
# so that an npm package bump that breaks Node 18 fails here and not on a plain Debian 12, where
# `apt install nodejs npm` gives Node 18.20 and npm 9.2.
#
#   debian-node18.sh DIR fetch          downloads and unpacks Debian's node 18 into DIR (idempotent)
#   debian-node18.sh DIR node ARGS...   runs that node with ARGS (fetching it first if needed)
#
# When the `node` on PATH already is 18.x, `node` runs it and `fetch` does nothing.
# Otherwise `fetch` takes Debian's nodejs and libnode108 packages (the newest 18.x that apt offers,
# one version for both), the three packages whose files that node loads at start-up from
# /usr/share/nodejs (acorn, cjs-module-lexer and undici: Debian builds node with them unbundled),
# and those of libnode108's libraries that are not installed, with `apt-get download`, and unpacks
# them with `dpkg-deb -x` into DIR/root. Nothing is installed; nothing outside DIR changes.
# Because that node reads its built-in modules from the absolute path /usr/share/nodejs, `node`
# runs it in a mount namespace of its own (unshare) in which DIR/root/usr/share is laid over
# /usr/share (a read-only overlay: /usr/share stays visible beneath it). That needs root, or
# unprivileged user namespaces (then --map-root-user is added).
set -euo pipefail

die() { printf 'debian-node18.sh: %s\n' "$*" >&2; exit 1; }
[ $# -ge 2 ] || die "usage: debian-node18.sh DIR fetch | DIR node ARGS..."
dir=$1
action=$2
shift 2

system_node_is_18() {
  command -v node >/dev/null 2>&1 && [[ "$(node --version 2>/dev/null)" == v18.* ]]
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# The newest nodejs 18.x that apt offers (Debian 12: bookworm or bookworm-security).
newest_node18() {
  local best="" version
  for version in $(apt-cache madison nodejs | awk -F'|' '{gsub(/ /, "", $2); print $2}'); do
    [[ "$version" == 18.* ]] || continue
    if [ -z "$best" ] || dpkg --compare-versions "$version" gt "$best"; then best=$version; fi
  done
  printf '%s' "$best"
}

fetch() {
  local version packages=() library stamp=$dir/root/.debian-node18
  version=$(newest_node18)
  if [ -z "$version" ]; then
    # Stale package lists can name files the mirror no longer has: refresh them once.
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
    version=$(newest_node18)
  fi
  [ -n "$version" ] || die "apt offers no nodejs 18.x (apt-cache madison nodejs): this script expects Debian 12's"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$version" ] && [ -x "$dir/root/usr/bin/node" ]; then
    return 0
  fi
  packages=("nodejs=$version" "libnode108=$version" node-acorn node-cjs-module-lexer node-undici)
  for library in $(apt-cache depends "libnode108=$version" | awk '$1 == "Depends:" && $2 ~ /^lib/ {print $2}'); do
    if ! dpkg-query -W -f='${Status}' "$library" 2>/dev/null | grep -q "ok installed"; then
      packages+=("$library")
    fi
  done
  printf 'debian-node18.sh: fetching %s into %s\n' "${packages[*]}" "$dir" >&2
  rm -rf "$dir/debs" "$dir/root"
  mkdir -p "$dir/debs" "$dir/root"
  if ! (cd "$dir/debs" && apt-get download -q "${packages[@]}" >&2); then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
    (cd "$dir/debs" && apt-get download -q "${packages[@]}" >&2) || die "apt-get download ${packages[*]} failed"
  fi
  local deb
  for deb in "$dir"/debs/*.deb; do dpkg-deb -x "$deb" "$dir/root"; done
  [ -x "$dir/root/usr/bin/node" ] || die "no usr/bin/node in the unpacked packages"
  printf '%s' "$version" >"$stamp"
}

case $action in
  fetch)
    if system_node_is_18; then
      printf 'debian-node18.sh: the node on PATH is %s: nothing to fetch\n' "$(node --version)" >&2
      exit 0
    fi
    # Two test entries may ask at once: one fetches, the other waits for it.
    mkdir -p "$dir"
    exec 9>"$dir/.lock"
    flock 9
    fetch
    printf 'debian-node18.sh: Debian nodejs %s in %s/root\n' "$(cat "$dir/root/.debian-node18")" "$dir" >&2
    ;;
  node)
    if system_node_is_18; then
      printf 'debian-node18.sh: running the node on PATH, %s\n' "$(node --version)" >&2
      exec node "$@"
    fi
    mkdir -p "$dir"
    (exec 9>"$dir/.lock"; flock 9; fetch)
    root=$(cd "$dir/root" && pwd)
    printf "debian-node18.sh: running Debian's node %s from %s\n" "$(cat "$root/.debian-node18")" "$root" >&2
    namespace=(unshare --mount --propagation private)
    [ "$(id -u)" = 0 ] || namespace=(unshare --user --map-root-user --mount --propagation private)
    libnode=$(find "$root/usr/lib" -name 'libnode.so.*' -print -quit)
    [ -n "$libnode" ] || die "no libnode.so in $root/usr/lib"
    # The overlay's lower layers, top first: the unpacked packages' usr/share, then the real one.
    # LD_LIBRARY_PATH (the folder of libnode.so.108 and of any library fetched with it) is inherited
    # by the programs node starts (chromium, convene): it holds only Debian 12 libraries.
    exec "${namespace[@]}" /bin/sh -c '
      root=$1 libraries=$2; shift 2
      mount -t overlay debian-node18 -o "lowerdir=$root/usr/share:/usr/share" /usr/share ||
        { echo "debian-node18.sh: cannot lay $root/usr/share over /usr/share" >&2; exit 1; }
      LD_LIBRARY_PATH="$libraries${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec "$root/usr/bin/node" "$@"' \
      debian-node18 "$root" "$(dirname "$libnode")" "$@"
    ;;
  *)
    die "unknown action '$action' (fetch or node)"
    ;;
esac
