using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ConvVis.Tests.Fixtures;

/// <summary>LeNet-5 as course assignments write it: conv1 has 6 output channels, the kind of layer libtorch's float32 backward gets wrong on some CPUs.</summary>
internal static class LeNet
{
    public static Sequential Create(int seed = 1)
    {
        torch.manual_seed(seed);
        var net = nn.Sequential(
            ("conv1", nn.Conv2d(1, 6, 5, padding: 2)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),
            ("conv2", nn.Conv2d(6, 16, 5)), ("relu2", nn.ReLU(inplace: true)), ("pool2", nn.MaxPool2d(2)),
            ("flatten", nn.Flatten()), ("fc1", nn.Linear(16 * 5 * 5, 84)), ("relu3", nn.ReLU()), ("fc2", nn.Linear(84, 10)));
        net.eval();
        return net;
    }

    public static Tensor Images(int n, int seed = 3) => torch.rand([n, 1, 28, 28], generator: new torch.Generator((ulong)seed));

    public static int[] Classes(int n) => [.. Enumerable.Range(0, n).Select(i => (3 * i + 1) % 10)];
}
