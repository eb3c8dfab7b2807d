using TorchSharp;
using static TorchSharp.torch;
using ConvVis.Tests.Fixtures;

namespace ConvVis.Tests.Health;

public class FilterNoiseTests
{
    [Fact]
    public void LinearRampScoresThreeOverKSquared()
    {
        // Ramp v = x on a 5x5 kernel: horizontal diffs all 1 (20 of them), vertical 0; centred energy
        // 5 rows * 10 = 50; ratio 0.4; white-noise ratio 2*(20+20)/24 = 10/3; score 0.12 = 3/25.
        var ramp = arange(5, dtype: ScalarType.Float32).repeat(5, 1).reshape(1, 1, 5, 5);
        var report = FilterNoise.Of(ramp);
        Assert.Equal(0.12, report.FilterScores[0], 6);
        Assert.Equal(FilterNoiseVerdict.Smooth, report.Verdict());
    }

    [Fact]
    public void ConstantFilterIsPerfectlySmoothAndCheckerboardIsMaximallyNoisy()
    {
        var constant = full(new long[] { 1, 2, 3, 3 }, 0.7f);
        var checker = tensor(new float[] { 1, -1, 1, -1, 1, -1, 1, -1, 1 }).reshape(1, 1, 3, 3);
        Assert.Equal(0, FilterNoise.Of(constant).FilterScores[0]);
        // Checkerboard: 12 diffs of 2 -> 48; centred energy 9 - 1/9 = 80/9; ratio 5.4; white-noise ratio 24/8 = 3.
        Assert.Equal(48 / (80.0 / 9) / 3, FilterNoise.Of(checker).FilterScores[0], 6);
    }

    [Fact]
    public void WhiteNoiseScoresOneOnAverageWhateverTheKernelSize()
    {
        manual_seed(11);
        foreach (int k in new[] { 3, 5, 7 })
        {
            var report = FilterNoise.Of(randn(400, 3, k, k));
            Assert.InRange(report.LayerScore, 0.95, 1.05);
            Assert.True(report.IsNoisy());
        }
    }

    [Fact]
    public void GaborFiltersAreSmoothAndTheSameFiltersPlusNoiseAreNoisy()
    {
        const int k = 7;
        var gabor = new float[4 * k * k];
        for (int o = 0; o < 4; o++)
        {
            double theta = o * Math.PI / 4;
            for (int y = 0; y < k; y++)
                for (int x = 0; x < k; x++)
                {
                    double u = x - 3, v = y - 3, along = u * Math.Cos(theta) + v * Math.Sin(theta);
                    gabor[(o * k + y) * k + x] = (float)(Math.Exp(-(u * u + v * v) / 8) * Math.Cos(2 * Math.PI * along / 6));
                }
        }
        var smooth = tensor(gabor).reshape(4, 1, k, k);
        manual_seed(3);
        var noisy = smooth + randn(4, 1, k, k);

        var smoothReport = FilterNoise.Of(smooth);
        var noisyReport = FilterNoise.Of(noisy);
        Assert.All(smoothReport.FilterScores, s => Assert.True(s < 0.4, $"Gabor scored {s}"));
        Assert.Empty(smoothReport.NoisyFilters());
        Assert.Equal(new[] { 0, 1, 2, 3 }, noisyReport.NoisyFilters());
    }

    [Fact]
    public void KaimingInitIsNoisyAndTheTrainedFirstLayerIsSmooth_ShortVersusLongerTraining()
    {
        using var data = SyntheticShapes.Create(2000, seed: 3);
        using var net = new TrainableGreyCnn28(seed: 7);
        var init = FilterNoise.Of(net.conv1);

        net.Train(data, epochs: 1, lr: 3e-3, weightDecay: 1.0, seed: 100);
        var shortRun = FilterNoise.Of(net.conv1);
        net.Train(data, epochs: 11, lr: 3e-3, weightDecay: 1.0, seed: 200);
        var longerRun = FilterNoise.Of(net.conv1);

        Assert.True(net.Accuracy(data) > 0.95, "the net should have learned the shapes");
        Assert.InRange(init.LayerScore, 0.85, 1.15);
        Assert.Equal(FilterNoiseVerdict.Noisy, init.Verdict());
        Assert.Equal(FilterNoiseVerdict.Noisy, shortRun.Verdict());
        Assert.Equal(FilterNoiseVerdict.Smooth, longerRun.Verdict());
        Assert.True(longerRun.LayerScore < 0.5 && shortRun.LayerScore - longerRun.LayerScore > 0.3,
            $"short {shortRun.LayerScore:0.000}, longer {longerRun.LayerScore:0.000}");
        // Most individual filters got smoother, not just the average.
        int smoother = Enumerable.Range(0, 8).Count(i => longerRun.FilterScores[i] < init.FilterScores[i] - 0.2);
        Assert.True(smoother >= 6, $"only {smoother} of 8 filters got clearly smoother");
    }

    [Fact]
    public void WeightDecayGivesSmootherFiltersThanNoneForTheSameRun()
    {
        using var data = SyntheticShapes.Create(1000, seed: 5);
        using var withDecay = new TrainableGreyCnn28(seed: 9);
        using var without = new TrainableGreyCnn28(seed: 9);
        withDecay.Train(data, epochs: 12, lr: 3e-3, weightDecay: 2.0);
        without.Train(data, epochs: 12, lr: 3e-3, weightDecay: 0);
        double a = FilterNoise.Of(withDecay.conv1).LayerScore, b = FilterNoise.Of(without.conv1).LayerScore;
        Assert.True(b - a > 0.1, $"with decay {a:0.000}, without {b:0.000}");
    }

    [Fact]
    public void OfAllScoresEveryConvAndBadInputGetsClearErrors()
    {
        using var net = new TrainableGreyCnn28(seed: 1);
        var all = FilterNoise.OfAll(net);
        Assert.Equal(new[] { "conv1", "conv2" }, all.Keys.OrderBy(k => k).ToArray());
        Assert.Equal(8, all["conv1"].FilterScores.Count);

        var e1 = Assert.Throws<ArgumentException>(() => FilterNoise.Of(net.fc));
        Assert.Contains("Linear", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => FilterNoise.Of(randn(4, 3, 3)));
        Assert.Contains("[4, 3, 3]", e2.Message);
        var e3 = Assert.Throws<ArgumentException>(() => FilterNoise.Of(randn(4, 3, 1, 1)));
        Assert.Contains("1x1", e3.Message);
    }
}
