using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Tests.Health;

/// <summary>
/// The scan reads each layer's output inside its hook, before the next op can change it: a conv followed by an in-place
/// ReLU still gets the conv's own (negative) values, and both layers' statistics equal a float64 reference on maps large
/// enough for the SIMD path (runs of equal values, tails, a batch big enough to be split over threads, ranges that grow).
/// </summary>
public class ActivationStatsInPlaceTests
{
    const int Channels = 4, Side = 19, Bins = 16; // 361 values per map: 45 vectors of 8 and a tail
    const float Threshold = 0.25f;

    /// <summary>Maps of constant runs (1 to 20 values long) of multiples of 1/8 in [low, high], ~40% zeros: exact in float32.</summary>
    static float[] DesignedBatch(int n, int low, int high, Random random)
    {
        var values = new float[n * Channels * Side * Side];
        int i = 0;
        while (i < values.Length)
        {
            int run = random.Next(1, 21);
            float v = random.NextDouble() < 0.4 ? 0 : random.Next(8 * low, 8 * high + 1) / 8f;
            for (int k = 0; k < run && i < values.Length; k++) values[i++] = v;
        }
        // Every batch reaches both ends of its range, so the histogram range evolves as designed.
        values[5] = low;
        values[^3] = high;
        return values;
    }

    /// <summary>An identity 1x1 conv (exact in float32: x*1 plus zeros) whose output an in-place ReLU then overwrites.</summary>
    static nn.Module<Tensor, Tensor> ConvThenInPlaceRelu()
    {
        var conv = nn.Conv2d(Channels, Channels, 1, bias: false);
        using (no_grad()) conv.weight!.copy_(eye(Channels).reshape(Channels, Channels, 1, 1));
        return nn.Sequential(("conv", conv), ("relu", nn.ReLU(inplace: true)));
    }

    [Fact]
    public void AConvBeforeAnInPlaceReluKeepsItsOwnExactStatistics()
    {
        var random = new Random(13);
        // 32 inputs (split over threads) in [-2, 6], then a narrower range, then one reaching further left: the conv's
        // range grows from [-2, 6] to [-10, 6] (maps of the last batch are binned again). The top stays 6, so no value
        // lies on the closed top edge of an earlier range, and every bin edge is a multiple of 1/2: exact in float32.
        var batches = new[] { (32, -2, 6), (8, -1, 3), (32, -6, 6) }
            .Select(b => (b.Item1, DesignedBatch(b.Item1, b.Item2, b.Item3, random))).ToList();
        using var net = ConvThenInPlaceRelu();

        var report = ActivationStats.Collect(net, batches.Select(b => tensor(b.Item2).reshape(b.Item1, Channels, Side, Side)).ToList(),
            new StatsOptions { Threshold = Threshold, HistogramBins = Bins, NearlyDeadFraction = 0.5 }, "conv", "relu");

        Assert.True(report["conv"].Min < 0, "the conv's statistics saw the values after the in-place ReLU");
        AssertExact(report["conv"], batches, x => x);
        AssertExact(report["relu"], batches, x => Math.Max(x, 0));
    }

    static void AssertExact(LayerStats layer, List<(int N, float[] Values)> batches, Func<double, double> f)
    {
        // The documented range rule: the first batch's [min, max], doubled towards an overflowing side.
        double low = 0, high = 0;
        for (int b = 0; b < batches.Count; b++)
        {
            var all = batches[b].Values.Select(v => f(v)).ToArray();
            if (b == 0) (low, high) = (all.Min(), all.Max());
            while (all.Max() > high) high = low + 2 * (high - low);
            while (all.Min() < low) low = high - 2 * (high - low);
        }
        double width = (high - low) / Bins;

        var layerValues = new List<double>();
        for (int c = 0; c < Channels; c++)
        {
            var v = new List<double>();
            long active = 0;
            foreach (var (n, values) in batches)
                for (int s = 0; s < n; s++)
                {
                    var map = values.Skip((s * Channels + c) * Side * Side).Take(Side * Side).Select(x => f(x)).ToArray();
                    if (map.Max() > Threshold) active++;
                    v.AddRange(map);
                }
            layerValues.AddRange(v);
            var stats = layer.Channels[c];
            double mean = v.Average();
            Assert.Equal(v.Count, stats.Values);
            Assert.Equal(v.Count(x => x == 0) / (double)v.Count, stats.ZeroFraction, 12);
            Assert.Equal(v.Count(x => x <= Threshold) / (double)v.Count, stats.AtOrBelowThresholdFraction, 12);
            Assert.Equal(mean, stats.Mean, 6);
            Assert.Equal(Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / v.Count), stats.Std, 5);
            Assert.Equal(v.Min(), stats.Min);
            Assert.Equal(v.Max(), stats.Max);
            Assert.Equal(active, stats.ActiveInputs);
            Assert.Equal(low, stats.Histogram.Low);
            Assert.Equal(high, stats.Histogram.High);
            var expected = new long[Bins];
            foreach (var x in v) expected[Math.Min(Bins - 1, (int)Math.Floor((x - low) / width))]++;
            Assert.Equal(expected, stats.Histogram.Counts);
        }
        Assert.Equal(layerValues.Count(x => x == 0) / (double)layerValues.Count, layer.Sparsity, 12);
        Assert.Equal(layerValues.Count, layer.Histogram.Total);
    }
}
