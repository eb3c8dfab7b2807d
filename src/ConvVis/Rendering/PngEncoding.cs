using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.Intrinsics;

namespace ConvVis.Rendering;

/// <summary>
/// The one PNG encoder of the project: 8-bit RGB, or 8-bit greyscale when every pixel is grey, the Paeth filter on every
/// row, one IDAT chunk deflated by the runtime's zlib at <see cref="ZlibLevel"/> (one-byte-per-pixel pictures with
/// <see cref="OneBytePerPixelStrategy"/>).
/// </summary>
/// <remarks>
/// Why its own encoder instead of ImageSharp's (measured in <c>benchmarks/</c>, see its README): a notebook shows the PNG as a
/// data URI, re-rendered per cell, so encoding speed matters more than the last percent of size. ImageSharp 2's managed
/// deflate made the PNG most of a mosaic's rendering time; the runtime's native zlib (zlib-ng) is several times faster.
/// Paeth on every row: on activation mosaics (smooth maps) adaptive per-row selection picked Paeth for ~90% of rows and
/// gained ~1% in size for five filter passes instead of one. Grey pictures (the grey colormap, grey images) are written
/// as one channel, and pictures of at most 256 colours (every colormapped view) as palette indices: a third of the bytes
/// to filter and deflate. The palette is ordered by luma, so that along a perceptually uniform colormap (viridis,
/// magma, grey) neighbouring values get neighbouring indices and Paeth still predicts them.
/// </remarks>
internal static class PngEncoding
{
    /// <summary>
    /// zlib level (0-9). Why 2: on the 960x960 viridis mosaic of [256,56,56] as truecolour (medians of 9 on a busy
    /// machine) level 1 gave 1302 KiB in 58 ms, level 2 990 KiB in 84 ms, level 3 979 KiB in 105 ms, level 6 965 KiB in
    /// 144 ms: level 2 is the knee.
    /// </summary>
    public const int ZlibLevel = 2;

    /// <summary>
    /// zlib strategy of one-byte-per-pixel pictures (palette indices, grey): run-length matches only (Z_RLE, which zlib
    /// describes as meant for PNG image data). Why: on the Paeth-filtered indices of the 960x960 [256,56,56] mosaic (and
    /// on its 912x912 grey twin of <c>PngEncodeBenchmarks</c>), medians of 21 interleaved runs on a busy machine: 400 KiB
    /// in 0.59x the time of the default strategy's 419 KiB (grey: 399 KiB in 0.47x of 416 KiB); level 1 was 0.62x but
    /// 545 KiB. Truecolour pictures (photos) keep the default strategy: their matches are not runs.
    /// </summary>
    public const ZLibCompressionStrategy OneBytePerPixelStrategy = ZLibCompressionStrategy.RunLengthEncoding;

    static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>
    /// Encodes interleaved RGB bytes (3 per pixel, row-major) as PNG: greyscale when R = G = B everywhere, indexed colour
    /// when there are at most 256 colours (every colormapped view), else truecolour.
    /// </summary>
    public static byte[] Encode(byte[] rgb, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(rgb);
        CheckSize(rgb.Length, width, height, 3);
        if (IsGrey(rgb))
        {
            var grey = new byte[width * height];
            for (int i = 0; i < grey.Length; i++) grey[i] = rgb[3 * i];
            return Write(grey, width, height, 1, null);
        }
        return PngPalette.TryIndex(rgb) is var (indices, palette)
            ? Write(indices, width, height, 1, palette)
            : Write(rgb, width, height, 3, null);
    }

    /// <summary>Encodes 8-bit grey bytes (1 per pixel, row-major) as a greyscale PNG.</summary>
    public static byte[] EncodeGrey(byte[] grey, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(grey);
        CheckSize(grey.Length, width, height, 1);
        return Write(grey, width, height, 1, null);
    }

    /// <summary>
    /// Encodes palette indices (1 per pixel, row-major) as an indexed-colour PNG with <paramref name="palette"/>
    /// (RGB triples, at most 256): what <see cref="Encode"/> writes for pictures of at most 256 colours.
    /// </summary>
    public static byte[] EncodeIndexed(byte[] indices, int width, int height, byte[] palette)
    {
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(palette);
        CheckSize(indices.Length, width, height, 1);
        if (palette.Length == 0 || palette.Length > 256 * 3 || palette.Length % 3 != 0)
            throw new ArgumentException($"A PNG palette has 1 to 256 RGB entries (3 to 768 bytes); got {palette.Length} bytes.", nameof(palette));
        return Write(indices, width, height, 1, palette);
    }

    static void CheckSize(int length, int width, int height, int channels)
    {
        if (width < 1 || height < 1) throw new ArgumentException($"A PNG needs at least 1x1 pixels; got {width}x{height}.");
        if ((long)width * height * channels != length)
            throw new ArgumentException($"{width}x{height} pixels with {channels} byte(s) each need {(long)width * height * channels} bytes; got {length}.");
    }

    /// <summary>True when every pixel has R = G = B. Colour pictures fail at their first coloured pixel, so this costs little.</summary>
    static bool IsGrey(ReadOnlySpan<byte> rgb)
    {
        for (int i = 0; i < rgb.Length; i += 3)
            if (rgb[i] != rgb[i + 1] || rgb[i] != rgb[i + 2]) return false;
        return true;
    }

