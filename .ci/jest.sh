#!/usr/bin/env bash
# The README's test command, plus one closing line 'jest: N passed, N failed, N skipped'.
set -uo pipefail
report=$(mktemp)
npm test -- --json --outputFile="$report"
status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`jest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
  if (r.numTotalTests === 0) { console.log("jest ran no test"); process.exit(1); }
' "$report" || status=1
rm -f "$report"
exit $status
