#!/usr/bin/env bash
# Runs every test: sets up, builds, runs the suite, then the kernel tests again with hardware intrinsics off
# (the scalar fallbacks must agree with the reference too). Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
scripts/setup.sh || exit 1
dotnet build TinyTrain.slnx -c Release --no-restore -nologo -clp:ErrorsOnly || { echo "0 passed, 1 failed"; exit 1; }

results=out/test-results
rm -rf "$results"
status=0
dotnet test tests/TinyTrain.Tests -c Release --no-build --nologo \
  --logger "trx;LogFileName=all.trx" --logger "console;verbosity=minimal" --results-directory "$results" || status=1
DOTNET_EnableHWIntrinsic=0 dotnet test tests/TinyTrain.Tests -c Release --no-build --nologo \
  --filter "FullyQualifiedName~TinyTrain.Tests.Kernels" \
  --logger "trx;LogFileName=no-simd.trx" --logger "console;verbosity=minimal" --results-directory "$results" || status=1

passed=0; failed=0
for f in "$results"/*.trx; do
  [ -f "$f" ] || continue
  passed=$((passed + $(grep -oE '<UnitTestResult [^>]*outcome="Passed"' "$f" | wc -l)))
  failed=$((failed + $(grep -oE '<UnitTestResult [^>]*outcome="Failed"' "$f" | wc -l)))
done
[ "$passed" -gt 0 ] || status=1
[ "$failed" -eq 0 ] || status=1
echo "$passed passed, $failed failed"
exit $status
