using ConvVis.Capture;
using static TorchSharp.torch;
using static ConvVis.Benchmarks.RoundStatistics;

namespace ConvVis.Benchmarks;

/// <summary>
/// <c>capture-rounds [rounds] [passes] [threads]</c>: <see cref="CaptureOverhead"/>'s ratio measured in interleaved rounds.
/// Each round runs <c>passes</c> times a plain forward pass, a pass capturing every leaf with the capture pool and one with
/// fresh memory for every capture, alternating pass by pass, and prints the two ratios to plain. Why: on a shared VM the
/// forward pass's speed drifts between BenchmarkDotNet's back-to-back cases by more than the overhead being measured.
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
                // The three cases alternate pass by pass, so drift of the machine's speed within a round hits all three.
                double plain = 0, withPool = 0, withoutPool = 0;
                for (int i = 0; i < passes; i++)
                {
                    plain += Time(() => bench.PlainForward());
                    withPool += Time(() => bench.ForwardCapturingEveryLeaf());
                    ActivationRecorder.BufferPool = null;
                    withoutPool += Time(() => bench.ForwardCapturingEveryLeaf());
                    ActivationRecorder.BufferPool = pool;
                }
                plain /= passes; withPool /= passes; withoutPool /= passes;
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
}
