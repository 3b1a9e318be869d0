#!/usr/bin/env bash
# Renders deploy/nginx/convene.conf.template: render.sh PREFIX LISTEN UPSTREAM [UPSTREAM...]
#   e.g. render.sh /var/lib/convene/nginx 80 127.0.0.1:8081 127.0.0.1:8082 > /etc/nginx/convene.conf
# nginx's workers run as NGINX_USER (default www-data) and must be able to write PREFIX/cache.
set -euo pipefail
prefix=$1 listen=$2
user=${NGINX_USER:-www-data}
shift 2
servers=""
for upstream in "$@"; do servers+="server $upstream max_fails=2 fail_timeout=5s; "; done
sed -e "s#@USER@#$user#g" -e "s#@PREFIX@#$prefix#g" -e "s#@LISTEN@#$listen#g" -e "s#@UPSTREAM_SERVERS@#$servers#g" \
  "$(dirname "${BASH_SOURCE[0]}")/convene.conf.template"
