"""Python twin of CaptureOverhead: torchvision's ResNet-18 on [1,3,224,224] (eval, no_grad), plain and with a forward
hook on every leaf module storing output.detach().clone() (the clone is needed: ResNet's ReLUs are in place).
Run: /usr/bin/python3 capture.py --threads 1|2 [--job plain|capture]"""
import torch

from common import run, setup_threads
from resnet import leaves, resnet18


def main():
    setup_threads()
    model = resnet18()
    torch.manual_seed(0)
    x = torch.randn(1, 3, 224, 224)

    def plain():
        with torch.no_grad():
            return float(model(x)[0, 0])

    def capture():
        stored = {}
        handles = [m.register_forward_hook(lambda mod, inp, out, name=name: stored.setdefault(name, []).append(out.detach().clone()))
                   for name, m in leaves(model)]
        try:
            with torch.no_grad():
                y = float(model(x)[0, 0])
        finally:
            for h in handles:
                h.remove()
        return y + stored["layer4.1.bn2"][-1].shape[1]

    run({"plain": plain, "capture": capture}, warmup=2, iterations=10)


if __name__ == "__main__":
    main()
