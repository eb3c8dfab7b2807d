#!/usr/bin/env bash
# The test command: everything CI checks, on a fresh Debian 12 machine with the .NET SDK.
#   setup -> build -> unit tests -> kernel tests -> pack -> package tests -> notebooks -> notebook tests
# Each phase prints its duration. The notebooks are executed once (scripts/run-notebooks.sh, the
# main job); the notebook tests then check those outputs. Ends with one line "N passed, N failed[, N skipped]"
# summed over all test projects, and exits non-zero when anything failed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

results="$ROOT/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"
total_start=$SECONDS
problems=()

# run_tests NAME PROJECT: dotnet test with the totals on the console and a TRX file to count from.
run_tests() {
  local name="$1" project="$2"
  local status=0
  dotnet test "$project" -c Release --no-build -nologo \
    --logger "console;verbosity=normal" \
    --logger "trx;LogFileName=$name.trx" \
    --results-directory "$results" \
    || status=$?
  echo "$status" >"$results/$name.exitcode"
  [ $status -eq 0 ] || problems+=("$name: dotnet test exited with $status")
}

phase setup scripts/setup.sh
# One Release build serves the tests and the packages.
phase build dotnet build ConvVis.Interactive.sln -c Release -nologo -v quiet -clp:ErrorsOnly \
  || { echo "0 passed, 1 failed"; die "the build failed"; }

phase "ConvVis.Tests" run_tests ConvVis.Tests tests/ConvVis.Tests/ConvVis.Tests.csproj
phase "ConvVis.Interactive.Tests" run_tests ConvVis.Interactive.Tests tests/ConvVis.Interactive.Tests/ConvVis.Interactive.Tests.csproj

if phase pack scripts/pack.sh --no-build; then
  export CONVVIS_PACKAGES_DIR="$ROOT/artifacts/packages"
else
  problems+=("pack failed")
fi
phase "ConvVis.Package.Tests" run_tests ConvVis.Package.Tests tests/ConvVis.Package.Tests/ConvVis.Package.Tests.csproj

# A notebook with failed cells fails the notebook tests with the cells' errors, so go on either way.
phase notebooks scripts/run-notebooks.sh --no-setup --no-pack || true
export CONVVIS_NOTEBOOKS_EXECUTED=1
phase "ConvVis.Notebooks.Tests" run_tests ConvVis.Notebooks.Tests tests/ConvVis.Notebooks.Tests/ConvVis.Notebooks.Tests.csproj

log "== all phases: $((SECONDS - total_start)) s"

# Sum the TRX counters; a project without a TRX file (it crashed or did not build) counts as one failure.
summary="$(/usr/bin/python3 - "$results" ConvVis.Tests ConvVis.Interactive.Tests ConvVis.Package.Tests ConvVis.Notebooks.Tests <<'PY'
import os, sys
import xml.etree.ElementTree as ET
folder, names = sys.argv[1], sys.argv[2:]
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
for name in names:
    path = os.path.join(folder, name + ".trx")
    if not os.path.exists(path):
        print(f"# {name}: no test results (it crashed or did not run): counted as 1 failure", file=sys.stderr)
        failed += 1
        continue
    c = ET.parse(path).getroot().find("t:ResultSummary/t:Counters", ns).attrib
    p = int(c["passed"])
    f = sum(int(c.get(k, 0)) for k in ("failed", "error", "timeout", "aborted"))
    s = int(c["total"]) - int(c["executed"])
    with open(os.path.join(folder, name + ".exitcode")) as code:
        if code.read().strip() != "0" and f == 0:
            print(f"# {name}: dotnet test failed but no test did (test host crash?): counted as 1 failure", file=sys.stderr)
            f = 1
    print(f"# {name}: {p} passed, {f} failed, {s} skipped", file=sys.stderr)
    passed, failed, skipped = passed + p, failed + f, skipped + s
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
PY
)"
for problem in "${problems[@]}"; do log "problem: $problem"; done
echo "$summary"
case "$summary" in
  "0 passed, 0 failed"*) log "no test ran"; exit 1 ;;
  *", 0 failed"*) [ ${#problems[@]} -eq 0 ] || exit 1 ;;
  *) exit 1 ;;
esac
