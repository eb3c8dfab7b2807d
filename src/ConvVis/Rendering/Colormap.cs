using System.Globalization;
using ConvVis.Rendering;

namespace ConvVis;

/// <summary>
/// A colormap: a 256-entry lookup table from values in [0, 1] to RGB, plus a colour for NaN.
/// Mapping is vectorised (a table lookup over a span or a tensor), never a per-pixel virtual call.
/// </summary>
/// <remarks>
/// A value v in [0, 1] maps to table entry <c>floor(v * 255 + 0.5)</c> (so 0.5 maps to entry 128);
/// values outside [0, 1] are clamped, NaN maps to <see cref="NanColor"/> (magenta, outside every map).
/// Viridis and inferno are the matplotlib maps by Nathaniel Smith, Stefan van der Walt and Eric Firing (CC0);
/// the diverging map is ColorBrewer's RdBu reversed (blue = low, near-white = middle, red = high), for signed data.
/// </remarks>
public sealed class Colormap
{
    /// <summary>Index of the NaN entry in <see cref="Lut"/> (after the 256 regular entries).</summary>
    internal const int NanIndex = 256;

    /// <summary>Black to white.</summary>
    public static Colormap Gray { get; } = new("gray", Enumerable.Range(0, 256).SelectMany(i => new[] { (byte)i, (byte)i, (byte)i }).ToArray());

    /// <summary>Matplotlib's perceptually uniform viridis (dark blue-purple to yellow); the default for activations.</summary>
    public static Colormap Viridis { get; } = new("viridis", Convert.FromHexString(ColormapData.Viridis));

    /// <summary>Matplotlib's inferno (black through red to pale yellow).</summary>
    public static Colormap Inferno { get; } = new("inferno", Convert.FromHexString(ColormapData.Inferno));

    /// <summary>Blue - near-white - red (ColorBrewer RdBu reversed), for signed data with <see cref="Normalization.Symmetric"/>.</summary>
    public static Colormap Diverging { get; } = new("diverging", Interpolate(ColormapData.RdBuReversedAnchors));

    /// <summary>All built-in colormaps.</summary>
    public static IReadOnlyList<Colormap> All { get; } = [Gray, Viridis, Inferno, Diverging];

    /// <summary>The colormap's name (gray, viridis, inferno, diverging).</summary>
    public string Name { get; }

    /// <summary>The colour used for NaN values: magenta (255, 0, 255).</summary>
    public (byte R, byte G, byte B) NanColor => (255, 0, 255);

    /// <summary>257 RGB triples: 256 regular entries then the NaN colour.</summary>
    internal byte[] Lut { get; }

    private Colormap(string name, byte[] table256)
    {
        if (table256.Length != 256 * 3) throw new ArgumentException("A colormap needs 256 RGB entries.", nameof(table256));
        Name = name;
        Lut = new byte[257 * 3];
        table256.CopyTo(Lut, 0);
        Lut[NanIndex * 3] = 255; Lut[NanIndex * 3 + 1] = 0; Lut[NanIndex * 3 + 2] = 255;
    }

    /// <summary>Finds a built-in colormap by name (case-insensitive); throws naming the valid names otherwise.</summary>
    public static Colormap FromName(string name)
    {
        foreach (var c in All)
            if (string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase)) return c;
        throw new ArgumentException($"Unknown colormap '{name}'. Valid names: {string.Join(", ", All.Select(c => c.Name))}.", nameof(name));
    }

    /// <summary>The table index of a value: <c>floor(v * 255 + 0.5)</c> clamped to 0..255, or 256 for NaN.</summary>
    internal static int IndexOf(float v) => float.IsNaN(v) ? NanIndex : (int)MathF.Floor(Math.Clamp(v, 0f, 1f) * 255f + 0.5f);

    /// <summary>The colour of one value in [0, 1] (clamped; NaN gives <see cref="NanColor"/>).</summary>
    public (byte R, byte G, byte B) ColorOf(double value)
    {
        int i = IndexOf((float)value) * 3;
        return (Lut[i], Lut[i + 1], Lut[i + 2]);
    }

    /// <summary>Maps values in [0, 1] (NaN allowed) to interleaved RGB bytes: <paramref name="rgb"/> must hold 3 bytes per value.</summary>
    public void Map(ReadOnlySpan<float> values, Span<byte> rgb)
    {
        if (rgb.Length < values.Length * 3) throw new ArgumentException($"The RGB span needs {values.Length * 3} bytes for {values.Length} values; it has {rgb.Length}.", nameof(rgb));
        ReadOnlySpan<byte> lut = Lut;
        for (int p = 0; p < values.Length; p++)
        {
            int i = IndexOf(values[p]) * 3;
            lut.Slice(i, 3).CopyTo(rgb.Slice(p * 3, 3));
        }
    }

    /// <summary>Maps a tensor of values in [0, 1] (NaN allowed) to RGB bytes of shape [..., 3] on the CPU, like <see cref="Map(ReadOnlySpan{float}, Span{byte})"/>.</summary>
    internal TorchSharp.torch.Tensor Map(TorchSharp.torch.Tensor values)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        var v = values.detach().cpu().to(TorchSharp.torch.ScalarType.Float32);
        var index = (v.clamp(0f, 1f) * 255f + 0.5f).floor().to(TorchSharp.torch.ScalarType.Int64);
        index = index.masked_fill(v.isnan(), NanIndex);
        var lut = TorchSharp.torch.tensor(Lut, [257, 3]);
        return lut.index_select(0, index.flatten()).reshape([.. v.shape, 3]).MoveToOuterDisposeScope();
    }

    /// <summary>A CSS <c>linear-gradient</c> through the map (17 stops), for colour bars.</summary>
    internal string CssGradient()
    {
        var stops = Enumerable.Range(0, 17).Select(k =>
        {
            var (r, g, b) = ColorOf(k / 16.0);
            return string.Create(CultureInfo.InvariantCulture, $"rgb({r},{g},{b}) {k * 100 / 16.0:0.##}%");
        });
        return "linear-gradient(to right, " + string.Join(", ", stops) + ")";
    }

    /// <inheritdoc/>
    public override string ToString() => Name;

    private static byte[] Interpolate(string[] anchorsHex)
    {
        var anchors = anchorsHex.Select(Convert.FromHexString).ToArray();
        var table = new byte[256 * 3];
        int segments = anchors.Length - 1;
        for (int i = 0; i < 256; i++)
        {
            double t = i / 255.0 * segments;
            int s = Math.Min((int)t, segments - 1);
            double f = t - s;
            for (int c = 0; c < 3; c++)
                table[i * 3 + c] = (byte)Math.Round(anchors[s][c] * (1 - f) + anchors[s + 1][c] * f);
        }
        return table;
    }
}
