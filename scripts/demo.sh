#!/usr/bin/env bash
# `npm run demo`: installs what is missing, then runs the loop on loopback (scripts/demo.ts): a labelled
# issue becomes a pull request. Arguments go to the demo (`--json`, `--serve`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
exec npx --no-install tsx scripts/demo.ts "$@"
