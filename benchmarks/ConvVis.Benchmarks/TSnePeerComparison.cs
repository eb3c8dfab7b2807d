using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ConvVis;
using ConvVis.Embedding;
using TorchSharp;
using static TorchSharp.torch;
using static ConvVis.Benchmarks.RoundStatistics;

namespace ConvVis.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project benchmarks/ConvVis.Benchmarks -- tsne-peer [N ...] [--rounds R] [--exact] [--theta T]</c>:
/// t-SNE of the benchmark points with ConvVis (Barnes-Hut; exact too with --exact) and scikit-learn
/// (benchmarks/peers/tsne_sklearn.py, needs python3-sklearn), timed (seconds of wall time from points to map). Both
/// final maps are scored with one function: KL over the same sparse P (90 neighbours, perplexity 30) with the exact
/// normaliser Z, so the KL figures compare; each tool's own estimate is printed too. <c>--theta T</c> adds a ConvVis
/// Barnes-Hut run with that accuracy (scikit-learn keeps angle 0.5), to compare at matched KL instead of matched theta.
/// </summary>
/// <remarks>
/// <para>
/// Rounds alternate the tools, so both see the same machine load; the summary gives medians and the median of the
/// per-round time ratios. Round r &gt; 0 feeds both tools the points in a shuffled order (the same shuffle for both;
/// the maps are put back in the original order before scoring): the problem is the same, but rounding differs from
/// the first iteration on and t-SNE's optimisation is chaotic, so the rounds show how much the final KL of one tool
/// varies between equivalent runs (at 5,000 points about half a percent), the scale against which a difference between
/// the tools means something.
/// </para>
/// <para>
/// With --exact, ConvVis's exact method runs too, and scikit-learn's exact method is timed by parts (its fit takes about
/// an hour at 5,000 points here): the exact affinities once and the median of five objective calls, projected to
/// affinities + 1000 calls (<c>tsne_sklearn.py ... exact-steps</c>).
/// </para>
/// <para>
/// Each tool uses its default threads (.NET and libtorch: every core the process may use; scikit-learn: OpenMP and BLAS
/// likewise); for one thread each, run the whole command under <c>taskset -c 0</c>, which pins the peer too.
/// </para>
/// </remarks>
internal static class TSnePeerComparison
{
    sealed record Result(string Tool, int Round, double Seconds, double Kl);

    public static void Run(string[] args)
    {
        bool exact = args.Contains("--exact");
        string script = Path.Combine(FindRepo(), "benchmarks", "peers", "tsne_sklearn.py");
        string dir = Path.Combine(Path.GetTempPath(), "convvis-tsne-peer");
        Directory.CreateDirectory(dir);
        int at = Array.IndexOf(args, "--rounds");
        int rounds = at >= 0 ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : 1;
        int thetaAt = Array.IndexOf(args, "--theta");
        double? theta = thetaAt >= 0 ? double.Parse(args[thetaAt + 1], CultureInfo.InvariantCulture) : null;
        var sizes = args.Where((a, i) => int.TryParse(a, out _) && i != at + 1 && i != thetaAt + 1).Select(int.Parse).DefaultIfEmpty(5000).ToList();
        Console.WriteLine($"threads: .NET {Environment.ProcessorCount} processors, libtorch {torch.get_num_threads()}; OMP_NUM_THREADS={Environment.GetEnvironmentVariable("OMP_NUM_THREADS") ?? "(unset)"}");
        foreach (int n in sizes)
        {
            Console.WriteLine("| N | round | tool | seconds | own KL | KL (same sparse P, exact Z) |");
            Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
            using var points = TSneBenchmarkPoints.Make(n);
            var p = BarnesHutTSne.Affinities(points, 30, CancellationToken.None);
            var results = new List<Result>();
            for (int round = 0; round < rounds; round++)
                results.AddRange(Compare(n, round, points, p, exact, theta, script, dir));
            Summarize(n, results);
        }
    }

