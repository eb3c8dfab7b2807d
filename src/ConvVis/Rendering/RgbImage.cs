namespace ConvVis.Rendering;

/// <summary>Finished 8-bit RGB pixels, row-major, 3 bytes per pixel: what every visual keeps instead of tensors.</summary>
internal sealed record RgbImage(int Width, int Height, byte[] Pixels)
{
    /// <summary>The pixel at (x, y).</summary>
    public (byte R, byte G, byte B) this[int x, int y]
    {
        get { int i = (y * Width + x) * 3; return (Pixels[i], Pixels[i + 1], Pixels[i + 2]); }
    }

    /// <summary>Encodes the pixels with <see cref="PngEncoding"/>.</summary>
    public byte[] ToPng() => PngEncoding.Encode(Pixels, Width, Height);
}
