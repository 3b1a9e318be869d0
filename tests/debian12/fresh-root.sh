#!/usr/bin/env bash
# Shows that the test command works on a fresh Debian 12: makes a Debian 12 (bookworm) root with
# debootstrap, puts a clean clone of this repository (its current commit) in it and runs
# ./deploy/test.sh there as root with chroot, exactly as the README tells a new user to. Not part of
# ctest: it downloads and installs everything the test command needs, builds twice and runs the whole
# suite (30 to 50 minutes on two cores).
#
#   tests/debian12/fresh-root.sh [--reuse] [ROOT] [-- ARGS for deploy/test.sh]
#
# ROOT: where the Debian 12 root goes; outside the repository, default: debian12-root next to the
# checkout (/work/debian12-root for /work/main); also $CONVENE_DEBIAN12_ROOT. An existing ROOT is
# deleted and made again, unless --reuse is given (then the packages an earlier run installed are
# still there: quicker, but no longer a fresh machine). The whole output also goes to ROOT.log.
# Mirrors: $CONVENE_DEBIAN12_MIRROR (default http://deb.debian.org/debian) and
# $CONVENE_DEBIAN12_SECURITY_MIRROR (default http://deb.debian.org/debian-security); the root's
# apt sources are bookworm, bookworm-updates and bookworm-security, as the Debian installer sets.
#
# What differs from a real machine, on purpose: the root shares this machine's kernel, network and
# /dev, and gets the certificate authorities this machine adds in /usr/local/share/ca-certificates
# (its network may need them, as this machine's does); services that packages would start on installation (PostgreSQL's main cluster, nginx) are
# not started (usr/sbin/policy-rc.d), as they would run outside the test and hold ports of this
# machine. The mounts (ROOT itself, bound on itself so that / is a mount point as on a real machine;
# proc, sysfs, /dev, /dev/pts and a tmpfs on /dev/shm for chromium) are made in a mount namespace of
# their own (unshare), so that they are gone when the script ends, however it ends; they are also
# unmounted on exit, and processes left running in the root are stopped.
set -euo pipefail

die() { printf 'fresh-root.sh: %s\n' "$*" >&2; exit 1; }
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
[ "$(id -u)" = 0 ] || die "run as root (debootstrap, mount and chroot need it)"

