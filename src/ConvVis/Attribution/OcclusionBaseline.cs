using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>What <see cref="Occlusion"/> puts in place of an occluded window.</summary>
public sealed class OcclusionBaseline
{
    private readonly float _value;
    private readonly double _sigma;

    private OcclusionBaseline(float value, double sigma)
    {
        _value = value;
        _sigma = sigma;
    }

    /// <summary>A constant (0 = black for unnormalised images, the mean for normalised ones; Zeiler and Fergus used grey).</summary>
    public static OcclusionBaseline Value(float value) => new(value, 0);

    /// <summary>A Gaussian-blurred copy of the image (σ in pixels): removes detail without introducing a new edge.</summary>
    public static OcclusionBaseline Blurred(double sigma = 5)
    {
        if (!(sigma > 0)) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "The blur σ must be positive.");
        return new(0, sigma);
    }

    /// <summary>True for <see cref="Blurred"/>.</summary>
    public bool IsBlurred => _sigma > 0;

    /// <summary>"value 0" or "blurred (σ = 5)".</summary>
    public override string ToString() => IsBlurred ? $"blurred (σ = {_sigma})" : $"value {_value}";

    /// <summary>The replacement image for every input image, [N, C, H, W].</summary>
    internal Tensor For(Tensor x) => IsBlurred ? Blur(x, _sigma) : torch.full_like(x, _value);

    /// <summary>Separable Gaussian blur per channel, edges replicated.</summary>
    internal static Tensor Blur(Tensor x, double sigma)
    {
        long channels = x.shape[1];
        int radius = (int)Math.Ceiling(3 * sigma);
        radius = (int)Math.Min(radius, Math.Min(x.shape[2], x.shape[3]) - 1);
        if (radius < 1) return x.clone();
        var k = Enumerable.Range(-radius, 2 * radius + 1).Select(i => Math.Exp(-i * i / (2 * sigma * sigma))).ToArray();
        double total = k.Sum();
        var kernel = torch.tensor(k.Select(v => v / total).ToArray(), dtype: x.dtype, device: x.device);
        var horizontal = kernel.reshape(1, 1, 1, -1).expand(channels, 1, 1, -1);
        var vertical = kernel.reshape(1, 1, -1, 1).expand(channels, 1, -1, 1);
        var padded = nn.functional.pad(x, [radius, radius, radius, radius], PaddingModes.Replicate);
        var h = nn.functional.conv2d(padded, horizontal, groups: channels);
        return nn.functional.conv2d(h, vertical, groups: channels);
    }
}
