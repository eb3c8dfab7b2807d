using System.Diagnostics;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace ConvVis.Tests.Imaging;

/// <summary>Damaged files that ImageSharp decodes without a word (truncated files come out with rows of garbage)
/// or at great cost (a tiny file declaring megapixels): the loader refuses them, before decoding where it can.</summary>
public class ImageIntegrityTests
{
    /// <summary>A 640x480 picture with fine detail, so that its compressed data is big and a cut loses real rows.</summary>
    private static Image<Rgb24> Detailed(int width = 640, int height = 480)
    {
        var random = new Random(9);
        var image = new Image<Rgb24>(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                image[x, y] = new Rgb24((byte)(x * 255 / width), (byte)(y * 255 / height), (byte)random.Next(256));
        return image;
    }

    [Theory]
    [InlineData("png", 99)]
    [InlineData("png", 90)]
    [InlineData("png", 60)]
    [InlineData("png", 30)]
    [InlineData("jpeg", 99)]
    [InlineData("jpeg", 90)]
    [InlineData("jpeg", 60)]
    [InlineData("jpeg", 30)]
    public void ATruncatedFileIsRefusedInsteadOfLoadingRowsOfGarbage(string format, int percent)
    {
        using var picture = Detailed();
        byte[] whole = format == "png" ? ImageFiles.Png(picture) : ImageFiles.Jpeg(picture);
        using (var t = ImageLoader.Load(new MemoryStream(whole)))
            Assert.Equal(new long[] { 3, 480, 640 }, t.shape);

        byte[] cut = whole.AsSpan(0, whole.Length * percent / 100).ToArray();
        var e = Assert.Throws<InvalidDataException>(() => ImageLoader.Load(new MemoryStream(cut), sourceName: $"cut.{format}"));
        Assert.Contains("'cut." + format + "' is truncated", e.Message);
        Assert.Contains(format == "png" ? "IEND" : "end-of-image marker", e.Message);
    }

    /// <summary>The expected length of the inflated data depends on colour type, bit depth, interlacing and size:
    /// every valid combination must still load (and lose its last row when that row is missing).</summary>
    [Theory]
    [InlineData(PngColorType.Rgb, PngBitDepth.Bit8)]
    [InlineData(PngColorType.Rgb, PngBitDepth.Bit16)]
    [InlineData(PngColorType.RgbWithAlpha, PngBitDepth.Bit8)]
    [InlineData(PngColorType.Grayscale, PngBitDepth.Bit1)]
    [InlineData(PngColorType.Grayscale, PngBitDepth.Bit2)]
    [InlineData(PngColorType.Grayscale, PngBitDepth.Bit4)]
    [InlineData(PngColorType.Grayscale, PngBitDepth.Bit16)]
    [InlineData(PngColorType.GrayscaleWithAlpha, PngBitDepth.Bit8)]
    [InlineData(PngColorType.Palette, PngBitDepth.Bit1)]
    [InlineData(PngColorType.Palette, PngBitDepth.Bit4)]
    [InlineData(PngColorType.Palette, PngBitDepth.Bit8)]
    public void WholePngsOfEveryLayoutLoad(PngColorType colour, PngBitDepth depth)
    {
        foreach (var interlace in new[] { PngInterlaceMode.None, PngInterlaceMode.Adam7 })
        foreach (var (width, height) in new[] { (1, 1), (3, 5), (9, 9), (33, 17), (2, 7), (5, 1), (6, 11) })
        {
            if (interlace == PngInterlaceMode.Adam7 && width < 5) continue;   // see the next test
            using var picture = Detailed(width, height);
            using var encoded = new MemoryStream();
            picture.SaveAsPng(encoded, new PngEncoder { ColorType = colour, BitDepth = depth, InterlaceMethod = interlace });
            string name = $"{colour}-{depth}-{interlace}-{width}x{height}.png";
            using var t = ImageLoader.Load(new MemoryStream(encoded.ToArray()), sourceName: name);
            Assert.Equal(new long[] { 3, height, width }, t.shape);
        }
    }

    /// <summary>ImageSharp 2.1 never returns from a 1x1 interlaced PNG and misreads every interlaced PNG narrower
    /// than 5 pixels (an empty Adam7 pass shifts the rows of the next one): refused before decoding.</summary>
    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 2)]
    [InlineData(2, 1)]
    [InlineData(4, 9)]
    public async Task ANarrowInterlacedPngIsRefusedInsteadOfHangingTheDecoder(int width, int height)
    {
        using var picture = Detailed(width, height);
        using var encoded = new MemoryStream();
        picture.SaveAsPng(encoded, new PngEncoder { ColorType = PngColorType.Rgb, BitDepth = PngBitDepth.Bit8, InterlaceMethod = PngInterlaceMode.Adam7 });
        var load = Task.Run(() => ImageLoader.Load(new MemoryStream(encoded.ToArray()), sourceName: "narrow.png"));
        Assert.True(await Task.WhenAny(load, Task.Delay(TimeSpan.FromSeconds(20))) == load, "ImageLoader.Load did not return within 20 s");
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => load);
        Assert.Contains($"'narrow.png' is an interlaced PNG {width} pixels wide, which ImageSharp 2.1 cannot decode", e.Message);
        Assert.Contains("save it without interlacing", e.Message);
    }

    [Fact]
    public void APngCutJustBeforeItsEndChunkIsRefused()
    {
        using var picture = Detailed(64, 48);
        byte[] whole = ImageFiles.Png(picture);
        var e = Assert.Throws<InvalidDataException>(() => ImageLoader.Load(new MemoryStream(whole, 0, whole.Length - 12), sourceName: "noend.png"));
        Assert.Contains("'noend.png' is truncated", e.Message);
        Assert.Contains($"ends after {whole.Length - 12} bytes without the IEND chunk", e.Message);
    }

    [Fact]
    public void AWellFormedPngWhoseDataCoversHalfTheRowsIsRefused()
    {
        // Valid chunks and CRCs, an IEND, a valid zlib stream: only the scanlines of 240 of the 480 rows.
        const int rowBytes = 1 + 640 * 3;
        var scanlines = new byte[240 * rowBytes];
        new Random(3).NextBytes(scanlines);
        for (int row = 0; row < 240; row++) scanlines[row * rowBytes] = 0;   // filter type None
        byte[] png = ImageFiles.HandMadePng(640, 480, scanlines);

        var e = Assert.Throws<InvalidDataException>(() => ImageLoader.Load(new MemoryStream(png), sourceName: "half.png"));
        Assert.Contains("'half.png' is missing image data", e.Message);
        Assert.Contains($"inflate to {240 * rowBytes} bytes, but 640x480 pixels need {480 * rowBytes}", e.Message);
    }

    [Fact]
    public void APngWithACorruptImageChunkIsRefused()
    {
        using var picture = Detailed(64, 48);
        byte[] png = ImageFiles.Png(picture);
        int idat = png.AsSpan().IndexOf("IDAT"u8);
        png[idat + 20] ^= 0x10;
        var e = Assert.Throws<InvalidDataException>(() => ImageLoader.Load(new MemoryStream(png), sourceName: "flip.png"));
        Assert.Contains("'flip.png' is corrupt: the CRC of its IDAT chunk", e.Message);
    }

    [Fact]
    public void ATinyPngDeclaringMegapixelsIsRefusedBeforeDecoding()
    {
        // 66 bytes declaring 7000x7000 RGB (49 megapixels, under the default limit of 50): ImageSharp took 7.7 s and
        // 1.4 GB to return a black picture. About 10 bytes of zlib data inflate to 11 KB at the very most.
        byte[] bomb = ImageFiles.HandMadePng(7000, 7000, new byte[3]);
        Assert.InRange(bomb.Length, 60, 70);
        int compressed = bomb.Length - 8 - 25 - 12 - 12;   // signature, IHDR, IDAT's length, type and CRC, IEND

        var clock = Stopwatch.StartNew();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => ImageLoader.Load(new MemoryStream(bomb), sourceName: "tiny.png"));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        clock.Stop();

        Assert.Contains("'tiny.png' declares 7000x7000 pixels", e.Message);
        Assert.Contains($"need {7000L * (1 + 7000 * 3)} bytes", e.Message);
        Assert.Contains($"holds only {compressed} bytes of compressed image data", e.Message);
        Assert.Contains("refusing to decode it", e.Message);
        Assert.True(allocated < 1_000_000, $"allocated {allocated} bytes before refusing");
        Assert.True(clock.ElapsedMilliseconds < 1000, $"took {clock.ElapsedMilliseconds} ms to refuse");
    }

    [Fact]
    public void ATinyJpegDeclaringMegapixelsIsRefusedBeforeDecoding()
    {
        using var picture = Detailed(16, 16);
        byte[] bomb = ImageFiles.WithJpegSize(ImageFiles.Jpeg(picture), 7000, 7000);
        Assert.True(bomb.Length < 2000);

        var clock = Stopwatch.StartNew();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => ImageLoader.Load(new MemoryStream(bomb), sourceName: "tiny.jpg"));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        clock.Stop();

        Assert.Contains("'tiny.jpg' declares 7000x7000 pixels, but its scan 1 holds", e.Message);
        Assert.Contains("blocks need at the least", e.Message);
        Assert.Contains("refusing to decode it", e.Message);
        Assert.True(allocated < 1_000_000, $"allocated {allocated} bytes before refusing");
        Assert.True(clock.ElapsedMilliseconds < 1000, $"took {clock.ElapsedMilliseconds} ms to refuse");
    }

    [Fact]
    public void AJpegWhoseScanLeavesOutTwoOfItsThreeComponentsIsRefused()
    {
        using var picture = Detailed(32, 32);
        byte[] jpeg = ImageFiles.Jpeg(picture);
        int sos = ImageFiles.JpegSegment(jpeg, 0xDA);
        Assert.Equal(3, jpeg[sos + 4]);
        // Rewrite the scan header to code only the first component: FF DA, length 8, 1 component, its tables, 0..63, 0.
        byte[] header = [0xFF, 0xDA, 0x00, 0x08, 0x01, jpeg[sos + 5], jpeg[sos + 6], 0x00, 0x3F, 0x00];
        byte[] crafted = [.. jpeg.AsSpan(0, sos), .. header, .. jpeg.AsSpan(sos + 2 + 12)];

        var e = Assert.Throws<InvalidDataException>(() => ImageLoader.Load(new MemoryStream(crafted), sourceName: "grey-only.jpg"));
        Assert.Contains("'grey-only.jpg' is missing image data: no scan codes component 2, 3 of its 3", e.Message);
    }

    [Fact]
    public void ADecoderCrashOnADamagedJpegBecomesInvalidDataException()
    {
        // One stray byte before the scan: libjpeg skips it with a warning. ImageSharp 2.1 reads markers two bytes at a
        // time, loses step, never sees the scan, and throws NullReferenceException when it assembles the picture.
        using var grey = new Image<Rgb24>(64, 64, new Rgb24(128, 128, 128));
        byte[] jpeg = ImageFiles.Jpeg(grey);
        int sos = ImageFiles.JpegSegment(jpeg, 0xDA);
        Assert.Equal(-1, jpeg.AsSpan(sos + 2, jpeg.Length - sos - 4).IndexOf((byte)0xFF));   // no marker-like pair it could step on
        byte[] crafted = [.. jpeg.AsSpan(0, sos), 0x00, .. jpeg.AsSpan(sos)];

        var e = Assert.Throws<InvalidDataException>(() => ImageLoader.Load(new MemoryStream(crafted), sourceName: "stray.jpg"));
        Assert.Contains("'stray.jpg' is corrupt: the decoder failed with NullReferenceException", e.Message);
        Assert.IsType<NullReferenceException>(e.InnerException);
    }
}
