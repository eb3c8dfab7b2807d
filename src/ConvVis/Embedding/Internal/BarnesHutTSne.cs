using System.Collections.Concurrent;
using System.Runtime.Intrinsics;
using static TorchSharp.torch;

namespace ConvVis.Embedding;

/// <summary>
/// Barnes-Hut t-SNE (van der Maaten, 2014): P is sparse over each point's 3 x perplexity nearest neighbours, the
/// attraction runs over P's entries and the repulsion over a quadtree of the map, both O(N log N) per iteration.
/// Plain arrays; each point's forces are computed independently (in parallel) and the normaliser Z is summed in
/// point order, so the result does not depend on thread scheduling.
/// </summary>
internal static class BarnesHutTSne
{
    /// <summary>The sparse affinities of points <paramref name="x"/> [N, D] float64.</summary>
    public static SparseAffinities Affinities(Tensor x, double perplexity, CancellationToken token)
    {
        int n = (int)x.shape[0];
        int k = Math.Min(n - 1, (int)Math.Floor(3 * perplexity));
        var (index, distance2) = NearestNeighbors.Find(x, k, token);
        return SparseAffinities.Build(index, distance2, n, k, perplexity, token);
    }

    /// <summary>Runs the optimisation from <paramref name="start"/>; returns the final positions, KL and KL history.</summary>
    public static (double[] Y, double Kl, List<(int, double)> History) Optimize(SparseAffinities p, double[] start, TSneOptions options)
    {
        int n = start.Length / 2;
        var y = (double[])start.Clone();
        var descent = new TSneDescent(n, options);
        var sumQ = new double[n];
        var tree = new QuadTree();
        var history = new List<(int, double)>();
        // The KL after iteration t needs Z at the positions that iteration t + 1 computes its forces at: it is taken
        // from that pass (one force pass less per report), and after the last iteration from one extra pass.
        int reportDue = 0;
        for (int it = 0; it < options.Iterations; it++)
        {
            options.CancellationToken.ThrowIfCancellationRequested();
            double z = Forces(p, y, tree, options, descent.Attraction, descent.Repulsion, sumQ);
            if (reportDue > 0) Report(p, y, z, reportDue, history, options);
            descent.Step(y, z, it);
            int done = it + 1;
            reportDue = done % options.ReportEvery == 0 || done == options.Iterations ? done : 0;
        }
        Report(p, y, Forces(p, y, tree, options, descent.Attraction, descent.Repulsion, sumQ), reportDue, history, options);
        return (y, history[^1].Item2, history);
    }

    /// <summary>Records KL(P || Q) over P's entries with Z from the quadtree (as bhtsne reports it) and tells the progress.</summary>
    static void Report(SparseAffinities p, double[] y, double z, int done, List<(int, double)> history, TSneOptions options)
    {
        history.Add((done, SparseKl(p, y, z)));
        options.Progress?.Report(new WorkProgress("t-SNE", done, options.Iterations, "iterations"));
    }

    /// <summary>Fills the attraction and (unnormalised) repulsion of every point; returns Z, the sum of 1 / (1 + d²) over all ordered pairs.</summary>
    static double Forces(SparseAffinities p, double[] y, QuadTree tree, TSneOptions options, double[] attraction, double[] repulsion, double[] sumQ)
    {
        int n = y.Length / 2;
        tree.Build(y);
        // Points in the tree's Z-order: consecutive points are neighbours on the map, so their traversals open the same
        // cells and the chunk's records stay in cache. Each point's results go to its own slots.
        var order = tree.Order;
        var ranges = Partitioner.Create(0, n, Math.Max(64, n / 64));
        Parallel.ForEach(ranges, new ParallelOptions { CancellationToken = options.CancellationToken }, range =>
        {
            for (int r = range.Item1; r < range.Item2; r++)
            {
                int i = order[r];
                var (rx, ry, q) = tree.Repulsion(i, options.Theta);
                repulsion[2 * i] = rx; repulsion[2 * i + 1] = ry; sumQ[i] = q;
                var (ax, ay) = Attraction(p, y, i);
                attraction[2 * i] = ax; attraction[2 * i + 1] = ay;
            }
        });
        double z = 0;
        for (int i = 0; i < n; i++) z += sumQ[i];
        return z;
    }

    /// <summary>KL(P || Q) over P's entries for a given normaliser <paramref name="z"/>.</summary>
    public static double SparseKl(SparseAffinities p, double[] y, double z)
    {
        int n = y.Length / 2;
        double kl = 0;
        for (int i = 0; i < n; i++)
            for (int e = p.RowStart[i]; e < p.RowStart[i + 1]; e++)
            {
                double v = p.Values[e];
                if (v <= 0) continue;
                int j = p.Columns[e];
                double dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1];
                double q = 1 / (1 + dx * dx + dy * dy) / z;
                kl += v * Math.Log(v / Math.Max(q, 1e-300));
            }
        return kl;
    }

    /// <summary>The exact normaliser Z = sum over i != j of 1 / (1 + |y_i - y_j|²) (O(N²), for checking the quadtree's).</summary>
    public static double ExactZ(double[] y)
    {
        int n = y.Length / 2;
        var rows = new double[n];
        Parallel.For(0, n, i =>
        {
            double s = 0, x0 = y[2 * i], y0 = y[2 * i + 1];
            for (int j = 0; j < n; j++)
            {
                if (j == i) continue;
                double dx = x0 - y[2 * j], dy = y0 - y[2 * j + 1];
                s += 1 / (1 + dx * dx + dy * dy);
            }
            rows[i] = s;
        });
        double z = 0;
        foreach (var r in rows) z += r;
        return z;
    }

    /// <summary>
    /// sum_j p_ij (y_i - y_j) / (1 + |y_i - y_j|²) over row i of P, four entries at a time (the division dominates, and
    /// four go in one instruction), then the row's remainder one by one. The order of the sum is fixed by the row alone.
    /// </summary>
    internal static (double X, double Y) Attraction(SparseAffinities p, double[] y, int i)
    {
        double x0 = y[2 * i], y0 = y[2 * i + 1];
        int e = p.RowStart[i], end = p.RowStart[i + 1];
        var columns = p.Columns;
        var values = p.Values;
        Vector256<double> vx = Vector256.Create(x0), vy = Vector256.Create(y0), one = Vector256<double>.One;
        Vector256<double> fx4 = Vector256<double>.Zero, fy4 = Vector256<double>.Zero;
        for (; e + 4 <= end; e += 4)
        {
            int j0 = 2 * columns[e], j1 = 2 * columns[e + 1], j2 = 2 * columns[e + 2], j3 = 2 * columns[e + 3];
            var dx = vx - Vector256.Create(y[j0], y[j1], y[j2], y[j3]);
            var dy = vy - Vector256.Create(y[j0 + 1], y[j1 + 1], y[j2 + 1], y[j3 + 1]);
            var m = Vector256.Create(values[e], values[e + 1], values[e + 2], values[e + 3]) / (one + dx * dx + dy * dy);
            fx4 += m * dx; fy4 += m * dy;
        }
        double fx = Vector256.Sum(fx4), fy = Vector256.Sum(fy4);
        for (; e < end; e++)
        {
            int j = columns[e];
            double dx = x0 - y[2 * j], dy = y0 - y[2 * j + 1];
            double m = values[e] / (1 + dx * dx + dy * dy);
            fx += m * dx; fy += m * dy;
        }
        return (fx, fy);
    }
}
