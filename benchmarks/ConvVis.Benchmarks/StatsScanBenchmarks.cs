using BenchmarkDotNet.Attributes;

namespace ConvVis.Benchmarks;

/// <summary>
/// Statistics scan throughput against plain inference on a small CNN (the target: scan/plain
/// throughput at least 0.9, i.e. the scan's time at most 1.11x inference). 16 batches of 64 images.
/// </summary>
[MemoryDiagnoser(false), MinColumn, MedianColumn]
[Config(typeof(InProcessConfig))]
public class StatsScanBenchmarks : SmallCnnScanBenchmarks
{
    /// <summary>Statistics of the two ReLU layers (the usual sparsity / dead-filter scan).</summary>
    [Benchmark]
    public long StatsScanReluLayers() => ActivationStats.Collect(Model, Batches, "relu1", "relu2").Inputs;

    /// <summary>Statistics of every leaf layer.</summary>
    [Benchmark]
    public long StatsScanAllLayers() => ActivationStats.Collect(Model, Batches).Inputs;
}
