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

bash scripts/debian-package.sh redis-server redis-server
command -v redis-server >/dev/null 2>&1 || echo "(macOS: 'brew install redis')" >&2
