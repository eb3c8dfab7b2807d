"""Shared timing for the Python peers: median wall time of a job over rounds, as one JSON line."""
import json
import statistics
import sys
import time

import torch


def setup_threads():
    """libtorch intra-op threads from --threads N (default: 1), like the C# benchmarks' Threads parameter."""
    threads = 1
    if "--threads" in sys.argv:
        threads = int(sys.argv[sys.argv.index("--threads") + 1])
    torch.set_num_threads(threads)
    return threads


def arg(name, default):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def run(jobs, warmup=1, iterations=5):
    """Times each job (name -> callable), the jobs interleaved per iteration; prints {name: median ms} as JSON."""
    selected = arg("--job", None)
    jobs = {k: v for k, v in jobs.items() if selected in (None, k)}
    iterations = int(arg("--iterations", iterations))
    for _ in range(warmup):
        for fn in jobs.values():
            fn()
    times = {k: [] for k in jobs}
    for _ in range(iterations):
        for name, fn in jobs.items():
            start = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - start) * 1000)
    print(json.dumps({k: {"median_ms": statistics.median(v), "min_ms": min(v), "max_ms": max(v)} for k, v in times.items()}))
