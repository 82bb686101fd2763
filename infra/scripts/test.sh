#!/usr/bin/env bash
# `npm test`: builds, runs every vitest project (unit, integration, privileged, e2e), and fails when no test ran at all
# (a suite that silently skips everything must not pass).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

npm run build
npx biome check .

report=$(mktemp -d)/vitest.json
trap 'rm -rf "$(dirname "$report")"' EXIT
status=0
npx vitest run --reporter=default --reporter=json --outputFile="$report" "$@" || status=$?

if [[ ! -s $report ]]; then
  echo "error: vitest wrote no report" >&2
  exit 1
fi
read -r passed failed skipped < <(node -e '
  const r = require(process.argv[1]);
  console.log(r.numPassedTests, r.numFailedTests, r.numPendingTests + r.numTodoTests);' "$report")
echo "tests: $passed passed, $failed failed, $skipped skipped"
if [[ $passed -eq 0 ]]; then
  echo "error: no test passed (all skipped or none found)" >&2
  exit 1
fi
exit "$status"
