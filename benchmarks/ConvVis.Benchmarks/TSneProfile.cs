using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using ConvVis.Embedding;
using TorchSharp;
using static TorchSharp.torch;
using static ConvVis.Benchmarks.RoundStatistics;

namespace ConvVis.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project benchmarks/ConvVis.Benchmarks -- tsne-profile [N] [rounds]</c>: where Barnes-Hut
/// t-SNE's time goes. Times the nearest neighbours and affinities, then runs the default optimisation (as
/// BarnesHutTSne.Optimize does it) with a timer per phase; at four points of the run it times the force pass of the
/// old quadtree (<see cref="LegacyQuadTree"/>, points in index order) against the new one (preorder records, points in
/// the tree's Z-order) on the same positions, interleaved, median of the rounds, on all cores and on one, and checks
/// that both give the same forces.
/// </summary>
internal static class TSneProfile
{
    public static void Run(string[] args)
    {
        int n = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5000;
        int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        torch.set_num_threads(1);
        var options = new TSneOptions { Method = TSneMethod.BarnesHut };
        using var points = TSneBenchmarkPoints.Make(n);
        var watch = Stopwatch.StartNew();
        int k = (int)Math.Floor(3 * options.Perplexity);
        var (index, distance2) = NearestNeighbors.Find(points, k, CancellationToken.None);
        double knn = watch.Elapsed.TotalSeconds;
        watch.Restart();
        var p = SparseAffinities.Build(index, distance2, n, k, options.Perplexity, CancellationToken.None);
        double affinities = watch.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"N {n}, {Environment.ProcessorCount} processors: kNN {knn:F2} s, affinities {affinities:F2} s"));

        var y = Start(points, n);
        var descent = new TSneDescent(n, options);
        var (attraction, repulsion) = (descent.Attraction, descent.Repulsion);
        var sumQ = new double[n];
        var tree = new QuadTree();
        var phases = new Stopwatch[5];
        for (int s = 0; s < phases.Length; s++) phases[s] = new Stopwatch();
        int[] snapshots = [1, options.ExaggerationIterations, options.Iterations / 2, options.Iterations - 1];
        Console.WriteLine("| iteration | threads | old force pass ms | new force pass ms | old / new | max force difference |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
        for (int it = 0; it < options.Iterations; it++)
        {
            if (snapshots.Contains(it)) CompareOldAndNew(p, y, options.Theta, rounds, it);
            phases[0].Start();
            tree.Build(y);
            phases[0].Stop();
            var order = tree.Order;
            phases[1].Start();
            ForEachChunk(n, 0, (a, b) =>
            {
                for (int r = a; r < b; r++)
                {
                    int i = order[r];
                    var (rx, ry, q) = tree.Repulsion(i, options.Theta);
                    repulsion[2 * i] = rx; repulsion[2 * i + 1] = ry; sumQ[i] = q;
                }
            });
            phases[1].Stop();
            phases[2].Start();
            ForEachChunk(n, 0, (a, b) =>
            {
                for (int r = a; r < b; r++)
                {
                    int i = order[r];
                    var (ax, ay) = BarnesHutTSne.Attraction(p, y, i);
                    attraction[2 * i] = ax; attraction[2 * i + 1] = ay;
                }
            });
            phases[2].Stop();
            phases[3].Start();
            double z = 0;
            for (int i = 0; i < n; i++) z += sumQ[i];
            descent.Step(y, z, it);
            phases[3].Stop();
        }
        double total = phases.Sum(s => s.Elapsed.TotalSeconds);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"new code, {options.Iterations} iterations, all cores: tree build {phases[0].Elapsed.TotalSeconds:F2} s, repulsion {phases[1].Elapsed.TotalSeconds:F2} s, attraction {phases[2].Elapsed.TotalSeconds:F2} s, update {phases[3].Elapsed.TotalSeconds:F2} s (sum {total:F2} s)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"final KL (exact Z) {BarnesHutTSne.SparseKl(p, y, BarnesHutTSne.ExactZ(y)):F4}"));
    }

    /// <summary>Times old and new force passes (build, repulsion, attraction) on the same positions, alternating, and prints medians.</summary>
    static void CompareOldAndNew(SparseAffinities p, double[] y, double theta, int rounds, int iteration)
    {
        int n = y.Length / 2;
        var legacy = new LegacyQuadTree();
        var tree = new QuadTree();
        var identity = Enumerable.Range(0, n).ToArray();
        var oldForces = new double[3 * n];
        var newForces = new double[3 * n];
        foreach (int threads in new[] { 0, 1 })
        {
            var oldTimes = new List<double>();
            var newTimes = new List<double>();
            for (int round = 0; round < rounds; round++)
            {
                var watch = Stopwatch.StartNew();
                legacy.Build(y);
                Pass(p, y, identity, threads, legacy.Repulsion, theta, oldForces);
                oldTimes.Add(watch.Elapsed.TotalMilliseconds);
                watch.Restart();
                tree.Build(y);
                Pass(p, y, tree.Order, threads, tree.Repulsion, theta, newForces);
                newTimes.Add(watch.Elapsed.TotalMilliseconds);
            }
            double diff = 0;
            for (int c = 0; c < 3 * n; c++) diff = Math.Max(diff, Math.Abs(oldForces[c] - newForces[c]) / (1e-300 + Math.Abs(oldForces[c])));
            double o = Median(oldTimes), m = Median(newTimes);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {iteration} | {(threads == 0 ? "all" : "1")} | {o:F1} | {m:F1} | {o / m:F2} | {diff:E1} (relative) |"));
        }
    }

    static void Pass(SparseAffinities p, double[] y, int[] order, int threads, Func<int, double, (double, double, double)> repulsion, double theta, double[] forces)
    {
        ForEachChunk(y.Length / 2, threads, (a, b) =>
        {
            for (int r = a; r < b; r++)
            {
                int i = order[r];
                var (rx, ry, q) = repulsion(i, theta);
                var (ax, ay) = BarnesHutTSne.Attraction(p, y, i);
                forces[3 * i] = rx - ax; forces[3 * i + 1] = ry - ay; forces[3 * i + 2] = q;
            }
        });
    }

    /// <summary>The chunks BarnesHutTSne uses; <paramref name="threads"/> 0: as many as the scheduler likes.</summary>
    static void ForEachChunk(int n, int threads, Action<int, int> body)
    {
        var ranges = Partitioner.Create(0, n, Math.Max(64, n / 64));
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads == 0 ? -1 : threads };
        Parallel.ForEach(ranges, parallel, range => body(range.Item1, range.Item2));
    }


    /// <summary>TSne's PCA start: the first two principal components scaled so that the first has std 1e-4.</summary>
    static double[] Start(Tensor points, int n)
    {
        using var scores = PrincipalComponents.Scores(points, 2).contiguous();
        var y = scores.data<double>().ToArray();
        double mean = 0, v = 0;
        for (int i = 0; i < n; i++) mean += y[2 * i];
        mean /= n;
        for (int i = 0; i < n; i++) v += (y[2 * i] - mean) * (y[2 * i] - mean);
        double sd = Math.Sqrt(v / n);
        for (int i = 0; i < y.Length; i++) y[i] *= 1e-4 / sd;
        return y;
    }
}
