using ConvVis.Embedding;
using static TorchSharp.torch;

namespace ConvVis.Tests.Embedding;

public class TSneTests
{
    sealed class SyncProgress(Action<WorkProgress> onReport) : IProgress<WorkProgress>
    {
        public void Report(WorkProgress value) => onReport(value);
    }

    [Fact]
    public void CalibrationFindsTheAnalyticPrecision()
    {
        // Two neighbours at squared distances 0 and 1: p = (1, e^-b) / (1 + e^-b), entropy H(b) = ln(1 + e^-b) + b e^-b / (1 + e^-b).
        foreach (double b in new[] { 0.3, 1.5, 4.0 })
        {
            double e = Math.Exp(-b);
            double h = Math.Log(1 + e) + b * e / (1 + e);
            var p = new double[2];
            double found = PerplexityCalibration.Fit([0, 1], Math.Exp(h), p);
            // The bisection stops when the entropy is within 1e-5 nats of the target, so beta and p agree to about 1e-4.
            Assert.True(Math.Abs(found - b) < 1e-3 * b, $"beta {found}, expected {b}");
            Assert.Equal(1 / (1 + e), p[0], 3);
            Assert.Equal(e / (1 + e), p[1], 3);
        }
    }

    [Fact]
    public void CalibrationHitsTheTargetEntropyOnEveryRow()
    {
        var random = new Random(3);
        foreach (double perplexity in new[] { 5.0, 30.0 })
            for (int row = 0; row < 20; row++)
            {
                // Squared distances spread over four orders of magnitude, as in real codes.
                var d2 = Enumerable.Range(0, 90).Select(_ => Math.Pow(10, 4 * random.NextDouble())).ToArray();
                var p = new double[d2.Length];
                PerplexityCalibration.Fit(d2, perplexity, p);
                Assert.Equal(1, p.Sum(), 12);
                double entropy = -p.Where(v => v > 0).Sum(v => v * Math.Log(v));
                Assert.Equal(Math.Log(perplexity), entropy, 4);
            }
    }

    [Fact]
    public void ExactAffinitiesAreSymmetricAndSumToOne()
    {
        var (x, _) = GaussianClusters.Make(3, 20, 5);
        using (x)
        using (var p = ExactTSne.Affinities(x, 10, CancellationToken.None))
        {
            Assert.Equal(1, p.sum().item<double>(), 10);
            Assert.Equal(0, (p - p.t()).abs().max().item<double>(), 15);
            Assert.Equal(0, p.diagonal().abs().max().item<double>());
        }
    }

    [Fact]
    public void FusedExactPassMatchesTheFloat64TensorFormulas()
    {
        // 163 points: not a multiple of the pass's eight columns, so its scalar remainder is covered too.
        var (x, _) = GaussianClusters.Make(3, 54, 10, seed: 3);
        var (x1, _) = GaussianClusters.Make(1, 1, 10, seed: 9);
        using (x)
        using (x1)
        using (var p = ExactTSne.Affinities(cat([x, x1]), 10, CancellationToken.None))
        {
            int n = 163;
            var random = new Random(4);
            var yArray = Enumerable.Range(0, 2 * n).Select(_ => 6 * (random.NextDouble() - 0.5)).ToArray();
            using var y = tensor(yArray, [n, 2]);
            // Reference in float64 tensors: q = num / Z, dC/dy_i = 4 sum_j (p_ij - q_ij) num_ij (y_i - y_j).
            using var d2 = (y.unsqueeze(1) - y.unsqueeze(0)).pow(2).sum(2);
            using var num = (d2 + 1).reciprocal();
            num.diagonal().zero_();
            double z = num.sum().item<double>();
            using var q = num / z;
            using var pq = (p - q) * num;
            var expected = (4 * (pq.sum(1, keepdim: true) * y - pq.mm(y))).data<double>().ToArray();
            double kl = (p * (p.clamp_min(1e-12).log() - q.clamp_min(1e-12).log())).sum().item<double>();

            var dense = new DenseAffinities(p);
            var attraction = new double[2 * n];
            var repulsion = new double[2 * n];
            double fusedZ = dense.Forces(yArray, attraction, repulsion);
            Assert.Equal(z, fusedZ, 1e-12 * z);
            // P is held in float32 (relative rounding 6e-8): the gradient may differ by that much of its scale, no more.
            double scale = expected.Max(Math.Abs), worst = 0;
            for (int c = 0; c < 2 * n; c++) worst = Math.Max(worst, Math.Abs(4 * (attraction[c] - repulsion[c] / fusedZ) - expected[c]));
            Assert.True(worst < 1e-6 * scale, $"gradient differs by {worst} (scale {scale})");
            Assert.Equal(kl, dense.Kl(yArray), 1e-6 * kl);
        }
    }

