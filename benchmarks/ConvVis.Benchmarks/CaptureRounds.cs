using System.Diagnostics;
using ConvVis.Capture;
using static TorchSharp.torch;

namespace ConvVis.Benchmarks;

/// <summary>
/// <c>capture-rounds [rounds] [passes] [threads]</c>: <see cref="CaptureOverhead"/>'s ratio measured in interleaved rounds.
/// Each round times <c>passes</c> plain forward passes, then as many capturing every leaf with the capture pool, then as
/// many with fresh memory for every capture, and prints the two ratios to plain. Why rounds: on a shared VM the forward
/// pass's speed drifts between BenchmarkDotNet's back-to-back cases by more than the overhead being measured.
/// </summary>
public static class CaptureRounds
{
    public static void Run(string[] args)
    {
        int rounds = args.Length > 0 ? int.Parse(args[0]) : 9;
        int passes = args.Length > 1 ? int.Parse(args[1]) : 40;
        int threads = args.Length > 2 ? int.Parse(args[2]) : 1;
        var bench = new CaptureOverhead { Threads = threads };
        bench.Setup();
        var pool = ActivationRecorder.BufferPool;
        try
        {
            for (int i = 0; i < 5; i++) { bench.PlainForward(); bench.ForwardCapturingEveryLeaf(); }
            Console.WriteLine($"# ResNet-18 [1,3,224,224], {threads} thread(s), {rounds} rounds of {passes} passes; times in ms per pass");
            Console.WriteLine("round\tplain\tpooled\tfresh\tpooled/plain\tfresh/plain");
            var pooled = new List<double>();
            var fresh = new List<double>();
            for (int r = 1; r <= rounds; r++)
            {
                double plain = Time(passes, () => bench.PlainForward());
                ActivationRecorder.BufferPool = pool;
                double withPool = Time(passes, () => bench.ForwardCapturingEveryLeaf());
                ActivationRecorder.BufferPool = null;
                double withoutPool = Time(passes, () => bench.ForwardCapturingEveryLeaf());
                ActivationRecorder.BufferPool = pool;
                pooled.Add(withPool / plain);
                fresh.Add(withoutPool / plain);
                Console.WriteLine($"{r}\t{plain:F2}\t{withPool:F2}\t{withoutPool:F2}\t{pooled[^1]:F3}\t{fresh[^1]:F3}");
            }
            Console.WriteLine($"median ratio to plain: pooled {Median(pooled):F3} ({pooled.Min():F3}..{pooled.Max():F3}), fresh memory {Median(fresh):F3} ({fresh.Min():F3}..{fresh.Max():F3})");
        }
        finally
        {
            ActivationRecorder.BufferPool = pool;
            bench.Cleanup();
        }
    }

    static double Time(int passes, Action pass)
    {
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < passes; i++) pass();
        return watch.Elapsed.TotalMilliseconds / passes;
    }

    static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
