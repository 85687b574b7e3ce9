#!/usr/bin/env bash
# `npm run demo`: installs what is missing, then starts the GitHub sandbox with a demo repository and
# shows what it serves. Arguments go to the demo (`--once` to exit after the walkthrough).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
exec npx --no-install tsx scripts/demo.ts "$@"
