#!/usr/bin/env bash
# Make sure the client programs the TaskFlow client tests drive are present: `node`/`npm`
# (newman runs on them) and `chromium` (the spec's fetch example runs in it). Each one
# missing is installed from Debian's packages (`nodejs npm`, `chromium`), as
# scripts/with-redis.sh does for redis-server. Usage: ensure-client-tools.sh [node] [chromium]
# (both when no argument). Exits non-zero when a package cannot be installed.
set -euo pipefail

wanted=("$@")
[ ${#wanted[@]} -eq 0 ] && wanted=(node chromium)

if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
updated=""
apt_install() {
  if [ -z "$updated" ]; then
    $SUDO apt-get update -qq
    updated=1
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

for tool in "${wanted[@]}"; do
  case "$tool" in
    node)
      if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        echo "ensure-client-tools: node/npm not found; installing Debian's nodejs and npm" >&2
        apt_install nodejs npm
      fi
      ;;
    chromium)
      if ! command -v chromium >/dev/null 2>&1; then
        echo "ensure-client-tools: chromium not found; installing Debian's chromium" >&2
        apt_install chromium
      fi
      ;;
    *)
      echo "ensure-client-tools: unknown tool $tool (node, chromium)" >&2
      exit 2
      ;;
  esac
done
