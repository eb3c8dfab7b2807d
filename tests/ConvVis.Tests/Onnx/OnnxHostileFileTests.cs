using ConvVis.Onnx.Proto;
using TorchSharp;
using static ConvVis.Tests.Onnx.OnnxTestGraph;

namespace ConvVis.Tests.Onnx;

/// <summary>Crafted bad files (issue 9, items 2, 5 and 7): every one is refused at load with an
/// <see cref="InvalidDataException"/> or <see cref="NotSupportedException"/> that names the file and the node.</summary>
public class OnnxHostileFileTests
{
    [Fact]
    public void DuplicateGraphInputNamesAreRefusedInsteadOfSilentlyColliding()
    {
        // x, x, z: Sub(x, z) read whichever x came last and returned 0 for x = 10, 20 and z = 1.
        var g = new OnnxTestGraph(13).Input("x", 1).Input("x", 1).Input("z", 1)
            .Node("Sub", new[] { "x", "z" }, new[] { "y" }, "sub").Output("y");
        var e = Assert.Throws<InvalidDataException>(() => OnnxModel.Load(new MemoryStream(g.ToBytes()), "dup.onnx"));
        Assert.Contains("dup.onnx", e.Message);
        Assert.Contains("'x' is defined twice", e.Message);

        // A node output that reuses an initializer's name, and two initializers of one name, are the same mistake.
        var shadow = new OnnxTestGraph(13).Input("x", 1).Floats("k", new long[] { 1 }, new[] { 2f })
            .Node("Relu", new[] { "x" }, new[] { "k" }, "relu").Node("Add", new[] { "x", "k" }, new[] { "y" }, "add").Output("y");
        e = Assert.Throws<InvalidDataException>(() => OnnxModel.Load(new MemoryStream(shadow.ToBytes()), "shadow.onnx"));
        Assert.Contains("'k' is defined twice (initializer 'k', then an output of Relu node 'relu'", e.Message);
        var twice = new OnnxTestGraph(13).Input("x", 1).Floats("k", new long[] { 1 }, new[] { 2f }).Floats("k", new long[] { 1 }, new[] { 3f })
            .Node("Add", new[] { "x", "k" }, new[] { "y" }, "add").Output("y");
        e = Assert.Throws<InvalidDataException>(() => OnnxModel.Load(new MemoryStream(twice.ToBytes()), "twice.onnx"));
        Assert.Contains("'k' is defined twice", e.Message);
    }

    /// <summary>A stream that never ends, as /dev/zero; counts what was read.</summary>
    private sealed class EndlessStream : Stream
    {
        public long BytesRead { get; private set; }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count)
        {
            Array.Clear(buffer, offset, count);
            BytesRead += count;
            return count;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public void AnEndlessStreamOrDeviceIsRefusedAtTheSizeLimitWithoutReadingFurther()
    {
        Assert.Equal(0x7FFFFFC7, OnnxModel.MaxFileBytes);   // 2 GiB: protobuf's limit, above any single-file CNN
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxModel.MaxFileBytes = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxModel.MaxFileBytes = 1L << 32);
        long saved = OnnxModel.MaxFileBytes;
        try
        {
            OnnxModel.MaxFileBytes = 8 << 20;
            var endless = new EndlessStream();
            var e = Assert.Throws<InvalidDataException>(() => OnnxModel.Load(endless, "endless"));
            Assert.Contains("'endless' is larger than the limit of 8388608 bytes", e.Message);
            Assert.Contains("OnnxModel.MaxFileBytes", e.Message);
            Assert.True(endless.BytesRead <= (8 << 20) + (1 << 20), $"read {endless.BytesRead} bytes");

            e = Assert.Throws<InvalidDataException>(() => OnnxModel.Load("/dev/zero"));
            Assert.Contains("'/dev/zero' is larger than the limit", e.Message);

            // A seekable stream longer than the limit is refused before reading.
            var big = new MemoryStream(new byte[(8 << 20) + 1]);
            Assert.Throws<InvalidDataException>(() => OnnxModel.Load(big, "big.onnx"));
            Assert.Equal(0, big.Position);
        }
        finally
        {
            OnnxModel.MaxFileBytes = saved;
        }
    }

    private static AttributeProto TensorValue(string name, TensorProto t) => new() { Name = name, Type = OnnxAttributeType.Tensor, T = t };

    /// <summary>Each case: a small graph around one node named "victim" with one thing wrong.</summary>
    public static TheoryData<string> BadNodes => new()
    {
        "conv group 0", "conv weight [0,3,3,3]", "conv bias of wrong size", "conv scalar bias", "conv 5 filters in 2 groups",
        "conv stride 0", "batchnorm 0-d scale", "batchnorm mean of wrong size", "clip 2-element min", "dropout 2-element ratio",
        "weights [2^62] with empty data", "weights [2^31,2^31] with empty data", "float16 [2^62] with empty data", "maxpool kernel 0",
    };

