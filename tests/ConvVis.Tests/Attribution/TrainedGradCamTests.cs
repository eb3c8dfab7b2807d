using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Tests.Attribution;

/// <summary>Grad-CAM and occlusion on a CNN trained here to tell a horizontal bar from a vertical one, anywhere in the image.</summary>
public class TrainedGradCamTests
{
    /// <summary>Noisy 16×16 images, each with one 5-pixel bar (class 0 horizontal, 1 vertical) centred at a random place.</summary>
    private static (Tensor Images, long[] Labels, (int Y, int X)[] Centres) Bars(int n, int seed)
    {
        var rng = new Random(seed);
        var images = torch.rand([n, 1, 16, 16], generator: new torch.Generator((ulong)seed)) * 0.2f;
        var labels = new long[n];
        var centres = new (int, int)[n];
        for (int i = 0; i < n; i++)
        {
            int cy = rng.Next(3, 13), cx = rng.Next(3, 13);
            labels[i] = rng.Next(2);
            centres[i] = (cy, cx);
            if (labels[i] == 0) images[i, 0, cy, (cx - 2)..(cx + 3)].fill_(1);
            else images[i, 0, (cy - 2)..(cy + 3), cx].fill_(1);
        }
        return (images, labels, centres);
    }

    [Fact]
    public void TheMapsPointAtTheBar()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(0);
        var net = nn.Sequential(
            ("conv1", nn.Conv2d(1, 8, 3, padding: 1)), ("relu1", nn.ReLU()),
            ("conv2", nn.Conv2d(8, 8, 3, padding: 1)), ("relu2", nn.ReLU()),
            ("gap", nn.AdaptiveAvgPool2d(1)), ("flatten", nn.Flatten()), ("fc", nn.Linear(8, 2)));
        var optimizer = torch.optim.Adam(net.parameters(), 0.01);
        // Training through the correction: conv2 (8 outputs) has a wrong float32 input gradient on some CPUs,
        // which would corrupt conv1's weight gradients there.
        using (ConvGradientCorrection.Install(net))
        {
            for (int step = 0; step < 150; step++)
            {
                using var s = NewDisposeScope();
                var (x, y, _) = Bars(64, 1000 + step);
                optimizer.zero_grad();
                nn.functional.cross_entropy(net.call(x), tensor(y)).backward();
                optimizer.step();
            }
        }
        net.eval();

        var (images, labels, centres) = Bars(16, 7);
        using (no_grad())
        {
            var predicted = net.call(images).argmax(1).data<long>().ToArray();
            Assert.True(predicted.Zip(labels).Count(p => p.First == p.Second) >= 15, "the net did not learn the bars");
        }
        var target = AttributionTarget.Classes(labels.Select(l => (int)l).ToArray());
        using var cam = new GradCam(net, "conv2").Attribute(images, target);
        using var occlusion = new Occlusion(net) { Window = (3, 3), Stride = (1, 1), BatchSize = 256 }.Attribute(images, target);

        int NearBar(ConvVis.Attribution a) => Enumerable.Range(0, 16).Count(i =>
        {
            var map = a.Values[i].sum([0L]); // (sum(0) would pick the dtype overload)
            long at = map.argmax().item<long>();
            int y = (int)(at / 16), x = (int)(at % 16);
            return Math.Abs(y - centres[i].Y) <= 2 && Math.Abs(x - centres[i].X) <= 2;
        });
        Assert.True(NearBar(cam) >= 14, $"Grad-CAM peaks on the bar in only {NearBar(cam)} of 16 images");
        Assert.True(NearBar(occlusion) >= 14, $"occlusion peaks on the bar in only {NearBar(occlusion)} of 16 images");
    }
}
