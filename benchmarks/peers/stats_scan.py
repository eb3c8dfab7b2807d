"""Python twin of StatsScanResNet18Benchmarks: a forward-hook statistics scan the way it is written in PyTorch
(per-channel zeros, at-or-below-threshold, sum, sum of squares, min, max, active inputs, and a histogram per channel
with one bincount over a range fixed by the first batch), over 8 batches of 16 at 224, and the plain no_grad loop.
Run: /usr/bin/python3 stats_scan.py --threads 2 [--job plain|relu|all]; CONVVIS_STATS_BATCHES=N for another batch count."""
import os

import torch

from common import run, setup_threads
from resnet import leaves, resnet18_cntk_layout, smooth_batches

BINS, THRESHOLD = 50, 0.0


class Accumulator:
    def __init__(self):
        self.n = 0
        self.range = None

    def add(self, out):
        x = out.detach()
        c = x.shape[1]
        flat = x.transpose(0, 1).reshape(c, -1)
        if self.range is None:
            self.range = (float(flat.min()), float(flat.max()))
            self.zeros = torch.zeros(c, dtype=torch.long)
            self.le = torch.zeros(c, dtype=torch.long)
            self.sum = torch.zeros(c, dtype=torch.float64)
            self.sumsq = torch.zeros(c, dtype=torch.float64)
            self.min = torch.full((c,), float("inf"))
            self.max = torch.full((c,), float("-inf"))
            self.active = torch.zeros(c, dtype=torch.long)
            self.hist = torch.zeros(c * BINS, dtype=torch.long)
        self.zeros += (flat == 0).sum(1)
        self.le += (flat <= THRESHOLD).sum(1)
        self.sum += flat.sum(1, dtype=torch.float64)
        self.sumsq += flat.double().square().sum(1)
        self.min = torch.minimum(self.min, flat.amin(1))
        self.max = torch.maximum(self.max, flat.amax(1))
        self.active += (x.reshape(x.shape[0], c, -1).amax(2) > THRESHOLD).sum(0)
        lo, hi = self.range
        idx = ((flat - lo) * (BINS / max(hi - lo, 1e-12))).floor().clamp_(0, BINS - 1).long()
        idx += torch.arange(c).unsqueeze(1) * BINS
        self.hist += torch.bincount(idx.reshape(-1), minlength=c * BINS)
        self.n += x.shape[0]


def main():
    setup_threads()
    model = resnet18_cntk_layout()
    batches = smooth_batches(int(os.environ.get("CONVVIS_STATS_BATCHES", "8")))

    def plain():
        with torch.no_grad():
            for b in batches:
                model(b)

    def scan(only_relu):
        handles, accs = [], []
        for name, m in leaves(model):
            if only_relu and not isinstance(m, torch.nn.ReLU):
                continue
            acc = Accumulator()
            accs.append(acc)
            handles.append(m.register_forward_hook(lambda mod, inp, out, acc=acc: acc.add(out)))
        try:
            plain()
        finally:
            for h in handles:
                h.remove()

    run({"plain": plain, "relu": lambda: scan(True), "all": lambda: scan(False)}, warmup=1, iterations=3)


if __name__ == "__main__":
    main()