    [Fact]
    public void SeparatesGaussianClustersAndKeepsNeighbourhoods()
    {
        var (x, labels) = GaussianClusters.Make(5, 40, 20);
        using (x)
        {
            var map = TSne.Embed(x, new TSneOptions { Method = TSneMethod.Exact }, labels);
            Assert.Equal(TSneMethod.Exact, map.Method);
            Assert.Equal(200, map.Count);
            // Every point's 10 nearest map neighbours are of its own cluster.
            Assert.Equal(1.0, GaussianClusters.PureNeighbourhoods(map, labels, 10));
            double trust = EmbeddingQuality.Trustworthiness(x, map, 10);
            double kept = EmbeddingQuality.NeighborPreservation(x, map, 10);
            // A random map keeps about k / N = 5% of the neighbours and has trustworthiness about 0.5.
            Assert.True(trust > 0.9, $"trustworthiness {trust}");
            Assert.True(kept > 0.25, $"neighbour preservation {kept}");
        }
    }

    [Fact]
    public void KlFallsOverIterations()
    {
        var (x, _) = GaussianClusters.Make(4, 40, 10, seed: 1);
        using (x)
        {
            var map = TSne.Embed(x, new TSneOptions { Method = TSneMethod.Exact, ReportEvery = 25, Perplexity = 20 });
            var kl = map.KlHistory.Select(h => h.Kl).ToArray();
            Assert.Equal(1000 / 25, kl.Length);
            Assert.Equal(map.KlDivergence, kl[^1]);
            Assert.True(kl[^1] < 0.5 * kl[0], $"KL {kl[0]} -> {kl[^1]}");
            // After early exaggeration every block lowers the KL (gradient descent with small steps, up to rounding).
            var after = map.KlHistory.Where(h => h.Iteration >= 300).Select(h => h.Kl).ToArray();
            for (int i = 1; i < after.Length; i++) Assert.True(after[i] <= after[i - 1] + 1e-9, $"KL rose from {after[i - 1]} to {after[i]}");
            // The reported KL is the KL of the returned map.
            using var p = ExactTSne.Affinities(x, 20, CancellationToken.None);
            using var y = map.ToTensor();
            Assert.Equal(map.KlDivergence, ExactTSne.Kl(p, y), 10);
        }
    }

    [Fact]
    public void SameSeedSameMap()
    {
        var (x, _) = GaussianClusters.Make(3, 30, 8, seed: 2);
        using (x)
        {
            var options = new TSneOptions { Method = TSneMethod.Exact, Iterations = 300, Perplexity = 15 };
            Assert.Equal(TSne.Embed(x, options).ToArray(), TSne.Embed(x, options).ToArray());
            var random = options with { Initialization = TSneInitialization.Random, Seed = 7 };
            var a = TSne.Embed(x, random).ToArray();
            Assert.Equal(a, TSne.Embed(x, random).ToArray());
            Assert.NotEqual(a, TSne.Embed(x, random with { Seed = 8 }).ToArray());
        }
    }

    [Fact]
    public void CancellationStopsTheOptimisation()
    {
        var (x, _) = GaussianClusters.Make(3, 30, 8);
        using (x)
        {
            using var cts = new CancellationTokenSource();
            var reports = new List<WorkProgress>();
            var options = new TSneOptions
            {
                Method = TSneMethod.Exact, Perplexity = 10, ReportEvery = 10,
                Progress = new SyncProgress(p => { reports.Add(p); if (p.Done == 20) cts.Cancel(); }),
                CancellationToken = cts.Token,
            };
            Assert.ThrowsAny<OperationCanceledException>(() => TSne.Embed(x, options));
            Assert.Equal(new long[] { 10, 20 }, reports.Select(r => r.Done));
            Assert.All(reports, r => Assert.Equal(1000, r.Total));
            Assert.ThrowsAny<OperationCanceledException>(() => TSne.Embed(x, options));
        }
    }

    [Fact]
    public void BadInputIsRefusedWithTheFix()
    {
        using var x = randn(10, 3, dtype: ScalarType.Float64);
        var tooHigh = Assert.Throws<ArgumentOutOfRangeException>(() => TSne.Embed(x));
        Assert.Contains("Perplexity 30 is not below the number of points (10)", tooHigh.Message);
        x[4, 1] = double.NaN;
        var nan = Assert.Throws<ArgumentException>(() => TSne.Embed(x, new TSneOptions { Perplexity = 3 }));
        Assert.Contains("Row 4", nan.Message);
        using var images = zeros(10, 1, 2, 2);
        Assert.Contains("t.flatten(1)", Assert.Throws<ArgumentException>(() => TSne.Embed(images)).Message);
    }
}
