using BenchmarkDotNet.Attributes;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Benchmarks;

/// <summary>
/// Saliency and guided backprop against their floor: one forward and one backward of the target score to the input,
/// on a batch of 8 images 64×64. Targets: saliency / baseline ≤ 1.2, guided backprop / saliency ≤ 1.3.
/// </summary>
[MemoryDiagnoser, MedianColumn]
public class AttributionGradientBenchmarks
{
    private nn.Module<Tensor, Tensor> _net = null!;
    private Tensor _x = null!;
    private Tensor _classes = null!;
    private Saliency _saliency = null!;
    private GuidedBackprop _guided = null!;
    private AttributionTarget _target = null!;

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(1);
        _net = AttributionNets.SmallCnn();
        foreach (var p in _net.parameters()) p.requires_grad = false; // as the methods do: no parameter graph
        _x = torch.rand(8, 3, 64, 64);
        int[] classes = [0, 1, 2, 3, 4, 5, 6, 7];
        _classes = torch.tensor(classes.Select(c => (long)c).ToArray()).unsqueeze(1);
        _target = AttributionTarget.Classes(classes);
        _saliency = new Saliency(_net);
        _guided = new GuidedBackprop(_net);
    }

    [Benchmark(Baseline = true, Description = "forward + backward")]
    public float ForwardBackward()
    {
        using var scope = torch.NewDisposeScope();
        var x = _x.detach().requires_grad_(true);
        var score = _net.call(x).gather(1, _classes).sum();
        var g = torch.autograd.grad([score], [x])[0];
        return g.abs().amax([1L]).sum().item<float>();
    }

    [Benchmark(Description = "Saliency")]
    public float SaliencyMap()
    {
        using var a = _saliency.Attribute(_x, _target);
        return a.Values[0, 0, 0, 0].item<float>();
    }

    [Benchmark(Description = "Guided backprop")]
    public float GuidedBackpropMap()
    {
        using var a = _guided.Attribute(_x, _target);
        return a.Values[0, 0, 0, 0].item<float>();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _x.Dispose();
        _classes.Dispose();
        _net.Dispose();
    }
}
