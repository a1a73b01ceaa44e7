#!/usr/bin/env bash
# Make sure the programs that check docs/deploy.md's files are present: `systemd-analyze`
# (systemd units), `caddy` and `nginx` (the proxies' own config checks) and `openssl` (a
# throwaway certificate for nginx's check). Each one missing is installed from Debian's
# packages (`systemd`, `caddy`, `nginx`, `openssl`); the checks never start their services.
# Exits non-zero when a package cannot be installed.
set -euo pipefail

if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
missing=()
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
command -v caddy >/dev/null 2>&1 || missing+=(caddy)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
if [ ${#missing[@]} -gt 0 ]; then
  echo "ensure-deploy-tools: installing Debian's ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
