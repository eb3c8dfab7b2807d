using ConvVis.Embedding;
using static TorchSharp.torch;

namespace ConvVis.Tests.Embedding;

public class BarnesHutTests
{
    static double[] RandomMap(int n, int seed)
    {
        var random = new Random(seed);
        // Clumps and spread-out points, with two exact duplicates, like a map in the middle of an optimisation.
        var xy = Enumerable.Range(0, 2 * n).Select(i => (i % 7 == 0 ? 20 : 1) * (random.NextDouble() - 0.5)).ToArray();
        xy[2] = xy[0]; xy[3] = xy[1];
        return xy;
    }

    [Fact]
    public void QuadTreeRepulsionIsExactAtThetaZeroAndCloseAtHalf()
    {
        int n = 300;
        var y = RandomMap(n, 1);
        var tree = new QuadTree();
        tree.Build(y);
        double exactZ = BarnesHutTSne.ExactZ(y), z0 = 0, zHalf = 0, forceError = 0, forceScale = 0;
        for (int i = 0; i < n; i++)
        {
            double fx = 0, fy = 0;
            for (int j = 0; j < n; j++)
            {
                if (j == i) continue;
                double dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1], q = 1 / (1 + dx * dx + dy * dy);
                fx += q * q * dx; fy += q * q * dy;
            }
            var exact = tree.Repulsion(i, 0);
            Assert.Equal(fx, exact.Fx, 1e-9 * (1 + Math.Abs(fx)));
            Assert.Equal(fy, exact.Fy, 1e-9 * (1 + Math.Abs(fy)));
            z0 += exact.SumQ;
            var approx = tree.Repulsion(i, 0.5);
            zHalf += approx.SumQ;
            forceError += Math.Abs(approx.Fx - fx) + Math.Abs(approx.Fy - fy);
            forceScale += Math.Abs(fx) + Math.Abs(fy);
        }
        Assert.Equal(exactZ, z0, 1e-9 * exactZ);
        Assert.True(Math.Abs(zHalf - exactZ) < 0.02 * exactZ, $"Z {zHalf} vs {exactZ}");
        Assert.True(forceError < 0.05 * forceScale, $"relative force error {forceError / forceScale}");
    }

    [Fact]
    public void PreorderTreeGivesTheTextbookBarnesHutForcesAndVisitsPointsInZOrder()
    {
        int n = 400;
        var y = RandomMap(n, 2);
        // A group of five identical points, so leaves with several bodies are covered too.
        for (int i = 1; i < 5; i++) { y[2 * (10 + i)] = y[20]; y[2 * (10 + i) + 1] = y[21]; }
        var tree = new QuadTree();
        tree.Build(y);
        foreach (double theta in new[] { 0.5, 1.0 })
            for (int i = 0; i < n; i++)
            {
                var expected = ReferenceRepulsion(y, i, theta);
                var got = tree.Repulsion(i, theta);
                Assert.Equal(expected.Fx, got.Fx, 1e-12 * (1 + Math.Abs(expected.Fx)));
                Assert.Equal(expected.Fy, got.Fy, 1e-12 * (1 + Math.Abs(expected.Fy)));
                Assert.Equal(expected.SumQ, got.SumQ, 1e-12 * expected.SumQ);
            }

        // The visiting order is a permutation whose consecutive points are near each other on the map.
        var order = tree.Order;
        Assert.Equal(Enumerable.Range(0, n), order.Order());
        double Step(IReadOnlyList<int> o) => Enumerable.Range(1, n - 1).Average(r =>
            Math.Sqrt(Math.Pow(y[2 * o[r]] - y[2 * o[r - 1]], 2) + Math.Pow(y[2 * o[r] + 1] - y[2 * o[r - 1] + 1], 2)));
        double zStep = Step(order), indexStep = Step(Enumerable.Range(0, n).ToArray());
        Assert.True(zStep < indexStep / 4, $"mean step along the order {zStep} vs by index {indexStep}");
    }

    /// <summary>Barnes-Hut by the book, recursing over lists of points: the same cells, criterion and leaf rule as the quadtree.</summary>
    static (double Fx, double Fy, double SumQ) ReferenceRepulsion(double[] y, int i, double theta)
    {
        int n = y.Length / 2;
        var xs = Enumerable.Range(0, n).Select(j => y[2 * j]).ToArray();
        var ys = Enumerable.Range(0, n).Select(j => y[2 * j + 1]).ToArray();
        double half = Math.Max(xs.Max() - xs.Min(), ys.Max() - ys.Min()) / 2 * (1 + 1e-6) + 1e-12;
        double fx = 0, fy = 0, sumQ = 0;
        void Visit(List<int> points, double cx, double cy, double h)
        {
            if (points.Count == 0) return;
            double mx = points.Sum(j => xs[j]) / points.Count, my = points.Sum(j => ys[j]) / points.Count;
            double dx = xs[i] - mx, dy = ys[i] - my, d2 = dx * dx + dy * dy;
            bool leaf = points.All(j => xs[j] == xs[points[0]] && ys[j] == ys[points[0]]);
            if (leaf || 4 * h * h < theta * theta * d2)
            {
                int c = leaf && points.Contains(i) ? points.Count - 1 : points.Count;
                double q = 1 / (1 + d2);
                sumQ += c * q; fx += c * q * q * dx; fy += c * q * q * dy;
                return;
            }
            for (int quadrant = 0; quadrant < 4; quadrant++)
            {
                bool right = (quadrant & 1) == 1, top = (quadrant & 2) == 2;
                Visit(points.Where(j => xs[j] >= cx == right && ys[j] >= cy == top).ToList(), right ? cx + h / 2 : cx - h / 2, top ? cy + h / 2 : cy - h / 2, h / 2);
            }
        }
        Visit(Enumerable.Range(0, n).ToList(), (xs.Min() + xs.Max()) / 2, (ys.Min() + ys.Max()) / 2, half);
        return (fx, fy, sumQ);
    }

    [Fact]
    public void SparseAffinitiesAreSymmetricAndEqualExactOnesWithAllNeighbours()
    {
        var (x, _) = GaussianClusters.Make(3, 12, 5);
        using (x)
        {
            // 3 x perplexity 12 = 36 neighbours = every other point: the sparse P is the dense one.
            var sparse = BarnesHutTSne.Affinities(x, 12, CancellationToken.None);
            using var dense = ExactTSne.Affinities(x, 12, CancellationToken.None);
            var d = dense.data<double>().ToArray();
            Assert.Equal(1, sparse.Values.Sum(), 12);
            for (int i = 0; i < 36; i++)
            {
                Assert.Equal(35, sparse.RowStart[i + 1] - sparse.RowStart[i]);
                for (int e = sparse.RowStart[i]; e < sparse.RowStart[i + 1]; e++)
                    Assert.Equal(d[i * 36 + sparse.Columns[e]], sparse.Values[e], 1e-14);
            }
        }
    }

    [Fact]
    public void AgreesWithTheExactMethodAtModerateSize()
    {
        var (x, labels) = GaussianClusters.Make(5, 100, 30, seed: 4);
        using (x)
        {
            var exact = TSne.Embed(x, new TSneOptions { Method = TSneMethod.Exact }, labels);
            var bh = TSne.Embed(x, new TSneOptions { Method = TSneMethod.BarnesHut }, labels);
            Assert.Equal(TSneMethod.BarnesHut, bh.Method);
            // Both maps scored against the same dense P.
            using var p = ExactTSne.Affinities(x, 30, CancellationToken.None);
            using var ye = exact.ToTensor();
            using var yb = bh.ToTensor();
            double klExact = ExactTSne.Kl(p, ye), klBh = ExactTSne.Kl(p, yb);
            double trustExact = EmbeddingQuality.Trustworthiness(x, exact, 10), trustBh = EmbeddingQuality.Trustworthiness(x, bh, 10);
            double keptExact = EmbeddingQuality.NeighborPreservation(x, exact, 10), keptBh = EmbeddingQuality.NeighborPreservation(x, bh, 10);
            string report = $"KL exact {klExact:F4} BH {klBh:F4} (BH's own {bh.KlDivergence:F4}); trust {trustExact:F4} {trustBh:F4}; kept {keptExact:F4} {keptBh:F4}";
            // Measured here: KL 0.7421 and 0.7431, trustworthiness 0.9644 and 0.9638, preservation 0.3846 and 0.3844.
            Assert.True(Math.Abs(klBh - klExact) < 0.02 * klExact, report);
            Assert.True(Math.Abs(trustBh - trustExact) < 0.01, report);
            Assert.True(Math.Abs(keptBh - keptExact) < 0.02, report);
            Assert.Equal(1.0, GaussianClusters.PureNeighbourhoods(bh, labels, 10));
            Console.WriteLine(report);
        }
    }

    [Fact]
    public void DeterministicAndCancellable()
    {
        var (x, _) = GaussianClusters.Make(4, 30, 10, seed: 5);
        using (x)
        {
            var options = new TSneOptions { Method = TSneMethod.BarnesHut, Perplexity = 10, Iterations = 300 };
            Assert.Equal(TSne.Embed(x, options).ToArray(), TSne.Embed(x, options).ToArray());
            using var cts = new CancellationTokenSource();
            var seen = new List<long>();
            var cancelling = options with
            {
                ReportEvery = 10,
                Progress = new Progress(p => { seen.Add(p.Done); if (p.Done == 30) cts.Cancel(); }),
                CancellationToken = cts.Token,
            };
            Assert.ThrowsAny<OperationCanceledException>(() => TSne.Embed(x, cancelling));
            Assert.Equal(new long[] { 10, 20, 30 }, seen);
        }
    }

    sealed class Progress(Action<WorkProgress> onReport) : IProgress<WorkProgress>
    {
        public void Report(WorkProgress value) => onReport(value);
    }
}
