#!/usr/bin/env bash
# Installs what Flotilla's demo and tests need and a fresh machine may lack: the npm packages (when
# node_modules is missing or older than the lock file) and redis-server (from Debian, when we may).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "› installing npm packages"
  # `npm install`, not `npm ci`: this machine's npm writes lock files without download addresses, and such a
  # lock lacks the other platforms' optional packages (biome, swc), which `npm ci` then calls out of sync.
  # `npm install` installs the locked versions all the same.
  npm install --no-audit --no-fund --loglevel=error
fi

if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "› installing redis-server from Debian"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null && command -v apt-get >/dev/null 2>&1; then
    echo "› installing redis-server from Debian (sudo)"
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null
  else
    echo "redis-server is not installed and cannot be installed from here: run 'sudo apt-get install -y redis-server' (macOS: 'brew install redis')." >&2
  fi
fi
