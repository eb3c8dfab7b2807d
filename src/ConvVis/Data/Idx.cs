using System.Buffers.Binary;
using System.IO.Compression;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// Reads IDX files (the format of MNIST and Fashion-MNIST), plain or gzipped: a magic number
/// (0, 0, element type, number of dimensions), the dimensions as big-endian int32, then the data
/// big-endian, row-major.
/// </summary>
internal static class Idx
{
    /// <summary>Reads an IDX file into a tensor of its shape and element type (uint8 stays uint8).</summary>
    /// <param name="path">The file; gzip is detected from its first bytes.</param>
    /// <param name="maxItems">Read only the first items along dimension 0 (null: all).</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not IDX, or is truncated (the message says how many bytes are missing).</exception>
    public static Tensor Read(string path, int? maxItems = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"IDX file not found: {path}", path);
        using var file = File.OpenRead(path);
        using var stream = IsGzip(file) ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
        try
        {
            return Read(stream, path, maxItems);
        }
        catch (InvalidDataException e) when (!e.Message.Contains(path, StringComparison.Ordinal))
        {
            // A gzip stream cut short fails inside the decompressor.
            throw new InvalidDataException($"{path} is truncated or corrupt: {e.Message}", e);
        }
    }

    static bool IsGzip(FileStream file)
    {
        Span<byte> head = stackalloc byte[2];
        int n = file.Read(head);
        file.Position = 0;
        return n == 2 && head[0] == 0x1f && head[1] == 0x8b;
    }

    static Tensor Read(Stream stream, string path, int? maxItems)
    {
        Span<byte> magic = stackalloc byte[4];
        if (ReadFully(stream, magic) < 4 || magic[0] != 0 || magic[1] != 0)
            throw new InvalidDataException($"{path} is not an IDX file (it does not start with the bytes 0, 0, type, dims).");
        var (type, size) = magic[2] switch
        {
            0x08 => (ScalarType.Byte, 1),
            0x09 => (ScalarType.Int8, 1),
            0x0B => (ScalarType.Int16, 2),
            0x0C => (ScalarType.Int32, 4),
            0x0D => (ScalarType.Float32, 4),
            0x0E => (ScalarType.Float64, 8),
            var t => throw new InvalidDataException($"{path} has the unknown IDX element type 0x{t:X2} (known: 08, 09, 0B, 0C, 0D, 0E)."),
        };
        int rank = magic[3];
        if (rank == 0) throw new InvalidDataException($"{path} declares 0 dimensions.");
        var dimBytes = new byte[4 * rank];
        if (ReadFully(stream, dimBytes) < dimBytes.Length)
            throw new InvalidDataException($"{path} is truncated: it ends inside the header.");
        var shape = new long[rank];
        for (int i = 0; i < rank; i++)
        {
            shape[i] = BinaryPrimitives.ReadInt32BigEndian(dimBytes.AsSpan(4 * i));
            if (shape[i] < 0) throw new InvalidDataException($"{path} has a negative dimension.");
        }
        if (maxItems is int m) shape[0] = Math.Min(shape[0], Math.Max(0, m));
        long count = shape.Aggregate(1L, (a, b) => a * b);
        long bytes = count * size;
        if (bytes > int.MaxValue) throw new InvalidDataException($"{path} holds {bytes} bytes of data; read it with maxItems.");
        var data = new byte[bytes];
        int got = ReadFully(stream, data);
        if (got < bytes)
            throw new InvalidDataException(
                $"{path} is truncated: its header says [{string.Join(", ", shape)}] ({bytes} bytes of data), but only {got} bytes follow. Download or reinstall the file.");
        if (size > 1 && BitConverter.IsLittleEndian)
        {
            for (long i = 0; i < bytes; i += size) Array.Reverse(data, (int)i, size);
        }
        return type switch
        {
            ScalarType.Byte => tensor(data, shape),
            ScalarType.Int8 => tensor(Array.ConvertAll(data, b => unchecked((sbyte)b)), shape),
            ScalarType.Int16 => tensor(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, short>(data).ToArray(), shape),
            ScalarType.Int32 => tensor(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(data).ToArray(), shape),
            ScalarType.Float32 => tensor(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(data).ToArray(), shape),
            _ => tensor(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(data).ToArray(), shape),
        };
    }

    static int ReadFully(Stream s, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = s.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }
}
