using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Gradients;

/// <summary>How far a float32 gradient is from its float64 reference: the one measure of the self-check and the gradient check.</summary>
internal static class Float64Comparison
{
    /// <summary>max |actual − expected| / max |expected| (the absolute error when expected is all zero); NaN when not finite.</summary>
    public static double RelativeError(Tensor actual, Tensor expected)
    {
        using var scope = NewDisposeScope();
        double error = (actual.to(ScalarType.Float64) - expected.to(ScalarType.Float64)).abs().max().ToDouble();
        if (double.IsNaN(error) || double.IsInfinity(error)) return double.NaN;
        double scale = expected.abs().max().ToDouble();
        return scale > 0 ? error / scale : error;
    }
}
