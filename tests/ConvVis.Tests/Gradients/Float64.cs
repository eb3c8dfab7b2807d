using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Tests.Gradients;

/// <summary>
/// References in float64: libtorch's float32 conv backward is wrong on some CPUs, so a reference computed with the same
/// float32 kernels is no reference. Float64 runs other kernels and is right everywhere.
/// </summary>
internal static class Float64
{
    /// <summary>
    /// Runs <paramref name="compute"/> with <paramref name="net"/>'s parameters and buffers in float64, then puts them
    /// back in float32 (the round trip is exact). Returns the result as a float64 tensor outside any dispose scope's reach.
    /// </summary>
    public static Tensor Run(nn.Module net, Func<Tensor> compute)
    {
        net.to(ScalarType.Float64);
        try { return compute().detach().to(ScalarType.Float64); }
        finally { net.to(ScalarType.Float32); }
    }

    /// <summary>max |actual − expected| / max |expected|, in float64.</summary>
    public static double RelativeError(Tensor actual, Tensor expected)
    {
        using var scope = NewDisposeScope();
        var e = expected.to(ScalarType.Float64);
        double error = (actual.to(ScalarType.Float64) - e).abs().max().item<double>();
        double scale = e.abs().max().item<double>();
        return scale > 0 ? error / scale : error;
    }

    /// <summary>Asserts that <paramref name="actual"/> equals the float64 <paramref name="expected"/> within <paramref name="relative"/> of its largest value.</summary>
    public static void AssertClose(Tensor actual, Tensor expected, double relative = 1e-5)
    {
        Assert.Equal(expected.shape, actual.shape);
        double error = RelativeError(actual, expected);
        Assert.True(error <= relative, $"relative error {error:g3} > {relative:g3}");
    }
}
