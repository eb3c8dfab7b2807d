using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace ConvVis.Rendering;

/// <summary>Finished 8-bit RGB pixels, row-major, 3 bytes per pixel: what every visual keeps instead of tensors.</summary>
internal sealed record RgbImage(int Width, int Height, byte[] Pixels)
{
    /// <summary>The pixel at (x, y).</summary>
    public (byte R, byte G, byte B) this[int x, int y]
    {
        get { int i = (y * Width + x) * 3; return (Pixels[i], Pixels[i + 1], Pixels[i + 2]); }
    }

    /// <summary>Encodes the pixels with <see cref="PngEncoding.Encoder"/>.</summary>
    public byte[] ToPng() => PngEncoding.Encode(Pixels, Width, Height);
}

/// <summary>
/// The one place that chooses PNG encoder settings, so views and benchmarks use the same ones.
/// </summary>
internal static class PngEncoding
{
    /// <summary>
    /// 8-bit RGB, no alpha; zlib level 3 (<see cref="PngCompressionLevel.Level3"/>) with the adaptive row filter.
    /// Why (measured on a 960x960 mosaic of 256 smooth 56x56 maps, viridis): adaptive filtering is the fastest choice
    /// (no filter makes files ~25% smaller but takes ~2x as long); level 3 files are ~4% larger than level 6 in
    /// ~2/3 of the time, and level 1 saves only ~10% more time for ~4% more bytes. Views re-render per notebook cell, so
    /// speed wins over the last few percent of size. Benchmarks encode their baseline with these same settings.
    /// </summary>
    public static PngEncoder Encoder { get; } = new()
    {
        ColorType = PngColorType.Rgb,
        BitDepth = PngBitDepth.Bit8,
        CompressionLevel = PngCompressionLevel.Level3,
        FilterMethod = PngFilterMethod.Adaptive,
        IgnoreMetadata = true,
    };

    /// <summary>Encodes interleaved RGB bytes as PNG.</summary>
    public static byte[] Encode(byte[] rgb, int width, int height)
    {
        using var image = Image.LoadPixelData<Rgb24>(rgb, width, height);
        using var stream = new MemoryStream(rgb.Length / 4 + 1024);
        image.SaveAsPng(stream, Encoder);
        return stream.ToArray();
    }
}
