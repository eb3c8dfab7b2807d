using BenchmarkDotNet.Attributes;
using static TorchSharp.torch;

namespace ConvVis.Benchmarks;

/// <summary>
/// Issue 13's attribution rows: each method through the public API on ResNet-18 (<see cref="CaptureResNet18"/>,
/// TorchVision's layout, random weights, eval) and a batch of 8 random images at 224, targets classes 0..7 (one per
/// image), against one forward + backward of the target scores to the input; the environment variable
/// <c>CONVVIS_ATTRIBUTION_IMAGES</c> sets another batch size (compare.sh --quick uses 2 on a busy machine). The Python twin is
/// benchmarks/peers/attribution.py (the same jobs written the Captum way); the method names are its job names.
/// </summary>
/// <remarks>
/// Settings (both sides): Grad-CAM at <c>layer4</c>, upsampled to 224; occlusion with a 56×56 window at stride 56
/// (16 windows per image, 8 × 16 + 8 clean rows in batches of 64); integrated gradients with 16 Gauss–Legendre steps
/// from a zero baseline (128 rows in batches of 32, plus one no-grad forward of the 16 end points).
/// Guided backprop: CaptureResNet18 closes each block with a functional <c>relu_()</c>, which ConvVis cannot reach (the
/// result warns; 9 guided ReLUs), while TorchVision reuses the block's ReLU module there, so the Python twin guides
/// all 17.
/// The model's forward runs without its own dispose scope: with it, <see cref="ConvVis.GradCam"/> fails ("Tensor invalid
/// -- empty handle"), because the layer output its hook keeps is created in, and disposed with, that scope.
/// </remarks>
[Config(typeof(InProcessConfig))]
[MinColumn, MedianColumn, MaxColumn]
public class AttributionResNet18Benchmarks
{
    int _threadsBefore;
    CaptureResNet18 _model = null!;
    Tensor _x = null!;
    Tensor _classes = null!;
    AttributionTarget _target = null!;
    Saliency _saliency = null!;
    GuidedBackprop _guided = null!;
    GradCam _gradCam = null!;
    Occlusion _occlusion = null!;
    IntegratedGradients _integrated = null!;

    /// <summary>libtorch intra-op threads for the run.</summary>
    [Params(2)]
    public int Threads { get; set; }

    /// <summary>Builds the model, the images and the explainers.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _threadsBefore = get_num_threads();
        set_num_threads(Threads);
        random.manual_seed(0);
        _model = new CaptureResNet18 { OwnDisposeScope = false }; // GradCam fails on a forward with its own scope
        _model.eval();
        foreach (var p in _model.parameters()) p.requires_grad = false; // as the methods do during a call
        random.manual_seed(1);
        int images = int.TryParse(Environment.GetEnvironmentVariable("CONVVIS_ATTRIBUTION_IMAGES"), out int n) && n > 0 ? n : 8;
        _x = randn(images, 3, 224, 224);
        int[] classes = [.. Enumerable.Range(0, images)];
        _classes = tensor(classes.Select(c => (long)c).ToArray()).unsqueeze(1);
        _target = AttributionTarget.Classes(classes);
        _saliency = new Saliency(_model);
        _guided = new GuidedBackprop(_model);
        _gradCam = new GradCam(_model, "layer4");
        _occlusion = new Occlusion(_model) { Window = (56, 56), Stride = (56, 56), BatchSize = 64 };
        _integrated = new IntegratedGradients(_model) { Steps = 16, BatchSize = 32 };
        // The gradient methods recompute the backward of conv layers whose float32 input gradient is wrong on this
        // machine in float64, which changes their cost: say which layers (the check runs once per process, as theirs).
        using var correction = ConvGradientCorrection.Install(_model);
        Console.WriteLine($"// conv layers with a float64 backward on this machine: {(correction.FaultyLayers.Count == 0 ? "none" : string.Join(", ", correction.FaultyLayers))}");
    }

    /// <summary>The floor of the gradient methods: the input gradient of the target scores, max |.| over channels.</summary>
    [Benchmark(Baseline = true)]
    public float ForwardBackward()
    {
        using var scope = NewDisposeScope();
        var x = _x.detach().requires_grad_(true);
        var score = _model.call(x).gather(1, _classes).sum();
        var g = autograd.grad([score], [x])[0];
        return g.abs().amax([1L]).sum().item<float>();
    }

    /// <summary>Saliency (max |gradient| over channels).</summary>
    [Benchmark]
    public float Saliency() => First(_saliency);

    /// <summary>Guided backprop.</summary>
    [Benchmark]
    public float GuidedBackprop() => First(_guided);

    /// <summary>Grad-CAM at layer4, upsampled to 224.</summary>
    [Benchmark]
    public float GradCam() => First(_gradCam);

    /// <summary>Occlusion, 56×56 window, stride 56: 16 windows per image.</summary>
    [Benchmark]
    public float Occlusion() => First(_occlusion);

    /// <summary>Integrated gradients, 16 steps, zero baseline.</summary>
    [Benchmark]
    public float IntegratedGradients() => First(_integrated);

    float First(AttributionMethod method)
    {
        using var scope = NewDisposeScope();
        using var a = method.Attribute(_x, _target);
        return a.Values[0, 0, 0, 0].item<float>();
    }

    /// <summary>Frees the model and tensors.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _x.Dispose();
        _classes.Dispose();
        _model.Dispose();
        set_num_threads(_threadsBefore);
    }
}
