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
public class TopActivationsBenchmarks
{
    nn.Module<Tensor, Tensor> _model = null!;
    List<Tensor> _batches = null!;

    /// <summary>libtorch intra-op threads (0: its default). On a shared, oversubscribed machine 1 gives stable figures.</summary>
    [Params(1)]
    public int TorchThreads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        if (TorchThreads > 0) torch.set_num_threads(TorchThreads);
        torch.manual_seed(1);
        _model = nn.Sequential(
            ("conv1", nn.Conv2d(1, 32, 3, padding: 1)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),
            ("conv2", nn.Conv2d(32, 64, 3, padding: 1)), ("relu2", nn.ReLU()), ("pool2", nn.MaxPool2d(2)),
            ("flatten", nn.Flatten()), ("fc", nn.Linear(64 * 7 * 7, 10)));
        _model.eval();
        _batches = Enumerable.Range(0, 16).Select(_ => rand(64, 1, 28, 28).DetachFromDisposeScope()).ToList();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var b in _batches) b.Dispose();
        _model.Dispose();
    }

    /// <summary>The same loop the search does, without the hook: no_grad, a dispose scope per batch.</summary>
    [Benchmark(Baseline = true)]
    public long PlainInference()
    {
        long n = 0;
        using var noGrad = no_grad();
        foreach (var b in _batches)
        {
            using var scope = NewDisposeScope();
            n += _model.call(b).shape[0];
        }
        return n;
    }

    /// <summary>Top 9 inputs of each of relu2's 64 channels by max activation.</summary>
    [Benchmark]
    public long TopActivationsAllChannels() => TopActivations.Find(_model, "relu2", null, _batches, k: 9).Inputs;
}