reuse=no
if [ "${1:-}" = --reuse ]; then reuse=yes; shift; fi
root=${CONVENE_DEBIAN12_ROOT:-$(dirname "$REPO")/debian12-root}
if [ $# -gt 0 ] && [ "$1" != -- ]; then root=$1; shift; fi
if [ "${1:-}" = -- ]; then shift; fi
mkdir -p "$(dirname "$root")"
root=$(cd "$(dirname "$root")" && pwd)/$(basename "$root")
case "$root/" in
  / | "$REPO"/*) die "ROOT must be outside the repository and not /: $root" ;;
esac
mirror=${CONVENE_DEBIAN12_MIRROR:-http://deb.debian.org/debian}
security_mirror=${CONVENE_DEBIAN12_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
checkout=/root/convene  # where a user would clone it: root's home

# Every mount under ROOT, deepest first.
mounts_under() { awk -v root="$1" '$5 == root || index($5, root "/") == 1 {print $5}' /proc/self/mountinfo | sort -r; }
# Processes whose root directory is ROOT (started in the chroot and still running).
processes_in() {
  local entry
  for entry in /proc/[0-9]*; do
    [ "$(readlink "$entry/root" 2>/dev/null)" = "$1" ] && echo "${entry#/proc/}"
  done
  return 0
}

if [ "${CONVENE_FRESH_ROOT_NAMESPACE:-}" != "$root" ]; then
  # --- outside the namespace: the root itself, the clone, then the run in a namespace ----------
  exec > >(tee "$root.log") 2>&1
  commit=$(git -C "$REPO" rev-parse HEAD)
  say "fresh Debian 12 root in $root for commit $commit ($(git -C "$REPO" log -1 --format=%s "$commit"))"
  if [ -n "$(git -C "$REPO" status --porcelain --untracked-files=no)" ]; then
    echo "note: $REPO has uncommitted changes; the root gets commit $commit without them" >&2
  fi
  [ -z "$(mounts_under "$root")" ] || die "something is mounted under $root: $(mounts_under "$root" | tr '\n' ' ')"
  [ -z "$(processes_in "$root")" ] || die "processes still run in $root: $(processes_in "$root" | tr '\n' ' ')"

  if [ "$reuse" = yes ] && [ -f "$root/etc/debian_version" ]; then
    say "reusing $root (Debian $(cat "$root/etc/debian_version")): not a fresh machine any more"
  else
    if ! command -v debootstrap >/dev/null 2>&1; then
      say "installing debootstrap"
      DEBIAN_FRONTEND=noninteractive apt-get update -q
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap
    fi
    if [ -e "$root" ]; then
      say "deleting the previous $root"
      rm -rf --one-file-system "$root"
    fi
    say "debootstrap bookworm $root $mirror"
    started=$(date +%s)
    debootstrap --keyring=/usr/share/keyrings/debian-archive-keyring.gpg bookworm "$root" "$mirror" >"$root.debootstrap.log" 2>&1 ||
      { tail -n 30 "$root.debootstrap.log" >&2; die "debootstrap failed (whole log: $root.debootstrap.log)"; }
    echo "debootstrap took $(( $(date +%s) - started )) s" >&2
    cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security_mirror bookworm-security main
EOF
    # Name resolution as this machine does it (debootstrap copies these too; kept explicit).
    cp -L /etc/resolv.conf "$root/etc/resolv.conf"
    [ -s "$root/etc/hosts" ] || printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
    # Packages do not start their services in the root (see the top of this file).
    printf '#!/bin/sh\n# fresh-root.sh: no service starts in this chroot\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
    chmod 755 "$root/usr/sbin/policy-rc.d"
  fi

  # Certificate authorities this machine adds for its own network (a TLS-inspecting proxy, say):
  # without them nothing in the root could reach the npm registry. ca-certificates takes them in
  # when deploy/test.sh installs it, or below (update-ca-certificates) when it is there already.
  if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    mkdir -p "$root/usr/local/share/ca-certificates"
    cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
    echo "this machine's own certificate authorities copied: $(cd /usr/local/share/ca-certificates && echo *.crt)" >&2
  fi

  say "cloning $REPO at $commit into $root$checkout"
  rm -rf "${root:?}$checkout"
  git clone --quiet --no-hardlinks "$REPO" "$root$checkout"
  git -C "$root$checkout" -c advice.detachedHead=false checkout --quiet "$commit"

  status=0
  CONVENE_FRESH_ROOT_NAMESPACE=$root unshare --mount --propagation private "$0" "$root" -- "$@" || status=$?
  leftover=$(processes_in "$root")
  if [ -n "$leftover" ]; then
    echo "stopping processes left in the root: $(echo "$leftover" | tr '\n' ' ')" >&2
    # shellcheck disable=SC2086
    kill $leftover 2>/dev/null || true
  fi
  exit "$status"
fi

# --- inside the mount namespace: mounts, chroot, deploy/test.sh -------------------------------
unmount_all() {
  local target
  for target in $(mounts_under "$root"); do umount "$target" 2>/dev/null || umount -l "$target" || true; done
}
trap unmount_all EXIT
mount --bind "$root" "$root"
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
mount -t tmpfs -o mode=1777,nosuid,nodev shm "$root/dev/shm"

if [ -x "$root/usr/sbin/update-ca-certificates" ]; then chroot "$root" /usr/sbin/update-ca-certificates >/dev/null; fi

say "running ./deploy/test.sh $* in the chroot ($checkout)"
started=$(date +%s)
status=0
chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" \
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  /bin/bash -c 'cd "$1" && shift && ./deploy/test.sh "$@"' fresh-root "$checkout" "$@" || status=$?
say "deploy/test.sh in the fresh Debian 12 root ended with status $status after $(( ($(date +%s) - started) / 60 )) min"
# ctest's summaries (the sanitizer pass, then the main run), for the record. Read from ROOT.log into
# a variable first: this script's own output goes to ROOT.log, so awk printing straight to it would
# read its own lines back for ever.
summary=$(awk '/tests passed, .* tests failed out of/ {print; next}
               /^The following tests FAILED:/ {print; list = 1; next}
               list && /^\t/ {print; next}
               {list = 0}' "$root.log") || true
printf '%s\n' "$summary" >&2
exit "$status"
