#!/usr/bin/env bash
# Installs what running the notebooks and the tests needs on Debian 12, beyond the .NET SDK:
#   - Debian packages: Jupyter (nbclient, nbconvert, ipykernel), Chromium, Fashion-MNIST, scikit-image data
#   - the local tool Microsoft.dotnet-interactive (pinned in .config/dotnet-tools.json)
#   - the Jupyter kernelspec ".net-csharp", which starts that tool listening on localhost only.
# Idempotent: a second run only checks (a few seconds). Uses sudo only when not root.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

APT_PACKAGES=(
  jupyter-client python3-nbclient python3-nbconvert jupyter-nbconvert python3-ipykernel
  chromium dataset-fashion-mnist python3-skimage
  # Debian's PyTorch: exports torchvision CNNs to ONNX for the import tests, and puts a system libtorch on
  # the machine, which the notebook kernels must survive (TorchSharp loads its own copies first).
  python3-torch python3-torchvision
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "not root and no sudo: run as root: $*"
  fi
}

install_debian_packages() {
  local missing=() p
  for p in "${APT_PACKAGES[@]}"; do
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then log "Debian packages: all present"; return; fi
  command -v apt-get >/dev/null || die "missing Debian packages (${missing[*]}) and no apt-get: install them by hand"
  log "Debian packages missing: ${missing[*]}"
  [ "$(id -u)" -eq 0 ] || log "not root: asking sudo to run apt-get"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  # With the recommended packages: that is the set these scripts were verified with (Chromium's fonts among them).
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
}

restore_dotnet_tools() {
  (cd "$ROOT" && dotnet tool restore >/dev/null) || die "dotnet tool restore failed"
  log "dotnet-interactive $(cd "$ROOT" && dotnet tool run dotnet-interactive --version)"
}

# `dotnet interactive jupyter install` run from a local tool writes argv ["dotnet", "interactive", ...],
# which only resolves when the kernel's working directory is inside this repository (the manifest is
# looked up from the working directory). We start the tool's entry assembly by absolute path instead,
# so the kernel starts from any folder, and add --http-local-only so its HTTP API listens on localhost
# only (by default it listens on every interface).
install_kernelspec() {
  local resolved entry dotnet_path want have tmp
  # Ask the CLI which assembly `dotnet interactive` runs (it may come from the NuGet cache or from the
  # local-tool resolver cache of an earlier restore, so no path is guessed here).
  resolved="$(cd "$ROOT" && DOTNET_CLI_CONTEXT_VERBOSE=true dotnet tool run dotnet-interactive --version 2>&1 \
    | sed -n 's/^Running \(.*\) \(\/.*\.dll\) --version$/\1\t\2/p' | head -n1)"
  dotnet_path="${resolved%%$'\t'*}"
  entry="${resolved#*$'\t'}"
  [ -n "$resolved" ] && [ -f "$entry" ] && [ -x "$dotnet_path" ] \
    || die "could not find which assembly 'dotnet tool run dotnet-interactive' runs (got '$resolved')"

  want="$(/usr/bin/python3 - "$dotnet_path" "$entry" <<'PY'
import json, sys
print(json.dumps([sys.argv[1], sys.argv[2], "jupyter", "--default-kernel", "csharp", "{connection_file}",
                  "--http-port-range", "2048-3000", "--http-local-only"]))
PY
)"
  have="$(jupyter kernelspec list --json 2>/dev/null | /usr/bin/python3 -c '
import json, sys
specs = json.load(sys.stdin)["kernelspecs"]
print(json.dumps(specs[".net-csharp"]["spec"]["argv"]) if ".net-csharp" in specs else "")' || true)"
  if [ "$have" = "$want" ]; then log "kernelspec .net-csharp: up to date"; return; fi

  tmp="$(mktemp -d)"
  # Let the tool write its own kernelspec (display name, language, logos), then fix its argv.
  (cd "$ROOT" && dotnet interactive jupyter install --path "$tmp" >/dev/null) || die "dotnet interactive jupyter install failed"
  /usr/bin/python3 - "$tmp/.net-csharp/kernel.json" "$want" <<'PY'
import json, sys
path, argv = sys.argv[1], json.loads(sys.argv[2])
spec = json.load(open(path))
spec["argv"] = argv
json.dump(spec, open(path, "w"), indent=2)
PY
  jupyter kernelspec install --user --replace --name .net-csharp "$tmp/.net-csharp" >/dev/null 2>&1 \
    || die "jupyter kernelspec install failed"
  rm -rf "$tmp"
  have="$(jupyter kernelspec list --json | /usr/bin/python3 -c '
import json, sys
print(json.dumps(json.load(sys.stdin)["kernelspecs"][".net-csharp"]["spec"]["argv"]))')"
  [ "$have" = "$want" ] || die "kernelspec .net-csharp has argv $have, expected $want (another .net-csharp kernelspec takes precedence?)"
  log "kernelspec .net-csharp installed: $have"
}

install_debian_packages
restore_dotnet_tools
install_kernelspec
jupyter kernelspec list 2>/dev/null | sed 's/^/  /' >&2
