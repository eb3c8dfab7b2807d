using System.Diagnostics;
using ConvVis.Rendering;
using ConvVis.Tests.Onnx;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace ConvVis.Tests.Rendering;

/// <summary>
/// The project's PNG encoder: its files decode to exactly the pixels given, in ImageSharp and in PIL (two independent
/// decoders that verify the chunk CRCs and the zlib checksum), grey pictures are written as one channel, pictures of at
/// most 256 colours as palette indices, and the CRC is the standard one.
/// </summary>
public class PngEncodingTests
{
    /// <summary>Pixels that exercise every branch of the Paeth predictor: noise, smooth ramps, flat runs, extremes.</summary>
    private static byte[] TestPixels(int width, int height, int channels, int seed)
    {
        var random = new Random(seed);
        var pixels = new byte[width * height * channels];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                for (int c = 0; c < channels; c++)
                {
                    int i = (y * width + x) * channels + c;
                    pixels[i] = ((x / 7 + y / 5) % 4) switch
                    {
                        0 => (byte)random.Next(256),              // noise
                        1 => (byte)(x * 3 + y * 2 + c * 40),      // ramps that wrap around 255
                        2 => (byte)(c == 0 ? 0 : 255),            // flat extremes
                        _ => (byte)(128 + (x % 3) - (y % 2)),     // small steps
                    };
                }
        return pixels;
    }

    private static byte[] GreyToRgb(byte[] grey)
    {
        var rgb = new byte[grey.Length * 3];
        for (int i = 0; i < grey.Length; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = grey[i];
        return rgb;
    }

    private static byte[] DecodeRgbWithImageSharp(byte[] png)
    {
        using var image = Image.Load<Rgb24>(png);
        var pixels = new byte[image.Width * image.Height * 3];
        image.CopyPixelDataTo(pixels);
        return pixels;
    }

    private static int ColorType(byte[] png) => png[8 + 8 + 9]; // signature, IHDR length and type, width, height, depth

    [Theory]
    [InlineData(1, 1)]
    [InlineData(5, 3)]     // rows shorter than one SIMD block
    [InlineData(17, 9)]    // one block and a tail
    [InlineData(100, 37)]
    [InlineData(913, 40)]  // a wide odd row, several zlib writes
    public void RgbDecodesToTheSamePixelsInImageSharp(int width, int height)
    {
        var rgb = TestPixels(width, height, 3, seed: width * 31 + height);
        var png = PngEncoding.Encode(rgb, width, height);

        int colours = Enumerable.Range(0, width * height).Select(p => rgb[3 * p] << 16 | rgb[3 * p + 1] << 8 | rgb[3 * p + 2]).Distinct().Count();
        Assert.Equal(colours > 256 ? 2 : 3, ColorType(png)); // truecolour, or indexed up to 256 colours
        Assert.Equal(rgb, DecodeRgbWithImageSharp(png));
    }

    [Fact]
    public void AColormappedPictureIsIndexedWithItsColoursOrderedByLuma()
    {
        // 256 viridis-like colours (lighter as the index grows) in a smooth ramp, plus white gaps.
        int width = 300, height = 20;
        var rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int i = (y * width + x) * 3, v = (x * 7 + y * 3) % 256;
                bool gap = x % 50 == 49;
                rgb[i] = gap ? (byte)255 : (byte)(v / 2);
                rgb[i + 1] = gap ? (byte)255 : (byte)v;
                rgb[i + 2] = gap ? (byte)255 : (byte)(255 - v / 3);
            }
        // 256 ramp colours and white would be 257: drop the ramp's last colour so that 256 remain.
        for (int i = 0; i < rgb.Length; i += 3)
            if (rgb[i + 1] == 255 && rgb[i] != 255) { rgb[i] = 127; rgb[i + 1] = 254; rgb[i + 2] = (byte)(255 - 254 / 3); }

        var png = PngEncoding.Encode(rgb, width, height);

        Assert.Equal(3, ColorType(png));
        Assert.Equal(rgb, DecodeRgbWithImageSharp(png));
        var (_, palette) = PngPalette.TryIndex(rgb)!.Value;
        Assert.Equal(256 * 3, palette.Length);
        var luma = Enumerable.Range(0, 256).Select(k => 299 * palette[3 * k] + 587 * palette[3 * k + 1] + 114 * palette[3 * k + 2]).ToArray();
        Assert.Equal(luma.Order(), luma);
        Assert.Equal(new byte[] { 255, 255, 255 }, palette[^3..]);
        // One more colour and it is truecolour.
        rgb[0] = 1; rgb[1] = 2; rgb[2] = 3;
        Assert.Null(PngPalette.TryIndex(rgb));
        Assert.Equal(2, ColorType(PngEncoding.Encode(rgb, width, height)));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(15, 4)]
    [InlineData(16, 16)]
    [InlineData(333, 71)]
    public void GreyPicturesAreWrittenAsOneChannelAndDecodeToTheSamePixels(int width, int height)
    {
        var grey = TestPixels(width, height, 1, seed: width + height);
        var rgb = GreyToRgb(grey);

        var fromRgb = PngEncoding.Encode(rgb, width, height);
        var fromGrey = PngEncoding.EncodeGrey(grey, width, height);

        Assert.Equal(0, ColorType(fromRgb)); // greyscale
        Assert.Equal(fromGrey, fromRgb);
        Assert.Equal(rgb, DecodeRgbWithImageSharp(fromRgb));
        using var image = Image.Load<L8>(fromGrey);
        var decoded = new byte[width * height];
        image.CopyPixelDataTo(decoded);
        Assert.Equal(grey, decoded);
    }

