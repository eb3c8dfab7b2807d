using System.Buffers.Binary;
using System.IO.Compression;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Tests.Data;

public sealed class IdxTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("convvis-idx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static byte[] Header(byte type, params int[] dims)
    {
        var h = new byte[4 + 4 * dims.Length];
        h[2] = type;
        h[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(h.AsSpan(4 + 4 * i), dims[i]);
        return h;
    }

    string Write(string name, byte[] content, bool gzip)
    {
        string path = Path.Combine(_dir, name);
        using var f = File.Create(path);
        using Stream s = gzip ? new GZipStream(f, CompressionLevel.Fastest) : f;
        s.Write(content);
        return path;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsUbyteImagesWithShapeAndValues(bool gzip)
    {
        var pixels = Enumerable.Range(0, 3 * 2 * 4).Select(i => (byte)(i * 10)).ToArray();
        string path = Write("img.idx", Header(0x08, 3, 2, 4).Concat(pixels).ToArray(), gzip);
        using var t = Idx.Read(path);
        Assert.Equal(ScalarType.Byte, t.dtype);
        Assert.Equal(new long[] { 3, 2, 4 }, t.shape);
        Assert.Equal(pixels, t.data<byte>().ToArray());
        Assert.Equal(130, t[1, 1, 1].item<byte>()); // index 8 + 4 + 1 = 13 -> 130

        using var first = Idx.Read(path, maxItems: 2);
        Assert.Equal(new long[] { 2, 2, 4 }, first.shape);
    }

    [Fact]
    public void ReadsBigEndianFloatsAndInts()
    {
        var data = new byte[8];
        BinaryPrimitives.WriteSingleBigEndian(data, 1.5f);
        BinaryPrimitives.WriteSingleBigEndian(data.AsSpan(4), -2.25f);
        using var f = Idx.Read(Write("f.idx", Header(0x0D, 2).Concat(data).ToArray(), gzip: true));
        Assert.Equal(new[] { 1.5f, -2.25f }, f.data<float>().ToArray());

        var ints = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(ints, 123456789);
        using var i = Idx.Read(Write("i.idx", Header(0x0C, 1).Concat(ints).ToArray(), gzip: false));
        Assert.Equal(123456789, i.item<int>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedFileGivesAClearError(bool gzip)
    {
        var pixels = new byte[10 * 28 * 28 - 100];
        string path = Write("cut.idx", Header(0x08, 10, 28, 28).Concat(pixels).ToArray(), gzip);
        var e = Assert.Throws<InvalidDataException>(() => Idx.Read(path));
        Assert.Contains("truncated", e.Message);
        Assert.Contains("cut.idx", e.Message);
        Assert.Contains("7740", e.Message); // bytes that follow
    }

    [Fact]
    public void GzipCutInTheMiddleGivesAClearError()
    {
        string full = Write("full.idx.gz", Header(0x08, 50, 28, 28).Concat(new byte[50 * 28 * 28].Select((_, k) => (byte)(k * 7))).ToArray(), gzip: true);
        var bytes = File.ReadAllBytes(full);
        string cut = Path.Combine(_dir, "cut.idx.gz");
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => Idx.Read(cut));
        Assert.Contains("cut.idx.gz", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void NotAnIdxFileOrMissingFileIsSaid()
    {
        string path = Write("x.txt", "hello world"u8.ToArray(), gzip: false);
        Assert.Contains("not an IDX file", Assert.Throws<InvalidDataException>(() => Idx.Read(path)).Message);
        Assert.Throws<FileNotFoundException>(() => Idx.Read(Path.Combine(_dir, "nope.idx")));
    }
}
