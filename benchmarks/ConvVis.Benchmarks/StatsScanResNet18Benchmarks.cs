using BenchmarkDotNet.Attributes;
using ConvVis;
using static TorchSharp.torch;

namespace ConvVis.Benchmarks;

/// <summary>
/// Issue 13's statistics rows: <see cref="ActivationStats.Collect(nn.Module{Tensor, Tensor}, IEnumerable{Tensor}, string[])"/>
/// on the ImageNet-trained <see cref="PretrainedResNet18"/> (trained weights give real ReLU sparsity), 8 batches of
/// 16 images at 224, against the same loop without hooks. Targets: scan/plain throughput at least 0.95 for the ReLU
/// layers and at least 0.90 for every leaf, i.e. the scan's time at most 1.053x and 1.11x the plain loop's.
/// </summary>
/// <remarks>The environment variables <c>CONVVIS_STATS_BATCHES</c> and <c>CONVVIS_STATS_THREADS</c> set other batch and
/// thread counts (benchmarks/peers/compare.sh --quick uses 2 batches and 1 thread on a busy machine, where one pass of 8
/// batches at 2 threads can take minutes).</remarks>
[Config(typeof(InProcessConfig))]
[MinColumn, MedianColumn, MaxColumn]
public class StatsScanResNet18Benchmarks
{
    PretrainedResNet18 _resnet = null!;
    List<Tensor> _batches = null!;
    int _threadsBefore;

    /// <summary>libtorch intra-op threads: 2, or the counts in <c>CONVVIS_STATS_THREADS</c> (comma-separated).</summary>
    [ParamsSource(nameof(ThreadCounts))]
    public int Threads { get; set; }

    /// <summary>The values of <see cref="Threads"/>.</summary>
    public static IEnumerable<int> ThreadCounts() =>
        Environment.GetEnvironmentVariable("CONVVIS_STATS_THREADS") is { Length: > 0 } list ? list.Split(',').Select(int.Parse) : [2];

    [GlobalSetup]
    public void Setup()
    {
        _threadsBefore = get_num_threads();
        set_num_threads(Threads);
        manual_seed(1);
        _resnet = PretrainedResNet18.Load();
        int count = int.TryParse(Environment.GetEnvironmentVariable("CONVVIS_STATS_BATCHES"), out int n) && n > 0 ? n : 8;
        _batches = MakeBatches(count);
    }

    /// <summary><paramref name="count"/> batches of 16 smooth random images at 224, in the model's own scale (BGR 0..255
    /// minus the mean image), like photos after preprocessing.</summary>
    internal static List<Tensor> MakeBatches(int count) =>
        Enumerable.Range(0, count).Select(_ =>
        {
            using var scope = NewDisposeScope();
            var coarse = rand(16, 3, 28, 28) * 255f;
            var images = nn.functional.interpolate(coarse, size: [224, 224], mode: InterpolationMode.Bilinear, align_corners: false);
            return (images - 120f).DetachFromDisposeScope();
        }).ToList();

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var b in _batches) b.Dispose();
        _resnet.Dispose();
        set_num_threads(_threadsBefore);
    }

    /// <summary>The scan's loop without hooks: no_grad, a dispose scope per batch.</summary>
    [Benchmark(Baseline = true)]
    public long PlainInference()
    {
        long n = 0;
        using var noGrad = no_grad();
        foreach (var b in _batches)
        {
            using var scope = NewDisposeScope();
            n += _resnet.Model.call(b).shape[0];
        }
        return n;
    }

    /// <summary>Statistics of the 19 ReLU layers.</summary>
    [Benchmark]
    public long StatsScanReluLayers() => ActivationStats.Collect(_resnet.Model, _batches, "ReLU").Inputs;

    /// <summary>Statistics of every leaf layer (65).</summary>
    [Benchmark]
    public long StatsScanAllLayers() => ActivationStats.Collect(_resnet.Model, _batches).Inputs;
}
