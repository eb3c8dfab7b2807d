using BenchmarkDotNet.Attributes;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Benchmarks;

/// <summary>
/// Occlusion of one 64×64 image with 8×8 windows at stride 8 (64 windows, one batch of 64) against a no-grad forward
/// of a batch of 64 images (= number of windows × per-image time of a batched forward). Target: ratio ≤ 1.15.
/// </summary>
[MemoryDiagnoser, MedianColumn]
public class AttributionOcclusionBenchmarks
{
    private nn.Module<Tensor, Tensor> _net = null!;
    private Tensor _batch = null!;
    private Tensor _image = null!;
    private Occlusion _occlusion = null!;

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(1);
        _net = AttributionNets.SmallCnn();
        _batch = torch.rand(64, 3, 64, 64);
        _image = torch.rand(1, 3, 64, 64);
        _occlusion = new Occlusion(_net) { Window = (8, 8), Stride = (8, 8), BatchSize = 64 };
    }

    [Benchmark(Baseline = true, Description = "64 × per-image batched forward")]
    public float BatchedForward()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        return _net.call(_batch)[0, 0].item<float>();
    }

    [Benchmark(Description = "Occlusion, 64 windows")]
    public float Occlusion64Windows()
    {
        using var a = _occlusion.Attribute(_image, 3);
        return a.Values[0, 0, 0, 0].item<float>();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _batch.Dispose();
        _image.Dispose();
        _net.Dispose();
    }
}
