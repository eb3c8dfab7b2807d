using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Attributions.Rendering;

/// <summary>
/// The maths of an attribution overlay, on tensors: reduce the map over channels, scale it by a percentile of its
/// magnitude, look colours up in a colormap, and alpha-blend them over the input image. All results are CPU tensors
/// in the caller's dispose scope.
/// </summary>
internal static class HeatmapOverlay
{
    /// <summary>The input images [N, C, H, W] as RGB [N, H, W, 3] in [0, 1]: kept when already in [0, 1], else min–max scaled per image.</summary>
    public static Tensor BaseImage(Tensor inputs)
    {
        var x = inputs.detach().cpu().to(ScalarType.Float32).nan_to_num(0);
        long n = x.shape[0];
        x = x.shape[1] switch
        {
            3 => x,
            1 => x.expand(-1, 3, -1, -1),
            _ => x.mean([1L], keepdim: true).expand(-1, 3, -1, -1),
        };
        var flat = x.reshape(n, -1);
        var lo = flat.amin([1L]);
        var hi = flat.amax([1L]);
        bool inUnitRange = lo.min().item<float>() >= 0 && hi.max().item<float>() <= 1;
        if (!inUnitRange)
        {
            var range = (hi - lo).clamp_min(1e-12f);
            x = (x - lo.reshape(n, 1, 1, 1)) / range.reshape(n, 1, 1, 1);
        }
        return x.permute(0, 2, 3, 1).contiguous();
    }

    /// <summary>True when the map should be drawn signed.</summary>
    public static bool IsSigned(Tensor values, AttributionSign sign)
        => sign == AttributionSign.Signed || (sign == AttributionSign.Auto && values.min().item<float>() < 0);

    /// <summary>
    /// The map [N, C', h, w] as colours [N, H, W, 3] in [0, 1] at the input size (H, W): channels summed (as Captum),
    /// scaled by the <paramref name="percentile"/> of |map| per image, then coloured.
    /// </summary>
    public static Tensor Heat(Tensor values, long height, long width, bool signed, Colormap unsignedMap, double percentile)
    {
        var m = values.detach().cpu().to(ScalarType.Float32).nan_to_num(0).sum([1L], keepdim: true); // [N, 1, h, w]
        if (m.shape[2] != height || m.shape[3] != width)
            m = nn.functional.interpolate(m, size: [height, width], mode: InterpolationMode.Bilinear, align_corners: false);
        long n = m.shape[0];
        var magnitude = m.abs().reshape(n, -1);
        long k = Math.Clamp((long)Math.Ceiling(percentile / 100 * magnitude.shape[1]), 1, magnitude.shape[1]);
        var scale = magnitude.kthvalue(k, 1).values.clamp_min(1e-30f).reshape(n, 1, 1, 1);
        Tensor v;
        Colormap map;
        if (signed)
        {
            v = (m / scale).clamp(-1f, 1f) * 0.5f + 0.5f;
            map = Colormap.Diverging;
        }
        else
        {
            v = (m.abs() / scale).clamp(0f, 1f);
            map = unsignedMap;
        }
        return map.Map(v.squeeze(1)).to(ScalarType.Float32) / 255f; // [N, H, W, 3]
    }

    /// <summary>(1 − α) · image + α · heat, as bytes [N, H, W, 3].</summary>
    public static Tensor Blend(Tensor image, Tensor heat, double alpha)
        => (image * (float)(1 - alpha) + heat * (float)alpha).mul(255f).add(0.5f).floor_().clamp(0f, 255f).to(ScalarType.Byte);

    /// <summary>The overlay of every sample of <paramref name="attribution"/>, [N, H, W, 3] bytes.</summary>
    public static Tensor Overlay(ConvVis.Attribution attribution, OverlayOptions options)
    {
        var inputs = attribution.Inputs;
        if (inputs.dim() != 4)
            throw new InvalidOperationException($"An overlay needs image inputs [N, C, H, W]; this attribution explains inputs of shape [{string.Join(", ", inputs.shape)}].");
        var values = attribution.Values;
        var image = BaseImage(inputs);
        bool signed = IsSigned(values, options.Sign);
        var heat = Heat(values, inputs.shape[2], inputs.shape[3], signed, options.UnsignedColormap, options.Percentile);
        return Blend(image, heat, options.Alpha);
    }

    /// <summary>The input images alone, [N, H, W, 3] bytes.</summary>
    public static Tensor Plain(Tensor inputs)
        => BaseImage(inputs).mul(255f).add(0.5f).floor_().clamp(0f, 255f).to(ScalarType.Byte);
}
