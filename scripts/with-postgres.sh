#!/usr/bin/env bash
# Run a command with POLYTASK_TEST_POSTGRES_URL pointing at a PostgreSQL server.
# If the variable is already set, that server is used. Otherwise a throwaway cluster is
# created in a temporary directory, started on 127.0.0.1, and removed afterwards.
# Debian's postgresql package is installed first when initdb is missing.
#
# The throwaway cluster runs without durability (fsync, synchronous_commit and full_page_writes
# off), which is right for tests. POLYTASK_PG_DURABLE=1 keeps PostgreSQL's defaults instead:
# `make bench` measures PostgreSQL that way.
set -euo pipefail

if [ -n "${POLYTASK_TEST_POSTGRES_URL:-}" ]; then
  exec "$@"
fi

find_bin() {
  local name=$1
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
  ls -d /usr/lib/postgresql/*/bin/"$name" 2>/dev/null | sort -V | tail -n 1
}

INITDB=$(find_bin initdb || true)
if [ -z "$INITDB" ]; then
  echo "with-postgres: initdb not found; installing Debian's postgresql package" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
  INITDB=$(find_bin initdb)
fi
BIN=$(dirname "$INITDB")

DATA=$(mktemp -d /tmp/polytask-pg.XXXXXX)
PORT=${POLYTASK_TEST_POSTGRES_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')}

# PostgreSQL refuses to run as root; use the postgres system user then.
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  chown postgres "$DATA"
  AS=(runuser -u postgres --)
else
  AS=()
fi

cleanup() {
  "${AS[@]}" "$BIN/pg_ctl" -D "$DATA/db" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DATA"
}
trap cleanup EXIT

"${AS[@]}" "$BIN/initdb" -D "$DATA/db" -U polytask --auth=trust -E UTF8 --locale=C.UTF-8 >"$DATA/initdb.log" 2>&1 \
  || { cat "$DATA/initdb.log" >&2; exit 1; }
if [ "${POLYTASK_PG_DURABLE:-0}" = 1 ]; then
  DURABILITY=""
else
  DURABILITY="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
fi
"${AS[@]}" "$BIN/pg_ctl" -D "$DATA/db" -l "$DATA/server.log" -w -t 60 \
  -o "-h 127.0.0.1 -p $PORT -k $DATA $DURABILITY -c max_connections=200" \
  start >/dev/null || { cat "$DATA/server.log" >&2; exit 1; }

export POLYTASK_TEST_POSTGRES_URL="postgresql+psycopg://polytask@127.0.0.1:$PORT/postgres"
echo "with-postgres: PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT${DURABILITY:+ (no durability: $DURABILITY)}" >&2
"$@"