    [Fact]
    public void OneColouredPixelKeepsThePictureInColour()
    {
        var rgb = GreyToRgb(TestPixels(40, 30, 1, seed: 3));
        rgb[^2] ^= 1; // the last pixel's green
        var png = PngEncoding.Encode(rgb, 40, 30);
        Assert.NotEqual(0, ColorType(png));
        Assert.Equal(rgb, DecodeRgbWithImageSharp(png));
    }

    [Fact]
    public void Crc32IsTheStandardOne()
    {
        // The check value of CRC-32/ISO-HDLC, and the CRC every PNG's IEND chunk carries.
        Assert.Equal(0xCBF43926u, PngCrc32.Compute("123456789"u8));
        Assert.Equal(0xAE426082u, PngCrc32.Compute("IEND"u8));
        // Lengths around the 8-byte stride, against the bitwise definition.
        var data = TestPixels(50, 1, 1, seed: 9);
        for (int n = 0; n <= data.Length; n++)
            Assert.Equal(BitwiseCrc(data.AsSpan(0, n)), PngCrc32.Compute(data.AsSpan(0, n)));
    }

    private static uint BitwiseCrc(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }

    [Fact]
    public void WrongSizesAreRejectedWithTheExpectedLength()
    {
        var e = Assert.Throws<ArgumentException>(() => PngEncoding.Encode(new byte[10], 2, 2));
        Assert.Contains("need 12 bytes; got 10", e.Message);
        Assert.Throws<ArgumentException>(() => PngEncoding.EncodeGrey(new byte[0], 0, 0));
    }

    [PilFact]
    public void PilDecodesRgbAndGreyToTheSamePixels()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"convvis-png-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            var rgb = TestPixels(301, 45, 3, seed: 5);
            var grey = TestPixels(77, 61, 1, seed: 6);
            var fewColours = GreyToRgb(TestPixels(64, 9, 1, seed: 7));
            for (int i = 0; i < fewColours.Length; i += 3) fewColours[i] = (byte)(fewColours[i] & 0xF0); // 256 colours at most, not grey
            File.WriteAllBytes(Path.Combine(folder, "rgb.png"), PngEncoding.Encode(rgb, 301, 45));
            File.WriteAllBytes(Path.Combine(folder, "grey.png"), PngEncoding.EncodeGrey(grey, 77, 61));
            File.WriteAllBytes(Path.Combine(folder, "indexed.png"), PngEncoding.Encode(fewColours, 64, 9));

            Assert.Equal("RGB 301x45", RunPil(folder, "rgb"));
            Assert.Equal(rgb, File.ReadAllBytes(Path.Combine(folder, "rgb.raw")));
            Assert.Equal("P 64x9", RunPil(folder, "indexed"));
            Assert.Equal(fewColours, File.ReadAllBytes(Path.Combine(folder, "indexed.raw")));
            Assert.Equal("L 77x61", RunPil(folder, "grey"));
            Assert.Equal(grey, File.ReadAllBytes(Path.Combine(folder, "grey.raw")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Decodes folder/name.png with PIL (which checks CRCs), writes its raw pixels (RGB for a palette) to name.raw, returns "mode WxH".</summary>
    private static string RunPil(string folder, string name)
    {
        const string script =
            "import sys\nfrom PIL import Image\nim = Image.open(sys.argv[1] + '.png'); im.load()\n" +
            "mode = im.mode; im = im.convert('RGB') if mode == 'P' else im\n" +
            "open(sys.argv[1] + '.raw', 'wb').write(im.tobytes()); print(mode, f'{im.size[0]}x{im.size[1]}')";
        var start = new ProcessStartInfo(TorchvisionExports.Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(Path.Combine(folder, name));
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"PIL failed to decode {name}.png: {stderr.Result}");
        return stdout.Trim();
    }
}

/// <summary>A fact that is skipped, saying how to install it, when Debian's PIL is missing.</summary>
public sealed class PilFactAttribute : FactAttribute
{
    public PilFactAttribute()
    {
        if (!File.Exists(TorchvisionExports.Python) || !Directory.Exists("/usr/lib/python3/dist-packages/PIL"))
            Skip = "Debian's PIL is missing: install it with 'sudo apt-get install python3-pil' (scripts/setup.sh does).";
    }
}
