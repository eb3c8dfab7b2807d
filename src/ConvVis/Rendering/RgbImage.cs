namespace ConvVis.Rendering;

/// <summary>
/// Finished 8-bit pixels, row-major: what every visual keeps instead of tensors. Held as RGB (3 bytes per pixel), or,
/// when a painter already knows the picture's few colours, as one byte per pixel (palette indices or grey levels), which
/// the PNG encoder writes as they are; <see cref="Pixels"/> then expands to RGB only when asked.
/// </summary>
internal sealed class RgbImage
{
    private readonly byte[]? _samples;  // one byte per pixel: palette indices, or grey levels when _palette is null
    private readonly byte[]? _palette;  // RGB triples
    private byte[]? _rgb;

    /// <summary>An image of interleaved RGB bytes.</summary>
    public RgbImage(int width, int height, byte[] pixels)
    {
        Width = width; Height = height; _rgb = pixels;
    }

    private RgbImage(int width, int height, byte[] samples, byte[]? palette)
    {
        Width = width; Height = height; _samples = samples; _palette = palette;
    }

    /// <summary>
    /// An image of at most 256 colours as palette indices: <paramref name="palette"/> must be what
    /// <see cref="PngPalette.Order"/> gives for the colours present, so that the PNG is the one <see cref="PngEncoding.Encode"/> writes for the RGB pixels.
    /// </summary>
    public static RgbImage Indexed(int width, int height, byte[] indices, byte[] palette) => new(width, height, indices, palette);

    /// <summary>A grey image (R = G = B everywhere) as one level per pixel.</summary>
    public static RgbImage Grey(int width, int height, byte[] levels) => new(width, height, levels, null);

    public int Width { get; }
    public int Height { get; }

    /// <summary>Interleaved RGB bytes, 3 per pixel (expanded on first use for a one-byte-per-pixel image).</summary>
    public byte[] Pixels => _rgb ??= Expand();

    /// <summary>The pixel at (x, y).</summary>
    public (byte R, byte G, byte B) this[int x, int y]
    {
        get { var p = Pixels; int i = (y * Width + x) * 3; return (p[i], p[i + 1], p[i + 2]); }
    }

    /// <summary>Encodes the pixels with <see cref="PngEncoding"/> (one-byte-per-pixel images as they are, without re-indexing).</summary>
    public byte[] ToPng() =>
        _samples is null ? PngEncoding.Encode(_rgb!, Width, Height)
        : _palette is null ? PngEncoding.EncodeGrey(_samples, Width, Height)
        : PngEncoding.EncodeIndexed(_samples, Width, Height, _palette);

    private byte[] Expand()
    {
        var samples = _samples!;
        var rgb = new byte[samples.Length * 3];
        for (int p = 0; p < samples.Length; p++)
        {
            int s = samples[p], e = s * 3;
            if (_palette is null) rgb[3 * p] = rgb[3 * p + 1] = rgb[3 * p + 2] = (byte)s;
            else { rgb[3 * p] = _palette[e]; rgb[3 * p + 1] = _palette[e + 1]; rgb[3 * p + 2] = _palette[e + 2]; }
        }
        return rgb;
    }
}
