using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Tests.Attribution;

public class SmoothGradTests
{
    [Fact]
    public void MeanOfTheGradientsAtTheSeededNoisyCopies()
    {
        using var scope = NewDisposeScope();
        var net = new QuadraticNet([1, 5, 5], classes: 2);
        var x = torch.rand([2, 1, 5, 5], generator: new torch.Generator(9));
        const int samples = 6;
        using var r = new SmoothGrad(new Saliency(net) { Map = SaliencyMap.Signed }) { Samples = samples, BatchSize = 12, Seed = 42 }
            .Attribute(x, AttributionTarget.Classes(1, 0));

        // Same draw by hand: σ = 0.15 (max − min) per image, rows ordered image by image.
        var sigma = (x.amax([1L, 2L, 3L]) - x.amin([1L, 2L, 3L])) * 0.15;
        var noise = torch.randn([2 * samples, 1, 5, 5], generator: new torch.Generator(42));
        var a = net.a.detach();
        for (int i = 0; i < 2; i++)
        {
            var rows = x[i].unsqueeze(0) + noise[(i * samples)..((i + 1) * samples)] * sigma[i];
            var expected = (2 * a[1 - i] * rows).mean([0L]); // gradient of Σ a x² is 2 a x
            Assert.True(r.Values[i].allclose(expected, rtol: 1e-4, atol: 1e-6));
        }
        Assert.Equal(sigma[0].item<float>(), r.NoiseSigma![0], 5);
        Assert.Equal("SmoothGrad (Saliency)", r.Method);
    }

    [Fact]
    public void ZeroNoiseGivesTheInnerMethodAndAnyGradientMethodCanBeWrapped()
    {
        using var scope = NewDisposeScope();
        var net = TestNets.SmallCnn();
        var x = torch.rand([8, 3, 16, 16], generator: new torch.Generator(4));
        var target = AttributionTarget.Classes(0, 1, 2, 3, 4, 3, 2, 1);
        using var guided = new GuidedBackprop(net).Attribute(x, target);
        var progress = new List<WorkProgress>();
        using var smooth = new SmoothGrad(new GuidedBackprop(net)) { NoiseLevel = 0, Samples = 3, BatchSize = 5 }
            .Attribute(x, target, new SyncProgress(progress));
        Assert.True(smooth.Values.allclose(guided.Values, rtol: 1e-5, atol: 1e-7));
        Assert.Equal(24, progress[^1].Done);
        Assert.Equal(24, progress[^1].Total);
        Assert.Equal(5, progress.Count); // ceil(8 · 3 / 5) batches
    }
}

/// <summary>IProgress that records on the calling thread (Progress&lt;T&gt; posts to the thread pool).</summary>
internal sealed class SyncProgress(List<WorkProgress> log) : IProgress<WorkProgress>
{
    public void Report(WorkProgress value) => log.Add(value);
}
