using static TorchSharp.torch;

namespace ConvVis.Rendering;

/// <summary>Colour planes in [0, 1] to RGB pixels, without a colormap (RGB filters, colour images).</summary>
internal static class RgbPlanes
{
    /// <summary>
    /// [S, 3, h, w] values in [0, 1] to [S, h, w, 3] bytes, each plane quantised as floor(v * 255 + 0.5) (so 0.5 is 128);
    /// a pixel with a NaN in any plane becomes magenta, the NaN colour of every colormap.
    /// </summary>
    public static Tensor ToPixels(Tensor v)
    {
        var nan = v.isnan().any(1, true).permute(0, 2, 3, 1).expand(-1, -1, -1, 3);
        var bytes = (v.nan_to_num(0).clamp(0f, 1f) * 255f + 0.5f).floor_().to(ScalarType.Byte).permute(0, 2, 3, 1);
        using var magenta = tensor(new byte[] { 255, 0, 255 });
        return where(nan, magenta.expand_as(bytes), bytes).contiguous();
    }
}
