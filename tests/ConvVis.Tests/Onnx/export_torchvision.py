"""Exports one small, seeded model of each torchvision classification family to ONNX with PyTorch's own
exporter (dynamic batch), next to the input it was run on and PyTorch's logits, for the importer test
(TorchvisionExportTests). Widths, depths and resolutions are cut down so the whole run takes seconds;
the operators the exporter emits are those of the full-size models.

usage: python3 export_torchvision.py OUT_DIR [NAME ...]
writes OUT_DIR/NAME.onnx, NAME.input.bin, NAME.logits.bin (float32, little-endian) and manifest.txt
(NAME opset batch channels height width classes export-seconds, one line per model).
"""
import sys
import time

import torch
import torchvision.models as tvm
from torchvision.models import efficientnet as tv_eff
from torchvision.models import convnext as tv_cnx
from torchvision.models import densenet as tv_dense
from torchvision.models import vgg as tv_vgg
from torchvision.models import resnet as tv_res

CLASSES = 10


def randomize_batchnorm(model, gen):
    """Random BatchNorm statistics and affine terms, so the exporter's Conv+BN folding is exercised."""
    for m in model.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            with torch.no_grad():
                m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=gen) * 0.1)
                m.running_var.copy_(torch.rand(m.running_var.shape, generator=gen) + 0.5)
                if m.weight is not None:
                    m.weight.copy_(torch.rand(m.weight.shape, generator=gen) + 0.5)
                    m.bias.copy_(torch.randn(m.bias.shape, generator=gen) * 0.1)


def small_vgg():
    cfg = [16, "M", 32, "M", 32, 32, "M", 64, 64, "M", 64, 64, "M"]
    model = tv_vgg.VGG(tv_vgg.make_layers(cfg, batch_norm=True), num_classes=CLASSES)
    # Same structure as VGG's classifier (Linear, ReLU, Dropout x2, Linear), 4096 -> 64 units.
    model.classifier = torch.nn.Sequential(
        torch.nn.Linear(64 * 7 * 7, 64), torch.nn.ReLU(True), torch.nn.Dropout(),
        torch.nn.Linear(64, 64), torch.nn.ReLU(True), torch.nn.Dropout(), torch.nn.Linear(64, CLASSES))
    return model


def small_alexnet():
    model = tvm.alexnet(num_classes=CLASSES)
    model.classifier = torch.nn.Sequential(
        torch.nn.Dropout(), torch.nn.Linear(256 * 6 * 6, 64), torch.nn.ReLU(inplace=True),
        torch.nn.Dropout(), torch.nn.Linear(64, 64), torch.nn.ReLU(inplace=True), torch.nn.Linear(64, CLASSES))
    return model


def small_efficientnet(arch):
    if arch == "efficientnet_b0":
        setting, last = tv_eff._efficientnet_conf(arch, width_mult=0.25, depth_mult=0.25)
    else:
        setting, last = tv_eff._efficientnet_conf(arch)
        for cnf in setting:
            cnf.num_layers = 1
            cnf.input_channels = max(8, cnf.input_channels // 4)
            cnf.out_channels = max(8, cnf.out_channels // 4)
        last = 128
    return tv_eff.EfficientNet(setting, 0.2, num_classes=CLASSES, last_channel=last)


def small_convnext():
    cfg = tv_cnx.CNBlockConfig
    setting = [cfg(16, 32, 1), cfg(32, 64, 1), cfg(64, 96, 1), cfg(96, None, 1)]
    return tv_cnx.ConvNeXt(setting, stochastic_depth_prob=0.0, num_classes=CLASSES)


# name -> (builder, opset, input height/width, randomize BatchNorm)
MODELS = {
    # Wide ResNet is ResNet's Bottleneck with wider groups: the same operators as resnext, so not exported again.
    # Freshly constructed, untouched: all folded conv biases are zero, and the exporter shares one initializer.
    "resnet18_untrained": (lambda: tvm.resnet18(num_classes=CLASSES), 13, 64, False),
    "resnext": (lambda: tv_res.ResNet(tv_res.Bottleneck, [1, 1, 1, 1], num_classes=CLASSES, groups=4, width_per_group=4), 13, 64, True),
    "vgg_bn": (small_vgg, 13, 224, True),
    "alexnet": (small_alexnet, 13, 224, False),
    "squeezenet1_1": (lambda: tvm.squeezenet1_1(num_classes=CLASSES), 13, 64, False),
    "densenet": (lambda: tv_dense.DenseNet(growth_rate=8, block_config=(2, 2, 2, 2), num_init_features=16, num_classes=CLASSES), 13, 64, True),
    "googlenet": (lambda: tvm.googlenet(num_classes=CLASSES, aux_logits=False, init_weights=False), 13, 64, True),
    "inception_v3": (lambda: tvm.inception_v3(num_classes=CLASSES, aux_logits=False, init_weights=False), 13, 80, True),
    "mobilenet_v2": (lambda: tvm.mobilenet_v2(num_classes=CLASSES, width_mult=0.35), 13, 64, True),
    "mobilenet_v3_small": (lambda: tvm.mobilenet_v3_small(num_classes=CLASSES, width_mult=0.5), 13, 64, True),
    "mobilenet_v3_small_opset14": (lambda: tvm.mobilenet_v3_small(num_classes=CLASSES, width_mult=0.5), 14, 64, True),
    "efficientnet_b0": (lambda: small_efficientnet("efficientnet_b0"), 13, 64, True),
    "efficientnet_v2_s": (lambda: small_efficientnet("efficientnet_v2_s"), 13, 64, True),
    "shufflenet_v2_x0_5": (lambda: tvm.shufflenet_v2_x0_5(num_classes=CLASSES), 13, 64, True),
    "mnasnet0_5": (lambda: tvm.mnasnet0_5(num_classes=CLASSES), 13, 64, True),
    "regnet_x_400mf": (lambda: tvm.regnet_x_400mf(num_classes=CLASSES), 13, 64, True),
    "regnet_y_400mf": (lambda: tvm.regnet_y_400mf(num_classes=CLASSES), 13, 64, True),
    "convnext": (small_convnext, 13, 64, False),
    "convnext_opset17": (small_convnext, 17, 64, False),
}


def export(name, out_dir, manifest):
    builder, opset, size, randomize = MODELS[name]
    start = time.time()
    torch.manual_seed(0)
    model = builder().eval()
    gen = torch.Generator().manual_seed(1)
    if randomize:
        randomize_batchnorm(model, gen)
    x = torch.randn(2, 3, size, size, generator=gen)
    with torch.no_grad():
        logits = model(x)
    torch.onnx.export(model, x, f"{out_dir}/{name}.onnx", opset_version=opset,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    x.numpy().astype("<f4").tofile(f"{out_dir}/{name}.input.bin")
    logits.numpy().astype("<f4").tofile(f"{out_dir}/{name}.logits.bin")
    seconds = time.time() - start
    manifest.write(f"{name} {opset} 2 3 {size} {size} {logits.shape[1]} {seconds:.2f}\n")
    print(f"{name}: opset {opset}, input [2,3,{size},{size}], {seconds:.2f} s", flush=True)


def main():
    out_dir = sys.argv[1]
    names = sys.argv[2:] or list(MODELS)
    torch.set_num_threads(1)
    with open(f"{out_dir}/manifest.txt", "w") as manifest:
        for name in names:
            export(name, out_dir, manifest)


if __name__ == "__main__":
    main()
