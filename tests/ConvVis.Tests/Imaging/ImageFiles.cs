using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace ConvVis.Tests.Imaging;

/// <summary>Encoded test images and the header edits the robustness tests make.</summary>
internal static class ImageFiles
{
    public static byte[] Png(Image image)
    {
        using var ms = new MemoryStream();
        image.SaveAsPng(ms);
        return ms.ToArray();
    }

    public static byte[] Jpeg(Image image, int quality = 90)
    {
        using var ms = new MemoryStream();
        image.SaveAsJpeg(ms, new JpegEncoder { Quality = quality });
        return ms.ToArray();
    }

    /// <summary>A crop of the chelsea photo (or a synthetic gradient when scikit-image is absent).</summary>
    public static Image<Rgb24> SmallPhoto(int width = 64, int height = 48)
    {
        string chelsea = ConvVis.Tests.Onnx.TestFiles.Chelsea;
        if (File.Exists(chelsea))
        {
            var img = Image.Load<Rgb24>(chelsea);
            img.Mutate(c => c.Crop(new Rectangle(150, 60, width, height)));
            return img;
        }
        var synthetic = new Image<Rgb24>(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                synthetic[x, y] = new Rgb24((byte)(x * 4), (byte)(y * 5), (byte)((x + y) * 2));
        return synthetic;
    }

    /// <summary>Rewrites the width and height in a PNG's IHDR chunk (bytes 16..23), with a valid CRC when asked.</summary>
    public static byte[] WithPngSize(byte[] png, uint width, uint height, bool fixCrc = true)
    {
        var b = (byte[])png.Clone();
        WriteBigEndian(b, 16, width);
        WriteBigEndian(b, 20, height);
        if (fixCrc) WriteBigEndian(b, 29, Crc32(b.AsSpan(12, 17)));   // CRC over "IHDR" + 13 data bytes
        return b;
    }

    /// <summary>Rewrites the height and width in a JPEG's first start-of-frame segment.</summary>
    public static byte[] WithJpegSize(byte[] jpeg, ushort width, ushort height)
    {
        var b = (byte[])jpeg.Clone();
        for (int i = 2; i + 9 < b.Length;)
        {
            if (b[i] != 0xFF) break;
            byte marker = b[i + 1];
            int length = (b[i + 2] << 8) | b[i + 3];
            if (marker is 0xC0 or 0xC1 or 0xC2)
            {
                b[i + 5] = (byte)(height >> 8); b[i + 6] = (byte)height;
                b[i + 7] = (byte)(width >> 8); b[i + 8] = (byte)width;
                return b;
            }
            i += 2 + length;
        }
        throw new InvalidOperationException("no SOF segment found");
    }

    /// <summary>A PNG built chunk by chunk (valid CRCs): an 8-bit RGB header declaring <paramref name="width"/> x
    /// <paramref name="height"/>, one IDAT chunk holding <paramref name="scanlines"/> zlib-compressed, and IEND.</summary>
    public static byte[] HandMadePng(uint width, uint height, byte[] scanlines)
    {
        using var zlib = new MemoryStream();
        using (var z = new System.IO.Compression.ZLibStream(zlib, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true))
            z.Write(scanlines);
        var ihdr = new byte[13];
        WriteBigEndian(ihdr, 0, width);
        WriteBigEndian(ihdr, 4, height);
        ihdr[8] = 8;    // bit depth
        ihdr[9] = 2;    // RGB
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        WriteChunk(png, "IHDR", ihdr);
        WriteChunk(png, "IDAT", zlib.ToArray());
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void WriteChunk(Stream png, string type, byte[] data)
    {
        var chunk = new byte[12 + data.Length];
        WriteBigEndian(chunk, 0, (uint)data.Length);
        System.Text.Encoding.ASCII.GetBytes(type).CopyTo(chunk, 4);
        data.CopyTo(chunk, 8);
        WriteBigEndian(chunk, 8 + data.Length, Crc32(chunk.AsSpan(4, 4 + data.Length)));
        png.Write(chunk);
    }

    /// <summary>The offset of the first JPEG marker segment of type <paramref name="marker"/> (its 0xFF byte).</summary>
    public static int JpegSegment(byte[] jpeg, byte marker)
    {
        for (int i = 2; i + 3 < jpeg.Length && jpeg[i] == 0xFF;)
        {
            if (jpeg[i + 1] == marker) return i;
            i += 2 + ((jpeg[i + 2] << 8) | jpeg[i + 3]);
        }
        throw new InvalidOperationException($"no 0xFF{marker:X2} segment found");
    }

    private static void WriteBigEndian(byte[] b, int at, uint v)
    {
        b[at] = (byte)(v >> 24); b[at + 1] = (byte)(v >> 16); b[at + 2] = (byte)(v >> 8); b[at + 3] = (byte)v;
    }

    public static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte x in data)
        {
            crc ^= x;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }
}
