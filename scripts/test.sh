#!/usr/bin/env bash
# Builds and runs every test project, then every extra test step in scripts/test.d/ (browser,
# PostgreSQL, client examples, fuzzing: each installs and starts what it needs and prints its own
# "N passed, N failed" line last), then prints one summary line: "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh --tests || { echo "0 passed, 1 failed"; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

log=$(mktemp)
dotnet test SmpVision.sln -c Release 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# VSTest prints one line per test assembly: "Passed!  - Failed: F, Passed: P, Skipped: S, Total: T".
passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -Eo 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # the build or the test host failed before any test result was reported
fi

# Extra steps: each script's last line is "P passed, F failed"; a script that exits non-zero
# without such a line counts as one failure.
for step in scripts/test.d/*.sh; do
  [ -e "$step" ] || continue
  echo "== $step"
  bash "$step" 2>&1 | tee "$log"
  step_status=${PIPESTATUS[0]}
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
  p=$(echo "$line" | grep -Eo '^[0-9]+'); f=$(echo "$line" | grep -Eo '[0-9]+ failed' | grep -Eo '[0-9]+')
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  if [ "$step_status" -ne 0 ]; then
    [ "${f:-0}" -eq 0 ] && failed=$((failed + 1))
    status=1
  fi
done
rm -f "$log"
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"