    static byte[] Write(byte[] pixels, int width, int height, int channels, byte[]? palette)
    {
        int stride = width * channels;
        using var output = new MemoryStream(pixels.Length / 3 + 1024);
        output.Write(Signature);
        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = 8;                                 // bit depth
        header[9] = (byte)(channels == 3 ? 2 : palette is null ? 0 : 3); // colour type: truecolour, greyscale or indexed
        header[10] = header[11] = header[12] = 0;      // deflate, adaptive filtering (per-row filter bytes), no interlace
        WriteChunk(output, "IHDR"u8, header);
        if (palette is not null) WriteChunk(output, "PLTE"u8, palette);

        // IDAT: reserve its length and type, deflate straight after them, then patch the length and append the CRC.
        long idatStart = output.Position;
        output.Write(stackalloc byte[8]);
        using (var zlib = new ZLibStream(output, new ZLibCompressionOptions { CompressionLevel = ZlibLevel, CompressionStrategy = channels == 1 ? OneBytePerPixelStrategy : ZLibCompressionStrategy.Default }, leaveOpen: true))
        {
            int rowsPerWrite = Math.Max(1, (1 << 16) / (stride + 1)); // large writes: fewer calls into zlib
            var buffer = new byte[rowsPerWrite * (stride + 1)];
            var zero = new byte[stride];
            for (int y0 = 0; y0 < height; y0 += rowsPerWrite)
            {
                int rows = Math.Min(rowsPerWrite, height - y0);
                for (int r = 0; r < rows; r++)
                {
                    int y = y0 + r;
                    var line = buffer.AsSpan(r * (stride + 1), stride + 1);
                    line[0] = 4; // Paeth
                    var above = y == 0 ? zero : pixels.AsSpan((y - 1) * stride, stride);
                    PaethFilter(pixels.AsSpan(y * stride, stride), above, channels, line[1..]);
                }
                zlib.Write(buffer, 0, rows * (stride + 1));
            }
        }
        long idatEnd = output.Position;
        var bytes = output.GetBuffer();
        int dataLength = checked((int)(idatEnd - idatStart - 8));
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan((int)idatStart), dataLength);
        "IDAT"u8.CopyTo(bytes.AsSpan((int)idatStart + 4));
        output.Position = idatEnd;
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, PngCrc32.Compute(bytes.AsSpan((int)idatStart + 4, dataLength + 4)));
        output.Write(crc);
        WriteChunk(output, "IEND"u8, []);
        return output.ToArray();
    }

    static void WriteChunk(Stream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> buffer = 12 + data.Length <= 1024 ? stackalloc byte[12 + data.Length] : new byte[12 + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(buffer, data.Length);
        type.CopyTo(buffer[4..]);
        data.CopyTo(buffer[8..]);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[(8 + data.Length)..], PngCrc32.Compute(buffer[4..(8 + data.Length)]));
        output.Write(buffer);
    }

    /// <summary>
    /// PNG filter type 4 of one row: each byte minus the Paeth predictor of its left (a), upper (b) and upper-left (c)
    /// neighbours (one pixel = <paramref name="bpp"/> bytes to the left). Encoding reads only original bytes, so it has no
    /// serial dependency and runs 16 bytes at a time in 16-bit lanes.
    /// </summary>
    internal static void PaethFilter(ReadOnlySpan<byte> row, ReadOnlySpan<byte> above, int bpp, Span<byte> output)
    {
        int n = row.Length, i = 0;
        for (; i < Math.Min(bpp, n); i++) output[i] = (byte)(row[i] - above[i]); // a = c = 0: the predictor is b
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 16 <= n; i += 16)
            {
                var x = Widen(row.Slice(i, 16));
                var a = Widen(row.Slice(i - bpp, 16));
                var b = Widen(above.Slice(i, 16));
                var c = Widen(above.Slice(i - bpp, 16));
                var pa = Vector256.Abs(b - c);
                var pb = Vector256.Abs(a - c);
                var pc = Vector256.Abs(a + b - c - c);
                var useA = Vector256.LessThanOrEqual(pa, pb) & Vector256.LessThanOrEqual(pa, pc);
                var useB = Vector256.LessThanOrEqual(pb, pc);
                var predictor = Vector256.ConditionalSelect(useA, a, Vector256.ConditionalSelect(useB, b, c));
                var residual = (x - predictor) & Vector256.Create((short)0xFF);
                var packed = Vector128.Narrow(residual.GetLower().AsUInt16(), residual.GetUpper().AsUInt16());
                packed.CopyTo(output.Slice(i, 16));
            }
        }
        for (; i < n; i++)
        {
            int a = row[i - bpp], b = above[i], c = above[i - bpp];
            int pa = Math.Abs(b - c), pb = Math.Abs(a - c), pc = Math.Abs(a + b - 2 * c);
            int predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
            output[i] = (byte)(row[i] - predictor);
        }
    }

    static Vector256<short> Widen(ReadOnlySpan<byte> bytes) => Vector256.WidenLower(Vector128.Create(bytes).ToVector256()).AsInt16();
}
