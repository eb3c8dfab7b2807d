"""Python twin of AttributionResNet18Benchmarks: attribution on torchvision's ResNet-18 (random weights, eval) for a batch
of 8 random images at 224, targets classes 0..7, written the way Captum and pytorch-grad-cam do it with plain torch
autograd and hooks (Captum itself is not a Debian package). The job names are the C# benchmark methods' names:
  ForwardBackward      the input gradient of the target scores, max |.| over channels (the floor of the gradient methods)
  Saliency             Captum's Saliency: |d score / d input|, then max over channels (Simonyan)
  GuidedBackprop       a backward hook on every ReLU module clamping its input gradient at 0 (Captum's GuidedBackprop);
                       torchvision's ReLUs are in place and each block's one runs twice, which full backward hooks
                       refuse, so the ReLUs are made out of place for the call, as users of those hooks do
  GradCam              Captum's LayerGradCam on layer4: a forward hook keeps the output, autograd.grad to it, weights =
                       spatial mean of the gradient, ReLU of the weighted sum, bilinear upsampling to 224
  Occlusion            Captum's Occlusion: 56x56 window, stride 56 (16 windows), baseline 0, perturbations_per_eval=8
                       (64 rows per forward), no_grad, after one forward of the clean images
  IntegratedGradients  Captum's IntegratedGradients: 16 Gauss-Legendre steps, zero baseline, internal_batch_size=32,
                       with the convergence delta (one forward of the inputs and baselines)
Parameters keep requires_grad (Captum leaves the model alone); autograd.grad asks for the input gradient only.
Run: /usr/bin/python3 attribution.py --threads 2 [--job NAME] [--iterations N]; CONVVIS_ATTRIBUTION_IMAGES=N for
another batch size (as the C# benchmark)."""
import os

import numpy as np
import torch
import torch.nn.functional as F

from common import run, setup_threads
from resnet import resnet18

IMAGES = int(os.environ.get("CONVVIS_ATTRIBUTION_IMAGES", "8"))
WINDOW, STRIDE, PER_EVAL, STEPS, IG_BATCH = 56, 56, 8, 16, 32


def scores(model, x, classes):
    return model(x).gather(1, classes.unsqueeze(1)).squeeze(1)


def input_gradient(model, x, classes):
    x = x.detach().requires_grad_(True)
    return torch.autograd.grad(scores(model, x, classes).sum(), x)[0]


def forward_backward(model, x, classes):
    return input_gradient(model, x, classes).abs().amax(1)


def saliency(model, x, classes):
    return input_gradient(model, x, classes).abs().amax(1, keepdim=True)


def guided_backprop(model, x, classes):
    relus = [m for m in model.modules() if isinstance(m, torch.nn.ReLU)]
    inplace = [m.inplace for m in relus]
    hooks = [m.register_full_backward_hook(lambda mod, gin, gout: (gin[0].clamp(min=0),)) for m in relus]
    try:
        for m in relus:
            m.inplace = False
        return input_gradient(model, x, classes)
    finally:
        for m, was in zip(relus, inplace):
            m.inplace = was
        for h in hooks:
            h.remove()


def grad_cam(model, x, classes, layer):
    kept = {}
    hook = layer.register_forward_hook(lambda mod, inp, out: kept.setdefault("a", out))
    try:
        s = scores(model, x, classes)
    finally:
        hook.remove()
    a = kept["a"]
    grad = torch.autograd.grad(s.sum(), a)[0]
    cam = (grad.mean((2, 3), keepdim=True) * a.detach()).sum(1, keepdim=True).relu()
    return F.interpolate(cam, size=x.shape[2:], mode="bilinear", align_corners=False)


def occlusion_masks(height, width):
    starts = lambda size: list(range(0, size - WINDOW + 1, STRIDE))
    masks = []
    for y in starts(height):
        for x in starts(width):
            m = torch.zeros(1, 1, height, width)
            m[..., y:y + WINDOW, x:x + WINDOW] = 1
            masks.append(m)
    return torch.cat(masks)  # [windows, 1, H, W]


def occlusion(model, x, classes, masks):
    n = x.shape[0]
    with torch.no_grad():
        clean = scores(model, x, classes)
        total = torch.zeros(n, 1, *x.shape[2:])
        for start in range(0, masks.shape[0], PER_EVAL):
            m = masks[start:start + PER_EVAL]  # [k, 1, H, W]
            k = m.shape[0]
            occluded = (x.unsqueeze(0) * (1 - m.unsqueeze(1))).reshape(k * n, *x.shape[1:])  # baseline 0
            s = scores(model, occluded, classes.repeat(k)).reshape(k, n)
            total += ((clean.unsqueeze(0) - s).reshape(k, n, 1, 1, 1) * m.unsqueeze(1)).sum(0)
        return (total / masks.sum(0)).expand_as(x)


def integrated_gradients(model, x, classes):
    nodes, weights = np.polynomial.legendre.leggauss(STEPS)
    alphas = torch.tensor((nodes + 1) / 2, dtype=x.dtype)
    step_sizes = torch.tensor(weights / 2, dtype=x.dtype)
    baseline = torch.zeros_like(x)
    n = x.shape[0]
    scaled = (baseline.unsqueeze(0) + alphas.reshape(-1, 1, 1, 1, 1) * (x - baseline).unsqueeze(0)).reshape(STEPS * n, *x.shape[1:])
    rows = classes.repeat(STEPS)
    grads = torch.cat([input_gradient(model, scaled[i:i + IG_BATCH], rows[i:i + IG_BATCH]) for i in range(0, STEPS * n, IG_BATCH)])
    attributions = (x - baseline) * (grads.reshape(STEPS, *x.shape) * step_sizes.reshape(-1, 1, 1, 1, 1)).sum(0)
    with torch.no_grad():
        ends = scores(model, torch.cat([x, baseline]), classes.repeat(2))
    delta = attributions.reshape(n, -1).sum(1) - (ends[:n] - ends[n:])
    return attributions, delta


def main():
    setup_threads()
    model = resnet18()
    torch.manual_seed(1)
    x = torch.randn(IMAGES, 3, 224, 224)
    classes = torch.arange(IMAGES)
    masks = occlusion_masks(224, 224)
    first = lambda t: float(t.reshape(-1)[0])
    run({
        "ForwardBackward": lambda: first(forward_backward(model, x, classes)),
        "Saliency": lambda: first(saliency(model, x, classes)),
        "GuidedBackprop": lambda: first(guided_backprop(model, x, classes)),
        "GradCam": lambda: first(grad_cam(model, x, classes, model.layer4)),
        "Occlusion": lambda: first(occlusion(model, x, classes, masks)),
        "IntegratedGradients": lambda: first(integrated_gradients(model, x, classes)[0]),
    }, warmup=1, iterations=3)


if __name__ == "__main__":
    main()
