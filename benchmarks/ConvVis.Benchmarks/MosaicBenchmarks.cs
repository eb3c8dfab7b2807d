using BenchmarkDotNet.Attributes;
using ConvVis;
using ConvVis.Rendering;
using static TorchSharp.torch;

namespace ConvVis.Benchmarks;

/// <summary>
/// Issue 2's rendering target: a [256, 56, 56] mosaic to HTML within 1.5x the time of PNG-encoding an RGB image of
/// the same pixel size. The baseline encodes the very pixels of that mosaic as RGB (same size, same content, so the same
/// compression work) with the same encoder (<see cref="PngEncoding"/>, which first finds the picture's colours and
/// indexes every pixel); the mosaic paints palette indices straight away (<see cref="ColormapTileCanvas"/>), so the
/// ratio is the cost of its statistics, normalisation, colormap, layout, base64 and HTML minus the indexing it skips.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InProcessConfig))]
public class MosaicBenchmarks
{
    private Tensor _activations = null!;
    private byte[] _pixels = null!;
    private int _width, _height;

    [GlobalSetup]
    public void Setup()
    {
        manual_seed(42);
        // Realistic post-ReLU feature maps: smooth blobs (random 14x14 upsampled to 56x56), about half zeros.
        using var coarse = randn(1, 256, 14, 14);
        using var smooth = nn.functional.interpolate(coarse, size: [56, 56], mode: InterpolationMode.Bilinear, align_corners: false);
        _activations = nn.functional.relu(smooth).squeeze(0);
        var mosaic = Mosaic.Of(_activations, Options);
        _pixels = mosaic.Picture.Image.Pixels;
        (_width, _height) = (mosaic.Width, mosaic.Height);
        Console.WriteLine($"// mosaic {_width}x{_height} px, PNG {mosaic.ToPng().Length / 1024} KiB, HTML {mosaic.ToHtml().Length / 1024} KiB");
    }

    [GlobalCleanup]
    public void Cleanup() => _activations.Dispose();

    private static MosaicOptions Options => new() { MaxChannels = 256 };

    [Benchmark(Baseline = true, Description = "PNG-encode RGB image of the mosaic's size")]
    public byte[] PngEncodeSameSize() => PngEncoding.Encode(_pixels, _width, _height);

    [Benchmark(Description = "Mosaic [256,56,56] to HTML")]
    public string MosaicToHtml() => Mosaic.Of(_activations, Options).ToHtml();
}
