using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static TorchSharp.torch;

namespace ConvVis.Tests.Imaging;

/// <summary>Images as untrusted input: decompression bombs, corrupt and unsupported files, fuzzing.</summary>
public class ImageLoaderUntrustedInputTests
{
    private static readonly ImageLoadOptions Limits = new() { MaxPixels = 1_000_000 };

    [Theory]
    [InlineData(100_000u, 100_000u)]
    [InlineData(1_001u, 1_000u)]
    [InlineData(0x7FFF_FFFFu, 2u)]
    public void APngDeclaringTooManyPixelsIsRefusedBeforeDecoding(uint width, uint height)
    {
        using var small = ImageFiles.SmallPhoto(16, 16);
        byte[] bomb = ImageFiles.WithPngSize(ImageFiles.Png(small), width, height);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => ImageLoader.Load(new MemoryStream(bomb), Limits, "bomb.png"));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("bomb.png", e.Message);
        Assert.Contains($"{width}x{height}", e.Message);
        Assert.Contains("MaxPixels", e.Message);
        Assert.True(allocated < 4_000_000, $"allocated {allocated} bytes before refusing");
    }

    [Fact]
    public void AJpegDeclaringTooManyPixelsIsRefusedBeforeDecoding()
    {
        using var small = ImageFiles.SmallPhoto(16, 16);
        byte[] bomb = ImageFiles.WithJpegSize(ImageFiles.Jpeg(small), 60_000, 60_000);
        var e = Assert.Throws<InvalidDataException>(() => ImageLoader.Load(new MemoryStream(bomb), sourceName: "bomb.jpg"));
        Assert.Contains("60000x60000", e.Message);
        Assert.Contains("decompression bomb", e.Message);
    }

    [Fact]
    public void TheDefaultLimitAcceptsOrdinaryPhotos()
    {
        using var photo = ImageFiles.SmallPhoto(64, 48);
        using var t = ImageLoader.Load(new MemoryStream(ImageFiles.Png(photo)));
        Assert.Equal(new long[] { 3, 48, 64 }, t.shape);
        Assert.Equal(50_000_000, ImageLoadOptions.Default.MaxPixels);
    }

    [Fact]
    public void UnsupportedAndCorruptFilesFailClearly()
    {
        using var photo = ImageFiles.SmallPhoto(16, 16);
        using var bmp = new MemoryStream();
        photo.SaveAsBmp(bmp);
        var e = Assert.Throws<InvalidDataException>(() => ImageLoader.Load(new MemoryStream(bmp.ToArray()), sourceName: "pic.bmp"));
        Assert.Contains("not a PNG or JPEG", e.Message);
        Assert.Contains("pic.bmp", e.Message);

        e = Assert.Throws<InvalidDataException>(() => ImageLoader.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes("hello, world")), sourceName: "a.txt"));
        Assert.Contains("not a PNG or JPEG", e.Message);
        Assert.Throws<InvalidDataException>(() => ImageLoader.Load(new MemoryStream(Array.Empty<byte>())));

        byte[] png = ImageFiles.Png(photo);
        e = Assert.Throws<InvalidDataException>(() => ImageLoader.Load(new MemoryStream(png, 0, 40), sourceName: "cut.png"));
        Assert.Contains("cut.png", e.Message);
        Assert.Throws<FileNotFoundException>(() => ImageLoader.Load("/nonexistent/photo.png"));
    }

    /// <summary>Hundreds of mutated copies of a real PNG and JPEG (deterministic seed): bit flips, truncations,
    /// header size edits. Each either decodes to a tensor within the limits or throws InvalidDataException;
    /// nothing else escapes, and no case allocates without bound.</summary>
    [Theory]
    [InlineData("png")]
    [InlineData("jpeg")]
    public void FuzzedFilesOnlyEverFailWithInvalidDataException(string format)
    {
        using var photo = ImageFiles.SmallPhoto(40, 32);
        byte[] original = format == "png" ? ImageFiles.Png(photo) : ImageFiles.Jpeg(photo);
        var random = new Random(format == "png" ? 2024 : 4202);
        int decoded = 0, refused = 0;
        for (int i = 0; i < 300; i++)
        {
            byte[] bytes = Mutate(original, format, random, i % 3);
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                using var t = ImageLoader.Load(new MemoryStream(bytes), Limits, $"fuzz{i}.{format}");
                Assert.Equal(3, t.shape[0]);
                Assert.True(t.shape[1] * t.shape[2] <= Limits.MaxPixels);
                decoded++;
            }
            catch (InvalidDataException e)
            {
                Assert.Contains($"fuzz{i}.{format}", e.Message);
                refused++;
            }
            catch (Exception e)
            {
                Assert.Fail($"case {i} ({(i % 3) switch { 0 => "bit flips", 1 => "truncation", _ => "size edit" }}): {e.GetType().Name}: {e.Message}");
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < 64_000_000, $"case {i} allocated {allocated} bytes");
        }
        Assert.True(refused > 50, $"only {refused} of 300 mutations were refused");
        Assert.True(decoded > 5, $"only {decoded} of 300 mutations decoded");
    }

    private static byte[] Mutate(byte[] original, string format, Random random, int kind)
    {
        switch (kind)
        {
            case 0:
                var b = (byte[])original.Clone();
                for (int k = random.Next(1, 9); k > 0; k--) b[random.Next(b.Length)] ^= (byte)(1 << random.Next(8));
                return b;
            case 1:
                return original.AsSpan(0, random.Next(0, original.Length)).ToArray();
            default:
                uint w = (uint)random.Next(1, int.MaxValue) >> random.Next(0, 31), h = (uint)random.Next(1, int.MaxValue) >> random.Next(0, 31);
                return format == "png"
                    ? ImageFiles.WithPngSize(original, Math.Max(1, w), Math.Max(1, h), fixCrc: random.Next(4) != 0)
                    : ImageFiles.WithJpegSize(original, (ushort)Math.Max(1, w & 0xFFFF), (ushort)Math.Max(1, h & 0xFFFF));
        }
    }
}
