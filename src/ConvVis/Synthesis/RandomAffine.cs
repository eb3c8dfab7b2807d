using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Synthesis;

/// <summary>
/// Lucid-style transformation robustness (Olah et al. 2017): before each forward pass the image is scaled, rotated and
/// shifted by small random amounts, all in one bilinear resampling of the same size (borders reflected), so the
/// optimised pattern must work under all of them. Differentiable: the gradient flows back to the untransformed image.
/// </summary>
internal static class RandomAffine
{
    /// <summary>One random draw: scale factor, angle in degrees, shift in pixels.</summary>
    public readonly record struct Draw(double Scale, double Degrees, int Dy, int Dx)
    {
        public bool IsIdentity => Scale == 1 && Degrees == 0 && Dy == 0 && Dx == 0;
    }

    /// <summary>Draws uniformly from the given scales, an angle in [−maxDegrees, maxDegrees] (whole degrees) and a shift in [−maxShift, maxShift].</summary>
    public static Draw Sample(Random random, IReadOnlyList<double> scales, double maxDegrees, int maxShift)
    {
        double s = scales.Count == 0 ? 1 : scales[random.Next(scales.Count)];
        int d = (int)Math.Floor(maxDegrees);
        double angle = d > 0 ? random.Next(-d, d + 1) : 0;
        var (dy, dx) = Jitter.Offset(random, maxShift);
        return new Draw(s, angle, dy, dx);
    }

    /// <summary>Applies the draw to [N, C, H, W] (keeps the graph).</summary>
    public static Tensor Apply(Tensor x, Draw draw)
    {
        if (draw.IsIdentity) return x.alias();
        long n = x.shape[0], h = x.shape[2], w = x.shape[3];
        double a = draw.Degrees * Math.PI / 180, cos = Math.Cos(a) / draw.Scale, sin = Math.Sin(a) / draw.Scale;
        // affine_grid maps each output position (normalised to [-1, 1]) to where it samples the input: the inverse
        // of "scale up, rotate, shift", so a scale above 1 zooms in.
        double tx = -2.0 * draw.Dx / w, ty = -2.0 * draw.Dy / h;
        var theta = tensor(new float[] { (float)cos, (float)-sin, (float)tx, (float)sin, (float)cos, (float)ty }, device: x.device)
            .to(x.dtype).reshape(1, 2, 3).expand(n, 2, 3);
        var grid = nn.functional.affine_grid(theta, [n, x.shape[1], h, w], align_corners: false);
        return nn.functional.grid_sample(x, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Reflection, align_corners: false);
    }
}
