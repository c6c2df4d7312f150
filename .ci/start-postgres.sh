#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on 127.0.0.1 for responder-store-jdbc's tests, installing
# Debian's server package first if it is missing. Idempotent: a server this script started earlier
# is reused, and the role and database are created only once.
#
#   source .ci/start-postgres.sh            # exports the variables into the calling shell
#   eval "$(bash .ci/start-postgres.sh)"    # the same from a script that does not source
#
# It sets RESPONDER_PG_URL, RESPONDER_PG_USER and RESPONDER_PG_PASSWORD, which the PostgreSQL tests
# read (they are skipped when these are unset). Run directly, it prints the export lines on stdout;
# everything else goes to stderr.
#
# Settings: RESPONDER_PG_PORT (default 55432), RESPONDER_PG_DIR (default ${TMPDIR:-/tmp}/responder-pg).

if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
  # Sourced: run in a child shell (so its set -e and exits cannot touch the caller) and export
  # what it prints.
  _responder_pg_exports="$(bash "${BASH_SOURCE[0]}")" || { echo "start-postgres.sh failed" >&2; return 1; }
  eval "$_responder_pg_exports"
  unset _responder_pg_exports
  echo "PostgreSQL for the tests: $RESPONDER_PG_URL (user $RESPONDER_PG_USER)" >&2
  return 0
fi

set -euo pipefail

port="${RESPONDER_PG_PORT:-55432}"
base="${RESPONDER_PG_DIR:-${TMPDIR:-/tmp}/responder-pg}"
data="$base/data"
db=responder
user=responder
# A throwaway server that listens on the loopback interface only; the password is no secret.
password=responder

log() { echo "start-postgres: $*" >&2; }

find_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

bin="$(find_bin)"
if [[ -z "$bin" || ! -x "$bin/initdb" || ! -x "$bin/pg_ctl" ]]; then
  log "installing PostgreSQL from Debian's packages"
  if [[ "$(id -u)" -ne 0 ]]; then
    log "not root: cannot apt-get install postgresql"
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  bin="$(find_bin)"
fi
[[ -n "$bin" ]] || { log "no PostgreSQL server binaries after installing"; exit 1; }

# initdb and postgres refuse to run as root: as root, run them as the postgres user.
if [[ "$(id -u)" -eq 0 ]]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir "$base" postgres
  as_pg() { runuser -u postgres -- "$@"; }
  mkdir -p "$base"
  chown postgres: "$base"
else
  as_pg() { "$@"; }
  mkdir -p "$base"
fi
chmod 700 "$base"

if [[ ! -f "$data/PG_VERSION" ]]; then
  log "creating a cluster in $data"
  as_pg "$bin/initdb" -D "$data" -U postgres -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >&2
fi

if as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
  log "server already running in $data"
else
  log "starting the server on 127.0.0.1:$port"
  as_pg "$bin/pg_ctl" -D "$data" -l "$base/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$base" start >&2 || {
      log "the server did not start; its log:"
      tail -n 30 "$base/server.log" >&2 || true
      exit 1
    }
fi

psql_admin() {
  as_pg "$bin/psql" -h "$base" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt "$@"
}

psql_admin -c "DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$user') THEN
    CREATE ROLE $user LOGIN PASSWORD '$password';
  ELSE
    ALTER ROLE $user LOGIN PASSWORD '$password';
  END IF;
END \$\$;" >&2
if [[ -z "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]]; then
  psql_admin -c "CREATE DATABASE $db OWNER $user" >&2
fi

# Prove the credentials work over TCP before handing them out.
PGPASSWORD="$password" "$bin/psql" -h 127.0.0.1 -p "$port" -U "$user" -d "$db" -qAt -c "SELECT 1" >/dev/null

echo "export RESPONDER_PG_URL='jdbc:postgresql://127.0.0.1:$port/$db'"
echo "export RESPONDER_PG_USER='$user'"
echo "export RESPONDER_PG_PASSWORD='$password'"
