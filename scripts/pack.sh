#!/usr/bin/env bash
# Packs ConvVis and ConvVis.Interactive (Release) into artifacts/packages, the local feed that the
# notebooks (#i "nuget: ../artifacts/packages") and the package tests load from.
# NuGet never re-extracts a version that is already in its global packages folder, so the packed
# version is first removed from there: otherwise a notebook would silently run the previous build.
# Usage: scripts/pack.sh [--no-build] [OUTPUT_DIR]   (default: artifacts/packages)
#   --no-build: pack what `dotnet build -c Release` already built (the test command does that).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

build=()
if [ "${1:-}" = "--no-build" ]; then build=(--no-build); shift; fi
out="${1:-$ROOT/artifacts/packages}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
version="$(convvis_version)"
[ -n "$version" ] || die "no <ConvVisVersion> in Directory.Build.props"

cache="$(nuget_global_packages)"
for id in convvis convvis.interactive; do
  if [ -d "$cache/$id/$version" ]; then
    log "removing $cache/$id/$version from the NuGet cache"
    rm -rf "${cache:?}/$id/$version"
  fi
done

# dotnet-interactive also remembers where it resolved each set of #r "nuget:..." lines, keyed by the lines
# alone; a remembered path from an earlier cache (another NUGET_PACKAGES) would load that old build.
resolved="$HOME/.packagemanagement/nuget/Cache"
if [ -d "$resolved" ]; then
  grep -l -i -F "convvis" "$resolved"/*.resolvedReferences.paths 2>/dev/null | while read -r entry; do
    rm -f "$entry" "${entry%.resolvedReferences.paths}.csx"
  done
fi

for project in src/ConvVis/ConvVis.csproj src/ConvVis.Interactive/ConvVis.Interactive.csproj; do
  (cd "$ROOT" && dotnet pack "$project" -c Release "${build[@]}" -o "$out" -nologo -v quiet) \
    || die "dotnet pack $project failed"
done
for id in ConvVis ConvVis.Interactive; do
  [ -f "$out/$id.$version.nupkg" ] || die "expected $out/$id.$version.nupkg after packing"
done
log "packed ConvVis $version and ConvVis.Interactive $version into $out"
