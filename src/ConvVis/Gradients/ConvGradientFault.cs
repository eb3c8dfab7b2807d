using System.Collections.Concurrent;
using ConvVis.Gradients;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// Detects libtorch's wrong float32 conv input gradients. On some x86 CPUs, libtorch 2.10 (TorchSharp-cpu 0.107.0)
/// computes wrong float32 input gradients of <c>Conv2d</c> layers with few output channels when the batch has two or
/// more images (relative errors of 0.2–1.4, sometimes NaN); float64 and the weight gradients are right. Every
/// distinct conv geometry met is checked once per process and thread count: the layer's own float32 input gradient
/// on a small random batch of two against the same gradient in float64. ConvVis's gradient-based methods then
/// recompute the backward pass of the failing layers in float64 (<see cref="ConvGradientCorrection"/>).
/// </summary>
public static class ConvGradientFault
{
    /// <summary>Largest relative error of a float32 input gradient that counts as right (float32 rounding is ~1e-6).</summary>
    public const double Tolerance = 1e-4;

    // The check's cost grows with channels × kernel × output pixels; this many multiply-adds gives small layers (the ones
    // known to fail) a full 16x16 output and big ones a 1x1 one. Reading the weights still costs: about 30 ms for all of
    // ResNet-18's geometries, once per process (ConvGradientBenchmarks).
    private const long CheckBudget = 2_000_000;

    private static readonly ConcurrentDictionary<(ConvGeometry, int), double> Errors = new();
    private static ConvGradientCorrectionMode? _mode;
    private static int _checks;

    /// <summary>
    /// Which layers are corrected; default <see cref="ConvGradientCorrectionMode.Auto"/>, or the environment variable
    /// <c>CONVVIS_CONV_GRADIENT_CORRECTION</c> (<c>auto</c>, <c>always</c>, <c>never</c>).
    /// </summary>
    public static ConvGradientCorrectionMode Mode
    {
        get => _mode ??= ModeFromEnvironment();
        set => _mode = value;
    }

    /// <summary>One plain sentence on what is wrong, what ConvVis does about it, and what the user can do.</summary>
    public const string Explanation =
        "On this machine libtorch computes wrong float32 gradients for the input of some conv layers (few output channels, batches of two or more), a fault of its oneDNN kernels on some CPUs. " +
        "ConvVis recomputes those gradients in float64, so its saliency, attribution and gradient maps are right; " +
        "but your own training of such layers is affected too: start the kernel or process with the environment variable DNNL_MAX_CPU_ISA=AVX set beforehand (setting it from inside a running process is too late).";

    /// <summary>
    /// True when the float32 input gradient of <paramref name="conv"/>'s geometry is wrong on this machine (checked once
    /// per geometry and thread count, then cached).
    /// </summary>
    public static bool IsFaulty(Conv2d conv)
    {
        ArgumentNullException.ThrowIfNull(conv);
        return !(RelativeError(conv) <= Tolerance); // NaN counts as faulty
    }

    /// <summary>
    /// The self-check's relative error (max |float32 − float64| / max |float64|) of <paramref name="conv"/>'s input
    /// gradient; NaN when the float32 gradient is not finite.
    /// </summary>
    public static double RelativeError(Conv2d conv)
    {
        ArgumentNullException.ThrowIfNull(conv);
        var geometry = ConvGeometry.Of(conv);
        return Errors.GetOrAdd((geometry, torch.get_num_threads()), key => Check(conv, key.Item1));
    }

    /// <summary>
    /// True when this machine shows the fault on the layers it is known for: a 3→4 3x3 conv and LeNet-5's 1→6 5x5
    /// conv, each on a batch of two.
    /// </summary>
    public static bool MachineIsAffected()
    {
        using var scope = torch.NewDisposeScope();
        using var a = nn.Conv2d(3, 4, 3, padding: 1);
        using var b = nn.Conv2d(1, 6, 5);
        return IsFaulty(a) || IsFaulty(b);
    }

    /// <summary>Forgets the cached checks (tests; after changing the thread count the cache keys differ anyway).</summary>
    internal static void ForgetChecks() => Errors.Clear();

    private static double Check(Conv2d conv, ConvGeometry geometry)
    {
        Interlocked.Increment(ref _checks);
        // Through the layer's own forward, so the float32 backward runs the very kernels the layer uses.
        return Compare(conv.forward, geometry, conv.weight!);
    }

    /// <summary>
    /// The relative error of <paramref name="layer"/>'s float32 input gradient (the layer as it runs) against
    /// <paramref name="geometry"/>'s float64 recomputation with the same weights, on a random batch of two whose size
    /// keeps the check within a few million multiply-adds (a 16x16 output for small layers). NaN when not finite.
    /// </summary>
    internal static double Compare(Func<Tensor, Tensor> layer, ConvGeometry geometry, Tensor weight)
    {
        using var scope = torch.NewDisposeScope();
        using var enableGrad = torch.enable_grad();
        long macsPerPixel = 2 * geometry.OutChannels * (geometry.InChannels / geometry.Groups) * geometry.KernelH * geometry.KernelW;
        long side = 16;
        while (side > 1 && macsPerPixel * side * side > CheckBudget) side--;
        long h = geometry.InputSizeFor(side, vertical: true), w = geometry.InputSizeFor(side, vertical: false);

        var generator = new torch.Generator(20261202);
        var x = torch.randn([2, geometry.InChannels, h, w], generator: generator);
        var x32 = x.clone().requires_grad_(true);
        var y32 = layer(x32);
        var gradOut = torch.randn(y32.shape, generator: generator);
        var g32 = torch.autograd.grad([y32], [x32], [gradOut])[0];

        var w64 = weight.detach().to(ScalarType.Float64);
        var g64 = geometry.InputGradient(gradOut.to(ScalarType.Float64), w64, h, w) ?? Float64InputGradient(geometry, x, w64, gradOut);

        return Float64Comparison.RelativeError(g32, g64);
    }

    /// <summary>The input gradient by float64 autograd through the geometry (paddings the transposed convolution cannot express).</summary>
    private static Tensor Float64InputGradient(ConvGeometry geometry, Tensor x, Tensor w64, Tensor gradOut)
    {
        var x64 = x.to(ScalarType.Float64).requires_grad_(true);
        var y64 = geometry.Apply(x64, w64, null);
        return torch.autograd.grad([y64], [x64], [gradOut.to(ScalarType.Float64)])[0];
    }

    /// <summary>How many self-checks ran in this process (each geometry and thread count once).</summary>
    internal static int CheckCount => _checks;

    /// <summary>Records a check's result for <paramref name="conv"/>'s geometry (tests: simulate an affected machine).</summary>
    internal static void Record(Conv2d conv, double relativeError)
        => Errors[(ConvGeometry.Of(conv), torch.get_num_threads())] = relativeError;

    private static ConvGradientCorrectionMode ModeFromEnvironment()
        => Environment.GetEnvironmentVariable("CONVVIS_CONV_GRADIENT_CORRECTION")?.Trim().ToLowerInvariant() switch
        {
            "always" => ConvGradientCorrectionMode.Always,
            "never" => ConvGradientCorrectionMode.Never,
            _ => ConvGradientCorrectionMode.Auto,
        };
}
