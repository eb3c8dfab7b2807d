# Shared helpers for the scripts in this folder. Source it; do not run it.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT=1
# Playwright must never fetch a browser of its own: the tests drive Debian's /usr/bin/chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
# libtorch 2.10's oneDNN misbehaves on some x86 CPUs (AMD EPYC with AVX-512): float32 conv input gradients come out
# wrong (see ConvGradientFault), and on a Zen 5 VM that hides its cache sizes the AVX2/AVX-512 brgemm conv backward
# kills the process (SIGFPE in brg_blocking_t::est_eff_1x1; seen in TorchvisionExportTests). Capping oneDNN at AVX,
# the remedy ConvVis itself gives users, makes every machine run the same kernels, so the tests and notebooks behave the
# same on every CPU; the fault's own code paths are tested with the correction forced on. It must be set before the
# process starts (libtorch reads it with getenv); a value already set is kept.
export DNNL_MAX_CPU_ISA="${DNNL_MAX_CPU_ISA:-AVX}"

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# phase NAME COMMAND... : runs COMMAND and prints how long it took, so CI time stays visible.
phase() {
  local name="$1"; shift
  local start=$SECONDS status=0
  log "== $name"
  "$@" || status=$?
  log "== $name: $((SECONDS - start)) s$([ $status -eq 0 ] || echo " (exit $status)")"
  return $status
}

# The NuGet global packages folder (honours NUGET_PACKAGES and NuGet.config).
nuget_global_packages() {
  if [ -n "${NUGET_PACKAGES:-}" ]; then echo "${NUGET_PACKAGES%/}"; return; fi
  local line
  line="$(cd "$ROOT" && dotnet nuget locals global-packages --list)"
  line="${line#*global-packages: }"
  echo "${line%/}"
}

# The version both packages are packed with (ConvVisVersion in Directory.Build.props).
convvis_version() {
  sed -n 's:.*<ConvVisVersion>\(.*\)</ConvVisVersion>.*:\1:p' "$ROOT/Directory.Build.props" | head -n1
}
