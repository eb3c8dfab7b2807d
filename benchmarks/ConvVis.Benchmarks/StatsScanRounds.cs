using ConvVis;
using ConvVis.Health;
using ConvVis.Internal;
using static TorchSharp.torch;
using static ConvVis.Benchmarks.RoundStatistics;

namespace ConvVis.Benchmarks;

/// <summary>
/// <c>scan-rounds [rounds] [batches] [threads] [variants]</c>: the statistics rows of <see cref="StatsScanResNet18Benchmarks"/> measured
/// in interleaved rounds (plain inference, the ReLU-layer scan, the every-leaf scan, one after the other in each round),
/// printing each round's two ratios and their medians. Why not only BenchmarkDotNet: it runs all iterations of one case
/// before the next, and on this shared VM the plain forward's speed drifted by up to 40 % between cases minutes apart
/// (5.5 s and 7.9 s for the same 8 batches), which moved the ratios more than the scan costs; a ratio taken within one
/// round cancels that drift. With <c>variants</c>, each round also runs the every-leaf scan with the hooks on one thread,
/// and with the hooks' parallel loops on the .NET pool instead of libtorch's OpenMP team (see LibTorchTeam).
/// </summary>
public static class StatsScanRounds
{
    public static void Run(string[] args)
    {
        int rounds = args.Length > 0 ? int.Parse(args[0]) : 7;
        int batches = args.Length > 1 ? int.Parse(args[1]) : 8;
        int threads = args.Length > 2 ? int.Parse(args[2]) : 2;
        bool variants = args.Length > 3 && args[3] == "variants";
        Environment.SetEnvironmentVariable("CONVVIS_STATS_BATCHES", batches.ToString());
        var bench = new StatsScanResNet18Benchmarks { Threads = threads };
        bench.Setup();
        try
        {
            bench.PlainInference();
            bench.StatsScanReluLayers();
            bench.StatsScanAllLayers();
            Console.WriteLine($"# {batches} batches of 16 at 224, {threads} threads, {rounds} rounds; times in ms");
            Console.WriteLine("round\tplain\trelu_scan\tall_scan\trelu/plain\tall/plain" + (variants ? "\tall_serial/plain\tall_dotnet_pool/plain" : ""));
            var relu = new List<double>();
            var all = new List<double>();
            var serial = new List<double>();
            var dotNetPool = new List<double>();
            for (int r = 1; r <= rounds; r++)
            {
                double plain = Time(() => bench.PlainInference());
                double reluScan = Time(() => bench.StatsScanReluLayers());
                double allScan = Time(() => bench.StatsScanAllLayers());
                relu.Add(reluScan / plain);
                all.Add(allScan / plain);
                string extra = "";
                if (variants)
                {
                    serial.Add(Time(() => WithParallelThreshold(long.MaxValue, bench.StatsScanAllLayers)) / plain);
                    dotNetPool.Add(Time(() => OnDotNetPool(() => bench.StatsScanAllLayers())) / plain);
                    extra = $"\t{serial[^1]:F3}\t{dotNetPool[^1]:F3}";
                }
                Console.WriteLine($"{r}\t{plain:F0}\t{reluScan:F0}\t{allScan:F0}\t{relu[^1]:F3}\t{all[^1]:F3}{extra}");
            }
            Console.WriteLine($"median time ratio: ReLU layers {Median(relu):F3} (throughput {1 / Median(relu):F3}), every leaf {Median(all):F3} (throughput {1 / Median(all):F3})");
            Console.WriteLine($"range: ReLU layers {relu.Min():F3}..{relu.Max():F3}, every leaf {all.Min():F3}..{all.Max():F3}");
            if (variants)
            {
                Console.WriteLine($"every leaf, hooks on one thread: median {Median(serial):F3} ({serial.Min():F3}..{serial.Max():F3})");
                Console.WriteLine($"every leaf, hooks on the .NET pool: median {Median(dotNetPool):F3} ({dotNetPool.Min():F3}..{dotNetPool.Max():F3})");
            }
        }
        finally { bench.Cleanup(); }
    }

    /// <summary>Runs <paramref name="scan"/> with the hooks' parallel threshold set (long.MaxValue: all on the calling thread), then restores it.</summary>
    static void WithParallelThreshold(long threshold, Func<long> scan)
    {
        long thresholdBefore = LayerAccumulator.ParallelThreshold;
        LayerAccumulator.ParallelThreshold = threshold;
        try { scan(); }
        finally { LayerAccumulator.ParallelThreshold = thresholdBefore; }
    }

    /// <summary>Runs <paramref name="scan"/> with the hooks' parallel loops on the .NET pool instead of libtorch's team.</summary>
    internal static void OnDotNetPool(Action scan)
    {
        LibTorchTeam.Enabled = false;
        try { scan(); }
        finally { LibTorchTeam.Enabled = true; }
    }
}
