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

# .NET Interactive also caches each #r resolution (keyed by the directive lines only) in
# ~/.packagemanagement/nuget/Cache; drop those that name ConvVis, so no kernel reuses a path to an older
# build (e.g. one restored into another NUGET_PACKAGES folder).
resolutions="$HOME/.packagemanagement/nuget/Cache"
if [ -d "$resolutions" ]; then
  grep -l -i -s '/convvis' "$resolutions"/*.resolvedReferences.paths | while read -r stale; do
    rm -f "$stale" "${stale%.resolvedReferences.paths}.csx"
  done || true
fi

for project in src/ConvVis/ConvVis.csproj src/ConvVis.Interactive/ConvVis.Interactive.csproj; do
  (cd "$ROOT" && dotnet pack "$project" -c Release "${build[@]}" -o "$out" -nologo -v quiet) \
    || die "dotnet pack $project failed"
done
for id in ConvVis ConvVis.Interactive; do
  [ -f "$out/$id.$version.nupkg" ] || die "expected $out/$id.$version.nupkg after packing"
done
log "packed ConvVis $version and ConvVis.Interactive $version into $out"
