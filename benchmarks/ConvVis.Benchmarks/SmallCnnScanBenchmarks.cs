using BenchmarkDotNet.Attributes;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Benchmarks;

/// <summary>
/// What the benchmarks of a scan over data against plain inference share: a Fashion-MNIST-sized CNN (conv1, relu1,
/// pool1, conv2, relu2, pool2, flatten, fc), 16 batches of 64 images, and the baseline, the same loop a scan does
/// without hooks (no_grad, a dispose scope per batch).
/// </summary>
public abstract class SmallCnnScanBenchmarks
{
    /// <summary>The model, in eval mode.</summary>
    protected nn.Module<Tensor, Tensor> Model { get; private set; } = null!;

    /// <summary>The input batches, [64, 1, 28, 28] each.</summary>
    protected List<Tensor> Batches { get; private set; } = null!;

    /// <summary>libtorch intra-op threads (0: its default). On a shared, oversubscribed machine 1 gives stable figures.</summary>
    [Params(1)]
    public int TorchThreads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        if (TorchThreads > 0) torch.set_num_threads(TorchThreads);
        torch.manual_seed(1);
        Model = nn.Sequential(
            ("conv1", nn.Conv2d(1, 32, 3, padding: 1)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),
            ("conv2", nn.Conv2d(32, 64, 3, padding: 1)), ("relu2", nn.ReLU()), ("pool2", nn.MaxPool2d(2)),
            ("flatten", nn.Flatten()), ("fc", nn.Linear(64 * 7 * 7, 10)));
        Model.eval();
        Batches = Enumerable.Range(0, 16).Select(_ => rand(64, 1, 28, 28).DetachFromDisposeScope()).ToList();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var b in Batches) b.Dispose();
        Model.Dispose();
    }

    /// <summary>The same loop a scan does, without hooks: no_grad, a dispose scope per batch.</summary>
    [Benchmark(Baseline = true)]
    public long PlainInference()
    {
        long n = 0;
        using var noGrad = no_grad();
        foreach (var b in Batches)
        {
            using var scope = NewDisposeScope();
            n += Model.call(b).shape[0];
        }
        return n;
    }
}
