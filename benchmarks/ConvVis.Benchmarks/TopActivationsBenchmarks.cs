using BenchmarkDotNet.Attributes;
using ConvVis;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Benchmarks;

/// <summary>
/// TopActivations throughput against plain inference on the same batches (target: ratio of throughputs at least 0.9,
/// i.e. the search's time at most 1.11x inference). A Fashion-MNIST-sized CNN, 16 batches of 64 images; the search
/// ranks every channel of relu2 (64 units, k = 9), patches included.
/// </summary>
[Config(typeof(InProcessConfig)), MemoryDiagnoser(false), MinColumn, MedianColumn]
public class TopActivationsBenchmarks : SmallCnnScanBenchmarks
{
    /// <summary>Top 9 inputs of each of relu2's 64 channels by max activation.</summary>
    [Benchmark]
    public long TopActivationsAllChannels() => TopActivations.Find(Model, "relu2", null, Batches, k: 9).Inputs;
}
