using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Synthesis;

/// <summary>
/// Gaussian blur of every channel (CS231n and Yosinski et al.: blurring every few steps removes the high frequencies that
/// gradient ascent otherwise piles up). Separable, reflecting at the borders, radius 4σ as scipy's gaussian_filter.
/// </summary>
internal static class GaussianBlur
{
    /// <summary>The blurred copy of [N, C, H, W] (no graph); σ in pixels.</summary>
    public static Tensor Apply(Tensor x, double sigma)
    {
        if (!(sigma > 0)) return x.detach().clone();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long c = x.shape[1];
        int radius = Math.Max(1, (int)Math.Ceiling(4 * sigma));
        var weights = new float[2 * radius + 1];
        for (int i = -radius; i <= radius; i++) weights[i + radius] = (float)Math.Exp(-0.5 * i * i / (sigma * sigma));
        float sum = weights.Sum();
        var k = tensor(weights.Select(w => w / sum).ToArray(), device: x.device).to(x.dtype);
        // Reflection needs the pad to be smaller than the side; tiny images get a smaller kernel.
        int ry = (int)Math.Min(radius, x.shape[2] - 1), rx = (int)Math.Min(radius, x.shape[3] - 1);
        var y = x.detach();
        if (ry > 0)
        {
            var ky = k.narrow(0, radius - ry, 2 * ry + 1);
            ky = ky / ky.sum();
            y = nn.functional.pad(y, [0, 0, ry, ry], PaddingModes.Reflect);
            y = nn.functional.conv2d(y, ky.reshape(1, 1, -1, 1).expand(c, 1, -1, 1), groups: c);
        }
        if (rx > 0)
        {
            var kx = k.narrow(0, radius - rx, 2 * rx + 1);
            kx = kx / kx.sum();
            y = nn.functional.pad(y, [rx, rx, 0, 0], PaddingModes.Reflect);
            y = nn.functional.conv2d(y, kx.reshape(1, 1, 1, -1).expand(c, 1, 1, -1), groups: c);
        }
        return y.contiguous().MoveToOuterDisposeScope();
    }
}
