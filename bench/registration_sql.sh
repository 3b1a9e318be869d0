# Sourced by the benchmarks that replay a registration with pgbench (registration.sh, nginx.sh,
# rush.sh). Not run on its own.
# shellcheck shell=bash

# Prints, on one line and without the final semicolon, the statement the binary runs for a
# registration (`convene sql insert_registration`), its parameters spelled as pgbench expressions:
# :event_id, :seat and :n must be set by the script; $2 is the event version (a number or a
# pgbench variable); $3 whether waitlisting is allowed ($14): `false` as in the server's first
# attempt (without a free seat it writes nothing), `true` as in its second (written waitlisted).
# $15 is the message queued with the registration: a confirmation, as the server queues.
registration_statement() {
  local bin=$1 event_version=$2 waitlisting=$3
  "$bin" sql insert_registration | sed \
    -e "s/\$15/'confirmation'/g" -e "s/\$14/$waitlisting/g" -e "s/\$13/true/g" -e "s/\$12/$event_version/g" -e "s/\$11/:seat/g" \
    -e "s/\$10/md5(random()::text) || md5(random()::text)/g" \
    -e "s/\$1\b/:event_id/g" -e "s/\$2\b/('pg-' || :n || '@example.org')/g" -e "s/\$3\b/'Bench Person'/g" \
    -e "s/\$4\b/NULL/g" -e "s/\$5\b/'NP'/g" -e "s/\$6\b/'Asia\/Kathmandu'/g" -e "s/\$7\b/'en'/g" \
    -e "s/\$8\b/'{}'/g" -e "s/\$9\b/extract(epoch FROM now())/g" | tr '\n' ' '
}
