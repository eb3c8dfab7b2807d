using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ConvVis.Tests.Fixtures;

/// <summary>The attribution tests' classifier: RGB 16×16 images, 5 classes.</summary>
internal static class RgbCnn16
{
    /// <summary>A small CNN on [N, 3, 16, 16] → 5 classes: conv, ReLU, max-pool, conv, in-place ReLU, linear.</summary>
    public static Sequential Create(int seed = 1)
    {
        torch.manual_seed(seed);
        var net = nn.Sequential(
            ("conv1", nn.Conv2d(3, 6, 3, padding: 1)),
            ("relu1", nn.ReLU()),
            ("pool", nn.MaxPool2d(2)),
            ("conv2", nn.Conv2d(6, 8, 3, padding: 1)),
            ("relu2", nn.ReLU(inplace: true)),
            ("flatten", nn.Flatten()),
            ("fc", nn.Linear(8 * 8 * 8, 5)));
        net.eval();
        return net;
    }
}
