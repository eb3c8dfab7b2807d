using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ConvVis.Tests.Attribution;

public class OcclusionTests
{
    /// <summary>flatten → Linear(3·8·8 → 2): occluding window W drops class k's score by Σ_{i∈W} w_k,i (x_i − baseline_i).</summary>
    private static (Sequential Net, Tensor Weight) LinearModel()
    {
        torch.manual_seed(12);
        var fc = nn.Linear(3 * 8 * 8, 2);
        var net = nn.Sequential(("flatten", nn.Flatten()), ("fc", fc));
        net.eval();
        return (net, fc.weight!.detach().reshape(2, 3, 8, 8));
    }

    /// <summary>The expected map by explicit loops over the windows: mean drop over the windows covering each pixel.</summary>
    private static Tensor Expected(Tensor x, Tensor baseline, Tensor weight, int[] classes, int window, int[] starts)
    {
        int n = (int)x.shape[0];
        var sum = torch.zeros(n, 8, 8);
        var count = torch.zeros(8, 8);
        var contribution = weight.index_select(0, tensor(classes.Select(c => (long)c).ToArray())) * (x - baseline); // [N, 3, 8, 8]
        foreach (var y0 in starts)
            foreach (var x0 in starts)
            {
                var drop = contribution[.., .., y0..(y0 + window), x0..(x0 + window)].sum([1L, 2L, 3L]); // [N]
                sum[.., y0..(y0 + window), x0..(x0 + window)].add_(drop.reshape(n, 1, 1));
                count[y0..(y0 + window), x0..(x0 + window)].add_(1);
            }
        return (sum / count).unsqueeze(1).expand(n, 3, 8, 8);
    }

    [Fact]
    public void NonOverlappingWindowsGiveEachPixelItsWindowsWeightedDifference()
    {
        using var scope = NewDisposeScope();
        var (net, w) = LinearModel();
        var x = torch.rand([1, 3, 8, 8], generator: new torch.Generator(1));
        using var r = new Occlusion(net) { Window = (4, 4), Stride = (4, 4), Baseline = OcclusionBaseline.Value(0.5f) }.Attribute(x, 1);
        var expected = Expected(x, torch.full_like(x, 0.5), w, [1], 4, [0, 4]);
        Assert.True(r.Values.allclose(expected, rtol: 1e-4, atol: 1e-5));
        // The top-left window by hand.
        double topLeft = (w[1, .., ..4, ..4] * (x[0, .., ..4, ..4] - 0.5)).sum().item<float>();
        Assert.Equal(topLeft, r.Values[0, 2, 1, 3].item<float>(), 4);
        Assert.Equal(4, r.OcclusionWindows);
    }

    [Fact]
    public void OverlappingWindowsAverageAndAnEightImageBatchMatchesOneByOne()
    {
        using var scope = NewDisposeScope();
        var (net, w) = LinearModel();
        var x = torch.rand([8, 3, 8, 8], generator: new torch.Generator(2));
        int[] classes = [0, 1, 1, 0, 1, 0, 0, 1];
        // Window 3, stride 2 on 8 pixels: starts 0, 2, 4 and the edge window 5. Batch 5 mixes images in a batch.
        var occlusion = new Occlusion(net) { Window = (3, 3), Stride = (2, 2), BatchSize = 5 };
        using var r = occlusion.Attribute(x, AttributionTarget.Classes(classes));
        Assert.True(r.Values.allclose(Expected(x, torch.zeros_like(x), w, classes, 3, [0, 2, 4, 5]), rtol: 1e-4, atol: 1e-5));
        using var one = occlusion.Attribute(x[3..4], classes[3]);
        Assert.True(one.Values[0].allclose(r.Values[3], rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void BlurredBaselineIsTheImageBlurred()
    {
        using var scope = NewDisposeScope();
        var (net, w) = LinearModel();
        var x = torch.rand([2, 3, 8, 8], generator: new torch.Generator(3));
        using var r = new Occlusion(net) { Window = (2, 2), Stride = (2, 2), Baseline = OcclusionBaseline.Blurred(1.5) }.Attribute(x, 0);
        var blurred = OcclusionBaseline.Blur(x, 1.5);
        Assert.True(r.Values.allclose(Expected(x, blurred, w, [0, 0], 2, [0, 2, 4, 6]), rtol: 1e-4, atol: 1e-5));
        // The blur keeps a constant image and smooths a noisy one.
        var flat = torch.full(1, 3, 8, 8, 0.3f);
        Assert.True(OcclusionBaseline.Blur(flat, 1.5).allclose(flat, rtol: 1e-5, atol: 1e-6));
        Assert.True(blurred.std().item<float>() < 0.6 * x.std().item<float>());
    }

    [Fact]
    public void ReportsProgressAndCancelsBetweenBatchesLeavingTheModelAsItWas()
    {
        using var scope = NewDisposeScope();
        var net = TestNets.SmallCnn();
        var x = torch.rand([2, 3, 16, 16], generator: new torch.Generator(4));
        var log = new List<WorkProgress>();
        using (new Occlusion(net) { Window = (4, 4), Stride = (4, 4), BatchSize = 8 }.Attribute(x, 2, new SyncProgress(log)))
        {
            Assert.Equal([8L, 16, 24, 32, 34], log.Select(p => p.Done)); // 2 images × (16 windows + the image itself)
            Assert.All(log, p => Assert.Equal(34, p.Total));
        }

        using var cts = new CancellationTokenSource();
        var seen = new List<WorkProgress>();
        var cancelling = new CallbackProgress(p => { seen.Add(p); cts.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() =>
            new Occlusion(net) { Window = (4, 4), Stride = (4, 4), BatchSize = 8 }.Attribute(x, 2, cancelling, cts.Token));
        Assert.Single(seen);
        Assert.All(net.parameters(), p => Assert.True(p.requires_grad));
    }

    [Fact]
    public void AWindowThatDoesNotFitIsRejected()
    {
        using var scope = NewDisposeScope();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Occlusion(TestNets.SmallCnn()) { Window = (20, 4) }.Attribute(torch.rand(1, 3, 16, 16), 0));
        Assert.Contains("fit the 16x16 image", e.Message);
    }
}

internal sealed class CallbackProgress(Action<WorkProgress> action) : IProgress<WorkProgress>
{
    public void Report(WorkProgress value) => action(value);
}
