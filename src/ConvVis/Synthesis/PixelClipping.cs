using static TorchSharp.torch;

namespace ConvVis.Synthesis;

/// <summary>
/// Yosinski et al. (2015), "Understanding Neural Networks Through Deep Visualization": after a step, pixels whose norm
/// over the channels is in the lowest <c>normPercentile</c> percent, and pixels whose contribution to the objective
/// (|Σ_c x·∂score/∂x|, a first-order estimate of the score lost by zeroing them) is in the lowest
/// <c>contributionPercentile</c> percent, are set to zero, so the picture keeps only what matters.
/// </summary>
internal static class PixelClipping
{
    /// <summary>Zeroes, in place, the pixels of each image of <paramref name="x"/> [N, C, H, W] that fall below the percentiles.</summary>
    public static void Apply(Tensor x, Tensor? gradient, double normPercentile, double contributionPercentile)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        if (normPercentile > 0)
            ZeroBelow(x, x.pow(2).sum([1L], keepdim: true).sqrt(), normPercentile);
        if (contributionPercentile > 0 && gradient is not null)
            ZeroBelow(x, (x * gradient).sum([1L], keepdim: true).abs(), contributionPercentile);
    }

    private static void ZeroBelow(Tensor x, Tensor perPixel, double percentile)
    {
        long n = perPixel.shape[0];
        var flat = perPixel.reshape(n, -1);
        using var q = tensor(percentile / 100.0, dtype: flat.dtype, device: flat.device);
        var threshold = flat.quantile(q, dim: 1, keepdim: true).reshape(n, 1, 1, 1);
        x.mul_(perPixel.gt(threshold).to(x.dtype));
    }
}
