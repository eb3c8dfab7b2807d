using BenchmarkDotNet.Attributes;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ConvVis.Benchmarks;

/// <summary>
/// What the conv-gradient correction costs on LeNet-5 (batch 8, 28×28): saliency with no correction, with conv1 (6
/// outputs) corrected as the self-check decides on an affected CPU, and with every conv corrected. Ratios against
/// the uncorrected saliency of the same run.
/// </summary>
[Config(typeof(InProcessConfig)), MemoryDiagnoser, MedianColumn]
public class ConvGradientLeNetBenchmarks
{
    private Sequential _net = null!;
    private Tensor _x = null!;
    private AttributionTarget _target = null!;

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(1);
        torch.manual_seed(0);
        _net = nn.Sequential(
            ("conv1", nn.Conv2d(1, 6, 5, padding: 2)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),
            ("conv2", nn.Conv2d(6, 16, 5)), ("relu2", nn.ReLU()), ("pool2", nn.MaxPool2d(2)),
            ("flatten", nn.Flatten()), ("fc1", nn.Linear(400, 84)), ("relu3", nn.ReLU()), ("fc2", nn.Linear(84, 10)));
        _net.eval();
        _x = torch.rand(8, 1, 28, 28);
        _target = AttributionTarget.Classes([0, 1, 2, 3, 4, 5, 6, 7]);
    }

    private float Saliency(ConvGradientCorrectionMode mode)
    {
        ConvGradientFault.Mode = mode;
        using var a = new Saliency(_net).Attribute(_x, _target);
        return a.Values[0, 0, 0, 0].item<float>();
    }

    [Benchmark(Baseline = true, Description = "LeNet saliency, no correction")]
    public float Uncorrected() => Saliency(ConvGradientCorrectionMode.Never);

    [Benchmark(Description = "LeNet saliency, conv1 corrected (affected CPU)")]
    public float Conv1Corrected()
    {
        ConvGradientFault.Record((Conv2d)_net.children().First(), 0.95); // what the self-check finds on an affected CPU
        return Saliency(ConvGradientCorrectionMode.Auto);
    }

    [Benchmark(Description = "LeNet saliency, every conv corrected")]
    public float AllCorrected() => Saliency(ConvGradientCorrectionMode.Always);

    [GlobalCleanup]
    public void Cleanup()
    {
        ConvGradientFault.ForgetChecks();
        ConvGradientFault.Mode = ConvGradientCorrectionMode.Auto;
        _x.Dispose();
        _net.Dispose();
    }
}

/// <summary>
/// ResNet-18 at 224, batch 1: saliency with the self-check disabled, saliency with the (cached) self-check as by
/// default, and the first-time self-check of all its conv geometries alone. On an unaffected CPU the default must cost
/// nothing; the first-time check must stay under 5 % of one saliency call.
/// </summary>
[Config(typeof(InProcessConfig)), MemoryDiagnoser, MedianColumn]
public class ConvGradientResNetBenchmarks
{
    private CaptureResNet18 _net = null!;
    private Tensor _x = null!;

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(1);
        torch.manual_seed(0);
        _net = new CaptureResNet18();
        _net.eval();
        _x = torch.rand(1, 3, 224, 224);
    }

    private float Saliency(ConvGradientCorrectionMode mode)
    {
        ConvGradientFault.Mode = mode;
        using var a = new Saliency(_net).Attribute(_x, 3);
        return a.Values[0, 0, 0, 0].item<float>();
    }

    [Benchmark(Baseline = true, Description = "ResNet-18 saliency, no self-check")]
    public float Unchecked() => Saliency(ConvGradientCorrectionMode.Never);

    [Benchmark(Description = "ResNet-18 saliency, default (checks cached)")]
    public float Default() => Saliency(ConvGradientCorrectionMode.Auto);

    [Benchmark(Description = "ResNet-18 first-time self-check, all geometries")]
    public int FirstSelfCheck()
    {
        ConvGradientFault.ForgetChecks();
        using var correction = ConvGradientCorrection.Install(_net, ConvGradientCorrectionMode.Auto);
        return correction.CorrectedLayers.Count;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        ConvGradientFault.Mode = ConvGradientCorrectionMode.Auto;
        _x.Dispose();
        _net.Dispose();
    }
}
