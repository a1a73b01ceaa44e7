#!/usr/bin/env bash
# Run a command with POLYTASK_TEST_REDIS_URL pointing at a Redis server.
# If the variable is already set, that server is used. Otherwise a throwaway redis-server
# is started on 127.0.0.1 (no persistence) and stopped afterwards. Debian's redis-server
# package is installed first when the binary is missing.
set -euo pipefail

if [ -n "${POLYTASK_TEST_REDIS_URL:-}" ]; then
  exec "$@"
fi

if ! command -v redis-server >/dev/null 2>&1; then
  echo "with-redis: redis-server not found; installing Debian's redis-server package" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null
fi

DIR=$(mktemp -d /tmp/polytask-redis.XXXXXX)
PORT=${POLYTASK_TEST_REDIS_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')}

cleanup() {
  local status=$?
  if [ -f "$DIR/redis.pid" ]; then
    local pid
    pid=$(cat "$DIR/redis.pid")
    kill "$pid" 2>/dev/null || true
    # Wait (up to 5 s) for redis to exit so it stops writing into the directory we remove.
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$DIR" 2>/dev/null || true
  exit "$status"
}
trap cleanup EXIT

redis-server --bind 127.0.0.1 --port "$PORT" --save "" --appendonly no --daemonize yes \
  --pidfile "$DIR/redis.pid" --logfile "$DIR/redis.log" --dir "$DIR" >/dev/null
for _ in $(seq 1 100); do
  if redis-cli -h 127.0.0.1 -p "$PORT" ping >/dev/null 2>&1; then break; fi
  sleep 0.1
done
redis-cli -h 127.0.0.1 -p "$PORT" ping >/dev/null || { cat "$DIR/redis.log" >&2; exit 1; }

export POLYTASK_TEST_REDIS_URL="redis://127.0.0.1:$PORT"
echo "with-redis: $(redis-server --version | awk '{print $3}') on 127.0.0.1:$PORT" >&2
"$@"
