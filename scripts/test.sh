#!/usr/bin/env bash
# Builds and runs every test project, then prints one summary line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh || { echo "0 passed, 1 failed"; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

log=$(mktemp)
dotnet test SmpVision.sln -c Release 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# VSTest prints one line per test assembly: "Passed!  - Failed: F, Passed: P, Skipped: S, Total: T".
passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -Eo 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # the build or the test host failed before any test result was reported
fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"
