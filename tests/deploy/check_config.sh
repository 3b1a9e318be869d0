#!/usr/bin/env bash
# The deployment files are valid as written: nginx accepts the rendered configuration, and systemd
# accepts the units (systemd-analyze verify, where it exists), pointed at the binary just built.
set -euo pipefail
repo=$1 binary=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

NGINX_USER=$(id -un) "$repo/deploy/nginx/render.sh" "$work" 127.0.0.1:18999 127.0.0.1:8081 127.0.0.1:8082 >"$work/nginx.conf"
/usr/sbin/nginx -t -q -p "$work" -c "$work/nginx.conf"
echo "nginx: the rendered configuration is valid"
cmp -s <("$repo/deploy/nginx/render.sh" /var/lib/convene/nginx 80 127.0.0.1:8081 127.0.0.1:8082) "$repo/deploy/nginx/convene.conf" \
  || { echo "deploy/nginx/convene.conf is not the rendering of the template: run deploy/nginx/render.sh again"; exit 1; }

if command -v systemd-analyze >/dev/null 2>&1; then
  for unit in "$repo"/deploy/systemd/*.service; do
    sed "s#/opt/convene/build/convene#$binary#" "$unit" >"$work/$(basename "$unit")"
  done
  cp "$work/convene@.service" "$work/convene@8081.service"
  output=$(systemd-analyze verify "$work/convene@8081.service" "$work/convene-worker.service" 2>&1) || {
    echo "$output"; exit 1; }
  [ -z "$output" ] || { echo "$output"; exit 1; }
  echo "systemd: the units verify"
else
  echo "systemd-analyze is not installed: units not verified"
fi

# The container files use the README's scripts, not a second way to build.
grep -q 'deploy/serve.sh --prepare' "$repo/deploy/Dockerfile"
grep -q 'ENTRYPOINT \["./deploy/serve.sh"\]' "$repo/deploy/Dockerfile"
echo "container: the Dockerfile builds and starts with deploy/serve.sh"
