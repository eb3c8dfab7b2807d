#!/usr/bin/env bash
# Rewrites src/*/PublicAPI.Unshipped.txt from the code: every public symbol that PublicAPI.Shipped.txt does not list.
# The build fails (RS0016: new public symbol not listed; RS0017: listed symbol no longer public) until these files
# match the code, so every change of the public API shows in review. Run this after adding or removing public API,
# or after merging branches that did, then read the diff of the two files: it is the change of the API.
# How: the Unshipped file is emptied and the analyzer's own RS0016 code fix (through `dotnet format analyzers`) lists
# what is public again, so additions and removals are both taken in. A symbol removed from Shipped is a breaking
# change; the script does not hide it: the check at the end reports it and it must be removed from Shipped by hand.
# Usage: scripts/update-public-api.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

projects=(src/ConvVis/ConvVis.csproj src/ConvVis.Interactive/ConvVis.Interactive.csproj)

for project in "${projects[@]}"; do
  dir="$ROOT/$(dirname "$project")"
  [ -f "$dir/PublicAPI.Shipped.txt" ] || die "$dir has no PublicAPI.Shipped.txt"
  printf '#nullable enable\n' > "$dir/PublicAPI.Unshipped.txt"
  log "listing the public API of $project"
  # --severity warn: RS0016 is a warning (an error only through TreatWarningsAsErrors), which format would skip.
  dotnet format analyzers "$ROOT/$project" --diagnostics RS0016 --severity warn --verbosity quiet
  # The code fix appends; keep the header first and the rest sorted so merges of this file stay line-by-line.
  { head -n1 "$dir/PublicAPI.Unshipped.txt"; tail -n +2 "$dir/PublicAPI.Unshipped.txt" | LC_ALL=C sort -u; } > "$dir/PublicAPI.Unshipped.tmp"
  mv "$dir/PublicAPI.Unshipped.tmp" "$dir/PublicAPI.Unshipped.txt"
  log "$project: $(($(wc -l < "$dir/PublicAPI.Unshipped.txt") - 1)) unshipped public symbols"
done

log "checking that the build accepts the lists"
out="$(dotnet build "$ROOT/${projects[1]}" -c Release 2>&1)" || true
if grep -qE 'error RS00(16|17|36|37)' <<< "$out"; then
  grep -E 'error RS00(16|17|36|37)' <<< "$out" | sort -u >&2
  die "the public API lists still disagree with the code (a symbol removed from PublicAPI.Shipped.txt is a breaking change: remove it there by hand)"
fi
grep -qE 'Build succeeded' <<< "$out" || { tail -n 30 <<< "$out" >&2; die "the build failed for another reason"; }
log "public API lists are up to date"
