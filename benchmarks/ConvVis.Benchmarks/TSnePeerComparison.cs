using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ConvVis;
using ConvVis.Embedding;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project benchmarks/ConvVis.Benchmarks -- tsne-peer [N ...] [--exact]</c>: t-SNE of the
/// benchmark points with ConvVis (Barnes-Hut; exact too with --exact) and scikit-learn (benchmarks/peers/tsne_sklearn.py,
/// needs python3-sklearn), one timed run each (seconds of wall time from points to map). Both final maps are scored with
/// one function: KL over the same sparse P (90 neighbours, perplexity 30) with the exact normaliser Z, so the KL
/// figures compare; each tool's own estimate is printed too. <c>--rounds R</c> repeats the pair R times (interleaved).
/// Each tool uses its default threads (.NET and libtorch: every core the process may use; scikit-learn: OpenMP and BLAS
/// likewise); for one thread each, run the whole command under <c>taskset -c 0</c>, which pins the peer too.
/// </summary>
internal static class TSnePeerComparison
{
    public static void Run(string[] args)
    {
        bool exact = args.Contains("--exact");
        string script = Path.Combine(FindRepo(), "benchmarks", "peers", "tsne_sklearn.py");
        string dir = Path.Combine(Path.GetTempPath(), "convvis-tsne-peer");
        Directory.CreateDirectory(dir);
        int at = Array.IndexOf(args, "--rounds");
        int rounds = at >= 0 ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : 1;
        var sizes = args.Where((a, i) => int.TryParse(a, out _) && (at < 0 || i != at + 1)).Select(int.Parse).DefaultIfEmpty(5000).ToList();
        Console.WriteLine($"threads: .NET {Environment.ProcessorCount} processors, libtorch {torch.get_num_threads()}; OMP_NUM_THREADS={Environment.GetEnvironmentVariable("OMP_NUM_THREADS") ?? "(unset)"}");
        Console.WriteLine("| N | tool | seconds | own KL | KL (same sparse P, exact Z) |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");
        foreach (int n in sizes)
            for (int round = 0; round < rounds; round++)
                Compare(n, exact, script, dir);
    }

    static void Compare(int n, bool exact, string script, string dir)
    {
        using var points = TSneBenchmarkPoints.Make(n);
        string file = Path.Combine(dir, $"points-{n}.f64");
        var raw = TSneBenchmarkPoints.ToArray(points);
        File.WriteAllBytes(file, System.Runtime.InteropServices.MemoryMarshal.AsBytes(raw.AsSpan()).ToArray());
        var p = BarnesHutTSne.Affinities(points, 30, CancellationToken.None);
        double Score(double[] y) => BarnesHutTSne.SparseKl(p, y, BarnesHutTSne.ExactZ(y));

        var watch = Stopwatch.StartNew();
        var bh = TSne.Embed(points, new TSneOptions { Method = TSneMethod.BarnesHut });
        double bhSeconds = watch.Elapsed.TotalSeconds;
        Row(n, "ConvVis Barnes-Hut", bhSeconds, bh.KlDivergence, Score(bh.ToArray()));

        if (exact)
        {
            watch.Restart();
            var ex = TSne.Embed(points, new TSneOptions { Method = TSneMethod.Exact });
            Row(n, "ConvVis exact", watch.Elapsed.TotalSeconds, ex.KlDivergence, Score(ex.ToArray()));
        }

        string output = Path.Combine(dir, $"sklearn-{n}.f64");
        var info = new ProcessStartInfo("/usr/bin/python3", [script, file, n.ToString(CultureInfo.InvariantCulture), "50", output])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var python = Process.Start(info)!;
        string stdout = python.StandardOutput.ReadToEnd();
        string stderr = python.StandardError.ReadToEnd();
        python.WaitForExit();
        if (python.ExitCode != 0)
        {
            Console.WriteLine($"| {n} | scikit-learn | failed: {stderr.Trim().Split('\n').LastOrDefault()} | | |");
            return;
        }
        using var json = JsonDocument.Parse(stdout.Trim().Split('\n')[^1]);
        var y = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(File.ReadAllBytes(output)).ToArray();
        Row(n, "scikit-learn " + json.RootElement.GetProperty("sklearn").GetString(), json.RootElement.GetProperty("seconds").GetDouble(),
            json.RootElement.GetProperty("kl").GetDouble(), Score(y));
    }

    static void Row(int n, string tool, double seconds, double ownKl, double kl) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {n} | {tool} | {seconds:F1} | {ownKl:F4} | {kl:F4} |"));

    static string FindRepo()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "ConvVis.Interactive.sln"))) return d.FullName;
        throw new InvalidOperationException("Run from inside the repository (benchmarks/peers/tsne_sklearn.py is looked up from the output folder).");
    }
}
