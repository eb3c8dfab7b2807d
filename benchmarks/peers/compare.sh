#!/usr/bin/env bash
# Runs each C# BenchmarkDotNet benchmark class and its Python twin in alternating rounds on this machine and prints,
# per job, the median over rounds of each side's median, the spread (min..max of the round medians) and the ratio.
#
#   benchmarks/peers/compare.sh [--rounds N] [--quick] [group ...]   groups: stats capture mosaic png attribution
#                                                                    (default: all)
#
# --quick: the statistics scan over 2 batches of 16 instead of 8 and at 1 thread instead of 2 (both sides), attribution
#          on 2 images instead of 8, and C# with 1 warm-up and 3 iterations (on a busy machine one 2-thread pass of 8
#          batches can take minutes).
# attribution: AttributionResNet18Benchmarks and attribution.py, ResNet-18 on 8 images at 224, 2 threads, saliency,
#          guided backprop, Grad-CAM, occlusion and integrated gradients against one forward + backward (a few minutes
#          per round on a quiet machine).
# C#: BenchmarkDotNet --job short, in process, OMP_NUM_THREADS=1 (each class sets its own libtorch threads).
# Python: Debian's /usr/bin/python3 with python3-torch, python3-torchvision, python3-pil only.
# Results of every round go to benchmarks/peers/results/<date>.tsv as well.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
rounds=3
groups=()
quick=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --quick) export CONVVIS_STATS_BATCHES=2 CONVVIS_STATS_THREADS=1 CONVVIS_ATTRIBUTION_IMAGES=2; quick=(--warmupCount 1 --iterationCount 3); shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) groups+=("$1"); shift ;;
  esac
done
[ ${#groups[@]} -gt 0 ] || groups=(stats capture mosaic png attribution)
python=/usr/bin/python3
export OMP_NUM_THREADS=1

dotnet build -c Release "$repo/benchmarks/ConvVis.Benchmarks" -v q -nologo >/dev/null
bench_dll="$(ls "$repo"/benchmarks/ConvVis.Benchmarks/bin/Release/net*/ConvVis.Benchmarks.dll | head -1)"
mkdir -p "$here/results"
out="$here/results/$(date -u +%Y%m%dT%H%M%SZ).tsv"
printf 'round\tside\tjob\tmedian_ms\n' > "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# C#: one BenchmarkDotNet run of a class; appends "round cs job median" rows (job = Method[/Params]).
run_cs() { # round class
  local art="$work/bdn-$1-$2"
  (cd "$work" && dotnet "$bench_dll" --filter "*.$2.*" --job short ${quick[@]+"${quick[@]}"} --exporters json --artifacts "$art" >"$art.log" 2>&1) \
    || { echo "C# $2 failed, see $art.log"; tail -20 "$art.log"; exit 1; }
  "$python" - "$1" "$art" >>"$out" <<'PY'
import glob, json, sys
round_, art = sys.argv[1], sys.argv[2]
for f in glob.glob(f"{art}/results/*.json"):
    for b in json.load(open(f))["Benchmarks"]:
        job = b["Method"] + (f"/{b['Parameters']}" if b.get("Parameters") else "")
        print(f"{round_}\tcs\t{job}\t{b['Statistics']['Median'] / 1e6:.3f}")
PY
}

# Python: one run of a twin script; appends "round py prefix/job median" rows.
run_py() { # round prefix script args...
  local round="$1" prefix="$2" script="$3"; shift 3
  (cd "$here" && "$python" "$script" "$@") | "$python" -c '
import json, sys
r, p = sys.argv[1], sys.argv[2]
for job, s in json.loads(sys.stdin.read().strip().splitlines()[-1]).items():
    print("%s\tpy\t%s%s\t%.3f" % (r, p, job, s["median_ms"]))' "$round" "$prefix" >>"$out"
}

for r in $(seq 1 "$rounds"); do
  for g in "${groups[@]}"; do
    echo "round $r/$rounds: $g" >&2
    case "$g" in
      stats)   run_cs "$r" StatsScanResNet18Benchmarks; run_py "$r" "stats/" stats_scan.py --threads "${CONVVIS_STATS_THREADS:-2}" ;;
      capture) run_cs "$r" CaptureOverhead; run_py "$r" "capture/Threads=1/" capture.py --threads 1
               run_py "$r" "capture/Threads=2/" capture.py --threads 2 ;;
      mosaic)  run_cs "$r" MosaicBenchmarks; run_py "$r" "" mosaic.py --job mosaic ;;
      png)     run_cs "$r" PngEncodeBenchmarks; run_py "$r" "" mosaic.py --job png ;;
      attribution) run_cs "$r" AttributionResNet18Benchmarks; run_py "$r" "attribution/" attribution.py --threads 2 ;;
      *) echo "unknown group $g" >&2; exit 2 ;;
    esac
  done
done

"$python" "$here/summarize.py" "$out" "${CONVVIS_STATS_THREADS:-2}" "${CONVVIS_STATS_BATCHES:-8}" "${CONVVIS_ATTRIBUTION_IMAGES:-8}"
