using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Benchmarks;

/// <summary>The benchmark CNN: 3 convs (ReLU modules, max-pools) on 64×64 RGB images, 10 classes.</summary>
internal static class AttributionNets
{
    public static nn.Module<Tensor, Tensor> SmallCnn()
    {
        torch.manual_seed(0);
        var net = nn.Sequential(
            ("conv1", nn.Conv2d(3, 16, 3, padding: 1)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),
            ("conv2", nn.Conv2d(16, 32, 3, padding: 1)), ("relu2", nn.ReLU()), ("pool2", nn.MaxPool2d(2)),
            ("conv3", nn.Conv2d(32, 64, 3, padding: 1)), ("relu3", nn.ReLU()),
            ("gap", nn.AdaptiveAvgPool2d(1)), ("flatten", nn.Flatten()), ("fc", nn.Linear(64, 10)));
        net.eval();
        return net;
    }
}
