using BenchmarkDotNet.Attributes;
using ConvVis.Rendering;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using static TorchSharp.torch;

namespace ConvVis.Benchmarks;

/// <summary>
/// Issue 13's PNG row: encoding the 912x912 grey picture of a [256,56,56] activation mosaic (16x16 tiles of 56 with
/// a 1-pixel gap, each map scaled to 0..255; the picture <c>benchmarks/peers/png_encode.py</c> encodes with PIL).
/// The baseline is ImageSharp with the settings the project used before its own encoder (level 3, adaptive filter).
/// </summary>
[Config(typeof(InProcessConfig))]
[MinColumn, MedianColumn, MaxColumn]
public class PngEncodeBenchmarks
{
    internal const int Tiles = 16, Tile = 56, Gap = 1, Side = Tiles * (Tile + Gap);

    byte[] _grey = null!;

    static readonly PngEncoder ImageSharpEncoder = new()
    {
        ColorType = PngColorType.Grayscale,
        BitDepth = PngBitDepth.Bit8,
        CompressionLevel = PngCompressionLevel.Level3,
        FilterMethod = PngFilterMethod.Adaptive,
        IgnoreMetadata = true,
    };

    [GlobalSetup]
    public void Setup()
    {
        _grey = GreyMosaic();
        Console.WriteLine($"// {Side}x{Side} grey, pixel sum {_grey.Sum(b => (long)b)} (peers/mosaic.py --sizes prints the same): ImageSharp {ImageSharpPng().Length / 1024} KiB, ConvVis {ConvVisPng().Length / 1024} KiB");
    }

    /// <summary>
    /// The same smooth post-ReLU maps as <see cref="MosaicBenchmarks"/> (random 14x14 upsampled to 56x56, ReLU), each
    /// scaled to 0..255, laid out 16x16 with a black gap after each tile.
    /// </summary>
    internal static byte[] GreyMosaic()
    {
        using var scope = NewDisposeScope();
        manual_seed(42);
        var coarse = randn(1, 256, 14, 14);
        var maps = nn.functional.relu(nn.functional.interpolate(coarse, size: [Tile, Tile], mode: InterpolationMode.Bilinear, align_corners: false)).squeeze(0);
        var flat = maps.reshape(256, -1);
        var (lo, hi) = (flat.amin([1], keepdim: true), flat.amax([1], keepdim: true));
        var scaled = ((flat - lo) / (hi - lo).clamp_min(1e-12f) * 255f).round().to(ScalarType.Byte).reshape(256, Tile, Tile);
        var pixels = scaled.data<byte>().ToArray();
        var grey = new byte[Side * Side];
        for (int t = 0; t < 256; t++)
            for (int y = 0; y < Tile; y++)
                Array.Copy(pixels, (t * Tile + y) * Tile, grey, ((t / Tiles) * (Tile + Gap) + y) * Side + (t % Tiles) * (Tile + Gap), Tile);
        return grey;
    }

    [Benchmark(Baseline = true, Description = "ImageSharp (level 3, adaptive)")]
    public byte[] ImageSharpPng()
    {
        using var image = Image.LoadPixelData<L8>(_grey, Side, Side);
        using var stream = new MemoryStream();
        image.SaveAsPng(stream, ImageSharpEncoder);
        return stream.ToArray();
    }

    [Benchmark(Description = "PngEncoding (Paeth, zlib level 2, run-length strategy)")]
    public byte[] ConvVisPng() => PngEncoding.EncodeGrey(_grey, Side, Side);
}