    static List<Result> Compare(int n, int round, Tensor points, SparseAffinities p, bool exact, double? theta, string script, string dir)
    {
        var results = new List<Result>();
        var order = Enumerable.Range(0, n).ToArray();
        if (round > 0) new Random(round).Shuffle(order);
        using var shuffled = points.index_select(0, tensor(order.Select(i => (long)i).ToArray())).contiguous();
        // Map row r belongs to original point order[r].
        double Score(double[] y)
        {
            var back = new double[2 * n];
            for (int r = 0; r < n; r++) { back[2 * order[r]] = y[2 * r]; back[2 * order[r] + 1] = y[2 * r + 1]; }
            return BarnesHutTSne.SparseKl(p, back, BarnesHutTSne.ExactZ(back));
        }
        void Add(string tool, double seconds, double ownKl, double kl)
        {
            results.Add(new Result(tool, round, seconds, kl));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {n} | {round} | {tool} | {seconds:F1} | {ownKl:F4} | {kl:F4} |"));
        }

        var watch = Stopwatch.StartNew();
        var bh = TSne.Embed(shuffled, new TSneOptions { Method = TSneMethod.BarnesHut });
        double bhSeconds = watch.Elapsed.TotalSeconds;
        Add("ConvVis Barnes-Hut", bhSeconds, bh.KlDivergence, Score(bh.ToArray()));
        if (theta is double t)
        {
            watch.Restart();
            var finer = TSne.Embed(shuffled, new TSneOptions { Method = TSneMethod.BarnesHut, Theta = t });
            Add(string.Create(CultureInfo.InvariantCulture, $"ConvVis Barnes-Hut, theta {t}"), watch.Elapsed.TotalSeconds, finer.KlDivergence, Score(finer.ToArray()));
        }

        string file = Path.Combine(dir, $"points-{n}.f64");
        File.WriteAllBytes(file, System.Runtime.InteropServices.MemoryMarshal.AsBytes(TSneBenchmarkPoints.ToArray(shuffled).AsSpan()).ToArray());
        string output = Path.Combine(dir, $"sklearn-{n}.f64");
        if (Peer(script, file, n, output, "barnes_hut") is { } sk)
        {
            var y = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(File.ReadAllBytes(output)).ToArray();
            Add("scikit-learn " + sk.RootElement.GetProperty("sklearn").GetString() + " Barnes-Hut", sk.RootElement.GetProperty("seconds").GetDouble(),
                sk.RootElement.GetProperty("kl").GetDouble(), Score(y));
        }

        if (exact)
        {
            watch.Restart();
            var ex = TSne.Embed(shuffled, new TSneOptions { Method = TSneMethod.Exact });
            Add("ConvVis exact", watch.Elapsed.TotalSeconds, ex.KlDivergence, Score(ex.ToArray()));
            if (Peer(script, file, n, output, "exact-steps") is { } steps)
            {
                results.Add(new Result("scikit-learn exact (projected)", round, steps.RootElement.GetProperty("seconds").GetDouble(), double.NaN));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {n} | {round} | scikit-learn exact, projected: affinities {steps.RootElement.GetProperty("affinities").GetDouble():F1} s + 1000 x {steps.RootElement.GetProperty("per_iteration").GetDouble():F3} s | {steps.RootElement.GetProperty("seconds").GetDouble():F0} | | |"));
            }
        }
        return results;
    }

    /// <summary>Runs the peer script; null (and a line saying why) when it fails.</summary>
    static JsonDocument? Peer(string script, string file, int n, string output, string method)
    {
        var info = new ProcessStartInfo("/usr/bin/python3", [script, file, n.ToString(CultureInfo.InvariantCulture), "50", output, method])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var python = Process.Start(info)!;
        var stderr = python.StandardError.ReadToEndAsync();
        string stdout = python.StandardOutput.ReadToEnd();
        python.WaitForExit();
        if (python.ExitCode != 0)
        {
            Console.WriteLine($"| {n} | | scikit-learn {method} | failed: {stderr.Result.Trim().Split('\n').LastOrDefault()} | | |");
            return null;
        }
        return JsonDocument.Parse(stdout.Trim().Split('\n')[^1]);
    }

    /// <summary>Per tool: median seconds and KL (and the KL range); then each tool's time over ConvVis Barnes-Hut's, median over rounds.</summary>
    static void Summarize(int n, List<Result> results)
    {
        Console.WriteLine();
        Console.WriteLine($"N {n}, {results.Max(r => r.Round) + 1} rounds:");
        Console.WriteLine("| tool | median seconds | median KL | KL range | seconds / ConvVis Barnes-Hut's (median of rounds) |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");
        var baseline = results.Where(r => r.Tool == "ConvVis Barnes-Hut").ToDictionary(r => r.Round, r => r.Seconds);
        foreach (var tool in results.GroupBy(r => r.Tool))
        {
            var kls = tool.Select(r => r.Kl).Where(double.IsFinite).ToList();
            string kl = kls.Count == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $"{Median(kls):F4}");
            string range = kls.Count == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $"{kls.Min():F4} - {kls.Max():F4}");
            double ratio = Median(tool.Select(r => r.Seconds / baseline[r.Round]).ToList());
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {tool.Key} | {Median(tool.Select(r => r.Seconds).ToList()):F1} | {kl} | {range} | {ratio:F2} |"));
        }
        Console.WriteLine();
    }


    static string FindRepo()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "ConvVis.Interactive.sln"))) return d.FullName;
        throw new InvalidOperationException("Run from inside the repository (benchmarks/peers/tsne_sklearn.py is looked up from the output folder).");
    }
}
