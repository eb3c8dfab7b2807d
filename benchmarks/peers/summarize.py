"""Summarises a compare.sh results file: summarize.py results/<date>.tsv [stats threads] [stats batches] [attribution images]."""
import csv, statistics, sys
st = sys.argv[2] if len(sys.argv) > 2 else "2"
sb = sys.argv[3] if len(sys.argv) > 3 else "8"
ai = sys.argv[4] if len(sys.argv) > 4 else "8"
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
ATTRIBUTION = [  # (row, job: the C# method's name and the Python twin's)
    ("forward + backward", "ForwardBackward"),
    ("saliency", "Saliency"),
    ("guided backprop", "GuidedBackprop"),
    ("Grad-CAM (layer4)", "GradCam"),
    ("occlusion, 56x56 window, stride 56", "Occlusion"),
    ("integrated gradients, 16 steps", "IntegratedGradients"),
]
def series(side, job):
    return [float(r["median_ms"]) for r in rows if r["side"] == side and r["job"] == job]
pairs = [  # (row, C# job, Python job)
    (f"plain no_grad inference, {sb} batches of 16 at 224, {st} thread(s)", f"PlainInference/Threads={st}", "stats/plain"),
    ("stats scan, ReLU layers", f"StatsScanReluLayers/Threads={st}", "stats/relu"),
    ("stats scan, every leaf", f"StatsScanAllLayers/Threads={st}", "stats/all"),
    ("ResNet-18 forward [1,3,224,224], 1 thread", "PlainForward/Threads=1", "capture/Threads=1/plain"),
    ("same, capturing every leaf, 1 thread", "ForwardCapturingEveryLeaf/Threads=1", "capture/Threads=1/capture"),
    ("ResNet-18 forward [1,3,224,224], 2 threads", "PlainForward/Threads=2", "capture/Threads=2/plain"),
    ("same, capturing every leaf, 2 threads", "ForwardCapturingEveryLeaf/Threads=2", "capture/Threads=2/capture"),
    ("mosaic [256,56,56] -> HTML (Python: make_grid + PIL PNG + base64)", "MosaicToHtml", "mosaic"),
    ("PNG encode 912x912 grey (Python: PIL)", "ConvVisPng", "png"),
] + [(f"ResNet-18, {ai} images at 224, 2 threads: {name}", f"{job}/Threads=2", f"attribution/{job}") for name, job in ATTRIBUTION]
def fmt(v):
    return f"{statistics.median(v):.1f} ({min(v):.1f}-{max(v):.1f})" if v else "-"
print(f"\n| job | C# ms, median (range over rounds) | Python ms | C# / Python |\n|---|---|---|---|")
for name, cs, py in pairs:
    c, p = series("cs", cs), series("py", py)
    if not c and not p: continue
    ratio = f"{statistics.median(c) / statistics.median(p):.2f}" if c and p else "-"
    print(f"| {name} | {fmt(c)} | {fmt(p)} | {ratio} |")
# Within-language ratios, per round (both cases of one BenchmarkDotNet run), then their median and range.
def ratios(side, num, den):
    a, b = series(side, num), series(side, den)
    return [x / y for x, y in zip(a, b)]
inner = [
    ("C# scan/plain throughput, ReLU layers", "cs", f"PlainInference/Threads={st}", f"StatsScanReluLayers/Threads={st}", True),
    ("C# scan/plain throughput, every leaf", "cs", f"PlainInference/Threads={st}", f"StatsScanAllLayers/Threads={st}", True),
    ("C# capture/plain, 1 thread", "cs", "ForwardCapturingEveryLeaf/Threads=1", "PlainForward/Threads=1", False),
    ("C# capture/plain, 2 threads", "cs", "ForwardCapturingEveryLeaf/Threads=2", "PlainForward/Threads=2", False),
    ("Python scan/plain throughput, ReLU layers", "py", "stats/plain", "stats/relu", True),
    ("Python capture/plain, 2 threads", "py", "capture/Threads=2/capture", "capture/Threads=2/plain", False),
    ("C# PNG: ImageSharp / ConvVis", "cs", "ImageSharpPng", "ConvVisPng", False),
] + [(f"{lang} {name} / forward + backward", side, prefix + job + suffix, prefix + "ForwardBackward" + suffix, False)
     for lang, side, prefix, suffix in (("C#", "cs", "", "/Threads=2"), ("Python", "py", "attribution/", ""))
     for name, job in ATTRIBUTION[1:]]
print("\n| ratio within one run | median | range |\n|---|---|---|")
for name, side, num, den, _ in inner:
    v = ratios(side, num, den)
    if v: print(f"| {name} | {statistics.median(v):.3f} | {min(v):.3f}-{max(v):.3f} |")
print(f"\nrows: {sys.argv[1]}")
