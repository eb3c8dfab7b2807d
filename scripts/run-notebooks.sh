#!/usr/bin/env bash
# The main job: runs every demo notebook through real Jupyter with the .NET kernel and writes
#   artifacts/notebooks/NAME.ipynb  the executed notebook (all outputs)
#   artifacts/notebooks/NAME.html   its HTML export: open it in a browser to see the pictures offline
#   artifacts/notebooks/NAME.log    what nbconvert and the kernel printed
# Exits non-zero when a cell fails (after running every notebook), printing the failed cells.
#
# Usage: scripts/run-notebooks.sh [--no-setup] [--no-pack] [NOTEBOOK.ipynb ...]   (default: notebooks/*.ipynb)
# Environment: CONVVIS_CELL_TIMEOUT (seconds per cell, default 600).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

setup=1 pack=1 notebooks=()
for arg in "$@"; do
  case "$arg" in
    --no-setup) setup=0 ;;
    --no-pack) pack=0 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) notebooks+=("$(cd "$(dirname "$arg")" && pwd)/$(basename "$arg")") ;;
  esac
done
if [ ${#notebooks[@]} -eq 0 ]; then
  shopt -s nullglob
  notebooks=("$ROOT"/notebooks/*.ipynb)
  [ ${#notebooks[@]} -gt 0 ] || die "no notebooks in $ROOT/notebooks"
fi

[ $setup -eq 0 ] || phase setup "$ROOT/scripts/setup.sh"
[ $pack -eq 0 ] || phase pack "$ROOT/scripts/pack.sh"
# Notebooks 03 and 04 use the ImageNet ResNet-18 of a NuGet package that the test project downloads (PackageDownload,
# no dependencies); a restore puts it in the NuGet cache, where PretrainedResNet18.Load() finds it.
phase models dotnet restore "$ROOT/tests/ConvVis.Tests/ConvVis.Tests.csproj" -nologo -v quiet

# The kernel inherits this environment. CONVVIS_FIX_TORCHSHARP=1 is the extension's opt-in switch that
# makes TorchSharp's native library load on Debian 12 (see the README, "TorchSharp on Debian 12").
export CONVVIS_FIX_TORCHSHARP=1
out="$ROOT/artifacts/notebooks"
mkdir -p "$out"

# execute NOTEBOOK: runs it (the kernel's working directory is the notebook's folder, so
# notebooks/NuGet.config puts artifacts/packages on the kernel's package sources), then exports it.
execute() {
  local notebook="$1" name status=0
  name="$(basename "$notebook" .ipynb)"
  rm -f "$out/$name.ipynb" "$out/$name.html" "$out/$name.log"
  # --allow-errors: run every cell and keep the notebook with its error outputs, so the failed cells
  # can be reported (and checked by the notebook tests) instead of a bare exit code.
  jupyter nbconvert --to notebook --execute --allow-errors \
    --ExecutePreprocessor.kernel_name=.net-csharp \
    --ExecutePreprocessor.timeout="${CONVVIS_CELL_TIMEOUT:-600}" \
    --ExecutePreprocessor.startup_timeout=180 \
    --output-dir "$out" "$notebook" >"$out/$name.log" 2>&1 || status=$?
  if [ $status -ne 0 ] || [ ! -f "$out/$name.ipynb" ]; then
    log "$name: nbconvert failed (exit $status); last lines of $out/$name.log:"
    tail -n 30 "$out/$name.log" >&2
    return 1
  fi
  /usr/bin/python3 "$ROOT/scripts/notebook_tools.py" export-html "$out/$name.ipynb" "$out/$name.html" \
    || { log "$name: HTML export failed"; return 1; }
  if ! /usr/bin/python3 "$ROOT/scripts/notebook_tools.py" errors "$out/$name.ipynb" >"$out/$name.errors" 2>&1; then
    log "$name: failed cells:"
    cat "$out/$name.errors" >&2
    return 1
  fi
  rm -f "$out/$name.errors"
}

failed=()
for notebook in "${notebooks[@]}"; do
  phase "notebook $(basename "$notebook")" execute "$notebook" || failed+=("$(basename "$notebook")")
done
log "executed notebooks and their HTML exports (open these in a browser):"
for notebook in "${notebooks[@]}"; do
  html="$out/$(basename "$notebook" .ipynb).html"
  if [ -f "$html" ]; then log "  $html"; fi
done
if [ ${#failed[@]} -gt 0 ]; then
  log "notebooks with failed cells: ${failed[*]}"
  exit 1
fi