    private static OnnxTestGraph BadGraph(string kind)
    {
        var g = new OnnxTestGraph(13).Input("x", 1, 3, 8, 8);
        switch (kind)
        {
            case "conv group 0":
                return g.Weights("w", new long[] { 4, 3, 3, 3 }).Node("Conv", new[] { "x", "w" }, new[] { "y" }, "victim", Int("group", 0));
            case "conv weight [0,3,3,3]":
                return g.Floats("w", new long[] { 0, 3, 3, 3 }, Array.Empty<float>()).Node("Conv", new[] { "x", "w" }, new[] { "y" }, "victim");
            case "conv bias of wrong size":
                return g.Weights("w", new long[] { 4, 3, 3, 3 }).Weights("b", new long[] { 5 }).Node("Conv", new[] { "x", "w", "b" }, new[] { "y" }, "victim");
            case "conv scalar bias":
                return g.Weights("w", new long[] { 4, 3, 3, 3 }).Floats("b", Array.Empty<long>(), new[] { 1f }).Node("Conv", new[] { "x", "w", "b" }, new[] { "y" }, "victim");
            case "conv 5 filters in 2 groups":
                return g.Weights("w", new long[] { 5, 1, 3, 3 }).Node("Conv", new[] { "x", "w" }, new[] { "y" }, "victim", Int("group", 2));
            case "conv stride 0":
                return g.Weights("w", new long[] { 4, 3, 3, 3 }).Node("Conv", new[] { "x", "w" }, new[] { "y" }, "victim", Ints("strides", 0, 1));
            case "batchnorm 0-d scale":
            case "batchnorm mean of wrong size":
                g.Floats("s", kind.Contains("0-d") ? Array.Empty<long>() : new long[] { 3 }, kind.Contains("0-d") ? new[] { 1f } : new[] { 1f, 1f, 1f })
                    .Weights("b", new long[] { 3 }).Weights("m", new long[] { kind.Contains("0-d") ? 3 : 2 }).Weights("v", new long[] { 3 });
                return g.Node("BatchNormalization", new[] { "x", "s", "b", "m", "v" }, new[] { "y" }, "victim");
            case "clip 2-element min":
                return g.Floats("lo", new long[] { 2 }, new[] { 0f, 1f }).Node("Clip", new[] { "x", "lo" }, new[] { "y" }, "victim");
            case "dropout 2-element ratio":
                return g.Floats("r", new long[] { 2 }, new[] { 0.1f, 0.2f }).Node("Dropout", new[] { "x", "r" }, new[] { "y" }, "victim");
            case "weights [2^62] with empty data":
            case "weights [2^31,2^31] with empty data":
            case "float16 [2^62] with empty data":
                var dims = kind.Contains("2^62") ? new List<long> { 1L << 62 } : new List<long> { 1L << 31, 1L << 31 };
                var type = kind.StartsWith("float16") ? OnnxDataType.Float16 : OnnxDataType.Float;
                g.Graph.Initializers.Add(new TensorProto { Name = "k", DataType = type, Dims = dims, HasRawData = true, RawData = Array.Empty<byte>() });
                return g.Node("Add", new[] { "x", "k" }, new[] { "y" }, "victim");
            case "maxpool kernel 0":
                return g.Node("MaxPool", new[] { "x" }, new[] { "y" }, "victim", Ints("kernel_shape", 0, 2));
            default:
                throw new ArgumentException(kind);
        }
    }

    [Theory]
    [MemberData(nameof(BadNodes))]
    public void BadAttributesAndShapesAreRefusedAtLoadNamingFileAndNode(string kind)
    {
        byte[] bytes = BadGraph(kind).Output("y").ToBytes();
        var e = Record.Exception(() => OnnxModel.Load(new MemoryStream(bytes), "crafted.onnx").Dispose());
        Assert.True(e is InvalidDataException or NotSupportedException, $"{kind}: {e?.GetType().Name}: {e?.Message}");
        Assert.Contains("crafted.onnx", e!.Message);
        Assert.Contains("node 'victim'", e.Message);
    }

    [Fact]
    public void AGraphOutputWithAnEmptyNameIsRefusedAtLoad()
    {
        var g = new OnnxTestGraph(13).Input("x", 1, 4).Node("Relu", new[] { "x" }, new[] { "y" }, "relu").Output("y").Output("");
        var e = Assert.Throws<InvalidDataException>(() => OnnxModel.Load(new MemoryStream(g.ToBytes()), "noname.onnx"));
        Assert.Contains("noname.onnx", e.Message);
        Assert.Contains("graph output #1 has an empty name", e.Message);
    }

    [Fact]
    public void ValidEdgeCasesStillLoad()
    {
        // A scalar Clip bound, a depthwise conv with a bias per filter, an old-style initializer listed as a graph input.
        var g = new OnnxTestGraph(13).Input("x", 1, 3, 8, 8).Input("w", 3, 1, 3, 3).Weights("w", new long[] { 3, 1, 3, 3 }).Weights("b", new long[] { 3 })
            .Floats("lo", Array.Empty<long>(), new[] { 0f })
            .Node("Conv", new[] { "x", "w", "b" }, new[] { "c" }, "conv", Int("group", 3))
            .Node("Clip", new[] { "c", "lo" }, new[] { "y" }, "clip").Output("y");
        using var model = OnnxModel.Load(new MemoryStream(g.ToBytes()), "ok.onnx");
        using var _ = torch.no_grad();
        using var y = model.call(torch.ones(1, 3, 8, 8));
        Assert.Equal(new long[] { 1, 3, 6, 6 }, y.shape);
    }
}
