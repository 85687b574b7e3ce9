#!/usr/bin/env bash
# `npm test`: everything CI checks, from a fresh clone: dependencies, lint, types, then the whole suite.
# Extra arguments go to jest (e.g. `npm test -- test/sandbox/auth.test.ts`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
# Debian's Chromium, for the fleet dashboard's browser test (Playwright drives it; it downloads no browser).
bash scripts/debian-package.sh chromium chromium
# The pinned agent CLIs the adapter tests run for real (about 1 GB, cached outside the checkout).
npx --no-install tsx scripts/install-agent-clis.ts

echo "› lint (biome)"
npx --no-install biome check .
echo "› typecheck (tsc)"
npx --no-install tsc --noEmit
echo "› tests (jest)"
results=$(mktemp)
trap 'rm -f "$results"' EXIT
status=0
NODE_OPTIONS=--experimental-vm-modules npx --no-install jest --json --outputFile="$results" "$@" || status=$?
# One plain closing line, so any reader of the log (people, CI) gets the count without parsing jest's.
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
' "$results" 2>/dev/null || true
exit "$status"
