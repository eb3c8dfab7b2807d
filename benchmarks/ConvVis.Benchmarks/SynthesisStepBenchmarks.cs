using BenchmarkDotNet.Attributes;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Benchmarks;

/// <summary>
/// One optimisation step of image synthesis against its floor: one forward and one backward of the target scores to
/// the input, on the same batch (8 images 64×64 RGB, the 3-conv benchmark CNN). Each synthesis case runs
/// <see cref="Steps"/> steps per invocation (reported per step, so its setup, first and last scoring are included and
/// amortised). Target: CS231n step / baseline ≤ 1.3.
/// </summary>
[MemoryDiagnoser, MedianColumn, Config(typeof(InProcessConfig))]
public class SynthesisStepBenchmarks
{
    private const int Steps = 50;
    private nn.Module<Tensor, Tensor> _net = null!;
    private Tensor _x = null!;
    private Tensor _classes = null!;
    private AttributionTarget _target = null!;
    private ActivationMaximization _cs231n = null!;
    private ActivationMaximization _lucid = null!;
    private Adversarial _adversarial = null!;

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(1);
        _net = AttributionNets.SmallCnn();
        foreach (var p in _net.parameters()) p.requires_grad = false; // as synthesis does: no parameter graph
        _x = torch.randn(8, 3, 64, 64, generator: new Generator(1));
        int[] classes = [0, 1, 2, 3, 4, 5, 6, 7];
        _classes = torch.tensor(classes.Select(c => (long)c).ToArray()).unsqueeze(1);
        _target = AttributionTarget.Classes(classes);
        var space = ImageSpace.From(ImageNormalization.ImageNet);
        _cs231n = new ActivationMaximization(_net, ActivationMaximizationOptions.Cs231n with { Steps = Steps }) { Space = space };
        _lucid = new ActivationMaximization(_net, ActivationMaximizationOptions.Lucid with { Steps = Steps }) { Space = space };
        _adversarial = new Adversarial(_net) { Space = space };
    }

    [Benchmark(Baseline = true, Description = "forward + backward")]
    public float ForwardBackward()
    {
        using var scope = torch.NewDisposeScope();
        var x = _x.detach().requires_grad_(true);
        var score = _net.call(x).gather(1, _classes).sum();
        var g = torch.autograd.grad([score], [x])[0];
        return g[0, 0, 0, 0].item<float>();
    }

    [Benchmark(OperationsPerInvoke = Steps, Description = "CS231n class visualisation step")]
    public float Cs231nStep()
    {
        using var r = _cs231n.Run(_target, [8, 3, 64, 64]);
        return (float)r.FinalScores![0];
    }

    [Benchmark(OperationsPerInvoke = Steps, Description = "Lucid (Fourier + transforms) step")]
    public float LucidStep()
    {
        using var r = _lucid.Run(_target, [8, 3, 64, 64]);
        return (float)r.FinalScores![0];
    }

    [Benchmark(OperationsPerInvoke = Steps, Description = "PGD step")]
    public float PgdStep()
    {
        using var r = _adversarial.Pgd(_x, _target, new PgdOptions { Steps = Steps, Epsilon = 0.03, StepSize = 0.005 });
        return (float)r.LinfNorms[0];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _net.Dispose();
        _x.Dispose();
        _classes.Dispose();
    }
}
