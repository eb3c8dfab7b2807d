"""The networks of the peers: torchvision's ResNet-18 (the C# CaptureResNet18 has its layout), and the same with
blocks [2, 2, 2, 3] (the layout of the CNTK ResNet-18 that PretrainedResNet18 loads; no classifier needed for timing)."""
import torch
from torchvision.models.resnet import BasicBlock, ResNet


def resnet18():
    torch.manual_seed(0)
    return ResNet(BasicBlock, [2, 2, 2, 2]).eval()


def resnet18_cntk_layout():
    torch.manual_seed(0)
    model = ResNet(BasicBlock, [2, 2, 2, 3]).eval()
    model.fc = torch.nn.Identity()
    return model


def smooth_batches(count=8, size=16):
    """Like the C# benchmark: random 28x28 colour images upsampled to 224, 0..255 minus 120."""
    torch.manual_seed(1)
    out = []
    for _ in range(count):
        coarse = torch.rand(size, 3, 28, 28) * 255
        out.append(torch.nn.functional.interpolate(coarse, size=(224, 224), mode="bilinear", align_corners=False) - 120)
    return out


def leaves(model):
    return [(n, m) for n, m in model.named_modules() if n and not list(m.children())]
