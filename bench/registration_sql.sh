# Sourced by the benchmarks that replay a registration with pgbench (registration.sh, nginx.sh,
# rush.sh). Not run on its own.
# shellcheck shell=bash

# Prints, on one line and without the final semicolon, the statement the binary runs for a
# registration (`convene sql insert_registration`), its parameters spelled as pgbench expressions:
# :event_id, :seat and :n must be set by the script; $2 is the event version (a number or a
# pgbench variable); $3 whether waitlisting is allowed: `false` as in the server's first attempt
# (without a free seat it writes nothing), `true` as in its second (written waitlisted). The
# statement takes a batch of rows as JSON; here the batch is $4 registrations (1 unless given: as a
# request that finds no other one in flight for its event writes it), each with a confirmation queued.
registration_statement() {
  local bin=$1 event_version=$2 waitlisting=$3 rows=${4:-1}
  local object="jsonb_build_object('n', N, 'email', 'pg-' || :n || SUFFIX || '@example.org', \
'name', 'Bench Person', 'organisation', NULL, 'country', 'NP', 'timezone', 'Asia/Kathmandu', 'language', 'en', \
'answers', '{}'::jsonb, 'token', md5(random()::text) || md5(random()::text), 'at', extract(epoch FROM now()))"
  local batch
  if [ "$rows" = 1 ]; then
    batch="jsonb_build_array(${object//SUFFIX || /})::text"
    batch=${batch//N,/1,}
  else
    local suffix="'-' || g"
    batch="(SELECT jsonb_agg(${object//SUFFIX/$suffix}) FROM generate_series(1, $rows) AS g)::text"
    batch=${batch//N,/g,}
  fi
  "$bin" sql insert_registration | sed \
    -e "s/\$7\b/'confirmation'/g" -e "s/\$6\b/$waitlisting/g" -e "s/\$5\b/:seat/g" \
    -e "s/\$4\b/true/g" -e "s/\$3\b/$event_version/g" -e "s#\$2\b#$batch#g" -e "s/\$1\b/:event_id/g" | tr '\n' ' '
}
