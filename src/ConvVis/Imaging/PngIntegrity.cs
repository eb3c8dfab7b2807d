using System.Buffers.Binary;
using System.IO.Compression;

namespace ConvVis.Imaging;

/// <summary>
/// Checks that a PNG file is whole before it is decoded. ImageSharp 2 decodes a truncated PNG without complaint
/// and fills the missing rows with garbage, and spends seconds and gigabytes on a tiny file that declares a big
/// image: so the chunk structure, the CRCs of the critical chunks and the IEND chunk are checked, the declared
/// pixels are compared with what the compressed data could possibly hold (deflate expands at most about
/// 1032:1), and the image data is inflated once to check that it holds every scanline.
/// </summary>
internal static class PngIntegrity
{
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Deflate codes a 258-byte match in no fewer than 2 bits, so n compressed bytes inflate to at most 1032 n bytes.</summary>
    internal const long MaxDeflateRatio = 1032;

    public static bool HasSignature(ReadOnlySpan<byte> file) => file.StartsWith(Signature);

    /// <summary>Throws <see cref="InvalidDataException"/> unless <paramref name="file"/> is a whole PNG whose image data
    /// covers the size it declares; <paramref name="checkDeclaredSize"/> sees the header's size before anything else is read.</summary>
    public static void Check(byte[] file, string name, Action<int, int> checkDeclaredSize)
    {
        var header = ReadHeader(file, name);
        checkDeclaredSize(header.Width, header.Height);
        // ImageSharp 2.1 skips an empty Adam7 pass without moving to that pass's first row, so it misreads every
        // interlaced PNG narrower than 5 pixels: it throws, or loops forever (1x1, 1x2, 2x1).
        if (header.Interlaced && header.Width < 5)
            throw Fail(name, $"is an interlaced PNG {header.Width} pixels wide, which ImageSharp 2.1 cannot decode (it misreads interlaced PNGs narrower than 5 pixels, or never returns); save it without interlacing");

        var imageData = new List<(int Offset, int Length)>();
        long compressed = 0;
        int pos = 8 + 12 + 13;
        while (true)
        {
            if (pos == file.Length)
                throw Fail(name, $"is truncated: it ends after {file.Length} bytes without the IEND chunk that closes a PNG file");
            if (file.Length - pos < 12)
                throw Fail(name, $"is truncated: it ends inside a chunk header at byte {pos} (no IEND chunk)");
            uint length = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(pos));
            var type = file.AsSpan(pos + 4, 4);
            string typeName = System.Text.Encoding.ASCII.GetString(type);
            if (!IsChunkType(type))
                throw Fail(name, $"is corrupt: bytes {pos + 4}..{pos + 7} should name a chunk but hold 0x{Convert.ToHexString(type)}");
            if (length > int.MaxValue || length > file.Length - pos - 12L)
                throw Fail(name, $"is truncated: its {typeName} chunk at byte {pos} declares {length} bytes, but only {Math.Max(0, file.Length - pos - 12L)} follow (no IEND chunk)");
            // Like libpng: a bad CRC on a critical chunk is an error, on an ancillary chunk (metadata) it is not.
            bool critical = (type[0] & 0x20) == 0;
            if (critical && Crc32(file.AsSpan(pos + 4, 4 + (int)length)) != BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(pos + 8 + (int)length)))
                throw Fail(name, $"is corrupt: the CRC of its {typeName} chunk at byte {pos} does not match its contents");
            if (typeName == "IDAT")
            {
                imageData.Add((pos + 8, (int)length));
                compressed += length;
            }
            if (typeName == "IEND") break;
            pos += 12 + (int)length;
        }

        if (imageData.Count == 0)
            throw Fail(name, "has no image data (no IDAT chunk)");
        long needed = header.ScanlineBytes();
        // Refuse before inflating anything when the compressed bytes cannot possibly hold the declared pixels.
        if (needed > (compressed + 1) * MaxDeflateRatio)
            throw Fail(name, $"declares {header.Width}x{header.Height} pixels, which need {needed} bytes of scanlines, but holds only {compressed} bytes of compressed image data, " +
                             $"which inflate to at most {(compressed + 1) * MaxDeflateRatio} bytes: the image data is missing (a truncated or crafted file); refusing to decode it");

        long inflated = InflatedLength(file, imageData, needed, name);
        if (inflated < needed)
            throw Fail(name, $"is missing image data: its IDAT chunks inflate to {inflated} bytes, but {header.Width}x{header.Height} pixels need {needed} (a truncated or corrupt file)");
    }

    private readonly record struct Header(int Width, int Height, int BitDepth, int ColourType, bool Interlaced)
    {
        private int Channels => ColourType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };

        private long RowBytes(long width) => 1 + (width * Channels * BitDepth + 7) / 8;   // the filter byte and the packed samples

        /// <summary>The exact length of the inflated image data: every row of every (Adam7) pass with its filter byte.</summary>
        public long ScanlineBytes()
        {
            if (!Interlaced) return Height * RowBytes(Width);
            ReadOnlySpan<int> passes = [0, 0, 8, 8, 4, 0, 8, 8, 0, 4, 4, 8, 2, 0, 4, 4, 0, 2, 2, 4, 1, 0, 2, 2, 0, 1, 1, 2];
            long total = 0;
            for (int p = 0; p < passes.Length; p += 4)
            {
                long w = Width > passes[p] ? (Width - passes[p] + passes[p + 2] - 1) / passes[p + 2] : 0;
                long h = Height > passes[p + 1] ? (Height - passes[p + 1] + passes[p + 3] - 1) / passes[p + 3] : 0;
                if (w > 0 && h > 0) total += h * RowBytes(w);   // an empty pass has no filter bytes either
            }
            return total;
        }
    }

    private static Header ReadHeader(byte[] file, string name)
    {
        if (file.Length < 8 + 12 + 13)
            throw Fail(name, $"is truncated: {file.Length} bytes cannot hold a PNG header");
        var ihdr = file.AsSpan(8);
        if (BinaryPrimitives.ReadUInt32BigEndian(ihdr) != 13 || !ihdr.Slice(4, 4).SequenceEqual("IHDR"u8))
            throw Fail(name, "is corrupt: it does not start with a 13-byte IHDR chunk");
        if (Crc32(ihdr.Slice(4, 17)) != BinaryPrimitives.ReadUInt32BigEndian(ihdr.Slice(21)))
            throw Fail(name, "is corrupt: the CRC of its IHDR chunk does not match its contents");
        uint width = BinaryPrimitives.ReadUInt32BigEndian(ihdr.Slice(8)), height = BinaryPrimitives.ReadUInt32BigEndian(ihdr.Slice(12));
        int depth = ihdr[16], colour = ihdr[17], compression = ihdr[18], filter = ihdr[19], interlace = ihdr[20];
        if (width is 0 or > int.MaxValue || height is 0 or > int.MaxValue)
            throw Fail(name, $"is corrupt: its header declares a size of {width}x{height}");
        bool validDepth = colour switch
        {
            0 => depth is 1 or 2 or 4 or 8 or 16,
            3 => depth is 1 or 2 or 4 or 8,
            2 or 4 or 6 => depth is 8 or 16,
            _ => false,
        };
        if (!validDepth)
            throw Fail(name, $"is corrupt: its header declares colour type {colour} with bit depth {depth}, which PNG does not allow");
        if (compression != 0 || filter != 0 || interlace > 1)
            throw Fail(name, $"is corrupt: its header declares compression {compression}, filter {filter}, interlace {interlace} (PNG defines only 0, 0, 0 or 1)");
        return new Header((int)width, (int)height, depth, colour, interlace == 1);
    }

    /// <summary>Inflates the concatenated IDAT data without keeping it, up to one byte more than needed.</summary>
    private static long InflatedLength(byte[] file, List<(int Offset, int Length)> chunks, long needed, string name)
    {
        var joined = new byte[chunks.Sum(c => (long)c.Length)];
        int at = 0;
        foreach (var (offset, length) in chunks)
        {
            Buffer.BlockCopy(file, offset, joined, at, length);
            at += length;
        }
        using var zlib = new ZLibStream(new MemoryStream(joined), CompressionMode.Decompress);
        var buffer = new byte[1 << 16];
        long total = 0;
        try
        {
            int n;
            // More data than needed is tolerated (libpng warns and ignores it); reading on would only cost time.
            while (total <= needed && (n = zlib.Read(buffer, 0, (int)Math.Min(buffer.Length, needed + 1 - total))) > 0)
                total += n;
        }
        catch (InvalidDataException e)
        {
            throw Fail(name, $"is corrupt: its compressed image data is invalid after {total} of {needed} bytes ({e.Message})");
        }
        return total;
    }

    private static bool IsChunkType(ReadOnlySpan<byte> type)
    {
        foreach (byte b in type)
            if (!char.IsAsciiLetter((char)b)) return false;
        return true;
    }

    private static readonly uint[] CrcTable = MakeCrcTable();

    private static uint[] MakeCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }

    /// <summary>The CRC-32 that PNG chunks carry (ISO 3309), over the chunk type and data.</summary>
    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFF;
        foreach (byte b in data) c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        return ~c;
    }

    private static InvalidDataException Fail(string name, string problem) => new($"Image '{name}' {problem}.");
}
