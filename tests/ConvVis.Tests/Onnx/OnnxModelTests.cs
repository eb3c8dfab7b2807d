using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using static ConvVis.Tests.Onnx.OnnxTestGraph;
using static TorchSharp.torch;

namespace ConvVis.Tests.Onnx;

/// <summary>The imported module as a whole: batching, hooks, gradients, freeing, names and errors.</summary>
public class OnnxModelTests
{
    /// <summary>conv → relu → flatten by Reshape to a constant [1, -1] → Gemm, with the batch fixed to 1 in the file.</summary>
    private static OnnxTestGraph SmallCnn(long[] reshape) => new OnnxTestGraph(13).Input("x", 1, 2, 4, 4)
        .Weights("w", new long[] { 3, 2, 3, 3 }).Weights("b", new long[] { 3 }).Weights("W", new long[] { 5, 48 }).Weights("C", new long[] { 5 })
        .Longs("shape", reshape)
        .Node("Conv", new[] { "x", "w", "b" }, new[] { "c" }, "/features/features.0/Conv", Ints("pads", 1, 1, 1, 1))
        .Node("Relu", new[] { "c" }, new[] { "r" }, "/features/features.1/Relu")
        .Node("Reshape", new[] { "r", "shape" }, new[] { "f" }, "/Reshape")
        .Node("Gemm", new[] { "f", "W", "C" }, new[] { "y" }, "/classifier/Gemm", Int("transB", 1)).Output("y");

    [Theory]
    [InlineData(1, 48)]
    [InlineData(1, -1)]
    [InlineData(0, -1)]
    public void ABatchRunsThroughAGraphWhoseBatchIsFixedToOne(long first, long second)
    {
        byte[] bytes = SmallCnn(new[] { first, second }).ToBytes();
        using var model = OnnxModel.Load(new MemoryStream(bytes));
        var batch = OnnxReference.RandomInput(new long[] { 3, 2, 4, 4 }, seed: 3);
        var actual = OnnxReference.RunImported(model, batch, new long[] { 3, 2, 4, 4 });
        Assert.Equal(new long[] { 3, 5 }, actual.Shape);
        using var session = new InferenceSession(bytes);
        for (int i = 0; i < 3; i++)
        {
            var single = batch.Skip(i * 32).Take(32).ToArray();
            var expected = OnnxReference.Run(session, single, new long[] { 1, 2, 4, 4 });
            OnnxReference.AssertClose(expected, (actual.Values.Skip(i * 5).Take(5).ToArray(), new long[] { 1, 5 }));
        }
    }

    [Fact]
    public void PyTorchNodeNamesBecomeNestedModuleNamesAndInputsAreExposed()
    {
        using var model = OnnxModel.Load(new MemoryStream(SmallCnn(new long[] { 1, -1 }).ToBytes()), "small.onnx");
        Assert.Equal(new[] { "features", "classifier", "features.0", "features.1" }, model.named_modules().Select(m => m.name));
        Assert.Equal("features.0", model.LayerNames["/features/features.0/Conv"]);
        Assert.Equal("classifier", model.LayerNames["/classifier/Gemm"]);
        var input = Assert.Single(model.Inputs);
        Assert.Equal("x", input.Name);
        Assert.Equal(new long?[] { 1, 2, 4, 4 }, input.Shape!.Select(d => d.Size));
        Assert.Equal("x: Float[1, 2, 4, 4]", input.ToString());
        Assert.Equal("y", Assert.Single(model.Outputs).Name);
        Assert.Equal(13, model.OpsetVersion);
    }

    [Fact]
    public void SymbolicDimensionsAreExposed()
    {
        var g = new OnnxTestGraph(13).Input("images", -1, 3, 8, 8).Node("Relu", new[] { "images" }, new[] { "y" }, "relu").Output("y");
        using var model = OnnxModel.Load(new MemoryStream(g.ToBytes()));
        var dims = model.Inputs[0].Shape!;
        Assert.False(dims[0].IsFixed);
        Assert.Equal("N", dims[0].Symbol);
        Assert.Equal("images: Float[N, 3, 8, 8]", model.Inputs[0].ToString());
    }

    [Fact]
    public void HooksFireAndGradientsFlowLikeInAHandWrittenNetwork()
    {
        using var model = OnnxModel.Load(new MemoryStream(SmallCnn(new long[] { 1, -1 }).ToBytes()));
        var modules = model.named_modules().ToDictionary(m => m.name, m => m.module);
        var conv = (TorchSharp.Modules.Conv2d)modules["features.0"];
        var fc = (TorchSharp.Modules.Linear)modules["classifier"];
        Tensor? kept = null;
        // An attribution-style hook that keeps the raw activation and asks for its gradient.
        var handle = ((nn.Module<Tensor, Tensor>)modules["features.1"]).register_forward_hook((m, i, o) => { o.retain_grad(); kept = o; return null!; });

        using var scope = torch.NewDisposeScope();
        var x = torch.randn(2, 2, 4, 4, generator: new Generator(5)).requires_grad_(true);
        using (ConvGradientCorrection.Install(model)) // right conv input gradients on every CPU
            model.call(x)[.., 3].sum().backward();

        // The same network by hand, same weights, in float64: a float32 reference would share the faulty kernels of some CPUs.
        var x2 = x.detach().to(float64).requires_grad_(true);
        var r = nn.functional.relu(nn.functional.conv2d(x2, conv.weight!.detach().to(float64), conv.bias!.detach().to(float64), padding: new long[] { 1, 1 }));
        r.retain_grad();
        nn.functional.linear(r.reshape(2, -1), fc.weight!.detach().to(float64), fc.bias!.detach().to(float64))[.., 3].sum().backward();

        Assert.True(torch.allclose(x.grad!.to(float64), x2.grad!, 1e-5, 1e-6));
        Assert.NotNull(kept);
        Assert.True(torch.allclose(kept!.grad!.to(float64), r.grad!, 1e-5, 1e-6));
        Assert.True(x.grad!.abs().sum().item<float>() > 0);
        handle.remove();
    }

    [Fact]
    public void WithoutGradientsIntermediatesAreFreedAsSoonAsTheirLastConsumerRan()
    {
        using var model = OnnxModel.Load(new MemoryStream(SmallCnn(new long[] { 1, -1 }).ToBytes()));
        var relu = (nn.Module<Tensor, Tensor>)model.named_modules().Single(m => m.name == "features.1").module;
        Tensor? raw = null;
        var handle = relu.register_forward_hook((m, i, o) => { raw = o; return null!; });
        using var noGrad = torch.no_grad();
        using var x = torch.randn(1, 2, 4, 4);
        using var y = model.call(x);
        Assert.NotNull(raw);
        Assert.True(raw!.IsInvalid, "the ReLU output should have been disposed after the Reshape that reads it");
        Assert.False(x.IsInvalid, "the caller's input must never be disposed");
        Assert.Equal(new long[] { 1, 5 }, y.shape);
        handle.remove();
    }

    [Fact]
    public void AModelLoadedInsideADisposeScopeOutlivesTheScope()
    {
        var g = new OnnxTestGraph(13).Input("x", 1, 2, 4, 4).Weights("w", new long[] { 3, 2, 3, 3 }).Weights("k", new long[] { 3, 1, 1 })
            .Node("Conv", new[] { "x", "w" }, new[] { "c" }, "conv", Ints("pads", 1, 1, 1, 1))
            .Node("Mul", new[] { "c", "k" }, new[] { "y" }, "scale").Output("y");
        byte[] bytes = g.ToBytes();
        OnnxModel model;
        using (torch.NewDisposeScope())
            model = OnnxModel.Load(new MemoryStream(bytes));
        using (model)
        {
            var input = OnnxReference.RandomInput(new long[] { 1, 2, 4, 4 }, 1);
            OnnxReference.AssertClose(OnnxReference.Run(bytes, input, new long[] { 1, 2, 4, 4 }), OnnxReference.RunImported(model, input, new long[] { 1, 2, 4, 4 }));
        }
    }

    [Fact]
    public void AFileIsReadThroughAMapThatIsReleasedAfterLoading()
    {
        // The weights are copied out of the memory-mapped file once; overwriting the file afterwards changes nothing.
        byte[] bytes = SmallCnn(new long[] { 1, -1 }).ToBytes();
        string path = Path.Combine(Path.GetTempPath(), $"convvis-mapped-{Environment.ProcessId}.onnx");
        File.WriteAllBytes(path, bytes);
        try
        {
            using var model = OnnxModel.Load(path);
            File.WriteAllBytes(path, new byte[bytes.Length]);
            File.Delete(path);
            var input = OnnxReference.RandomInput(new long[] { 1, 2, 4, 4 }, 5);
            OnnxReference.AssertClose(OnnxReference.Run(bytes, input, new long[] { 1, 2, 4, 4 }), OnnxReference.RunImported(model, input, new long[] { 1, 2, 4, 4 }));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ARunTimeFailureNamesTheNodeAndTheShapes()
    {
        using var model = OnnxModel.Load(new MemoryStream(SmallCnn(new long[] { 1, 48 }).ToBytes()));
        using var wrongSize = torch.zeros(1, 2, 5, 5);
        var e = Assert.Throws<InvalidOperationException>(() => model.call(wrongSize));
        Assert.Contains("'/Reshape' (Reshape)", e.Message);
        Assert.Contains("[1, 3, 5, 5]", e.Message);
    }

    [Fact]
    public void AnUnsupportedOperatorFailsAtLoadNamingOperatorNodeAndOpset()
    {
        var g = new OnnxTestGraph(13).Input("x", 1, 4).Node("Relu", new[] { "x" }, new[] { "r" }, "relu")
            .Node("Einsum", new[] { "r" }, new[] { "y" }, "mystery_node", Str("equation", "ij->ji")).Output("y");
        var e = Assert.Throws<NotSupportedException>(() => OnnxModel.Load(new MemoryStream(g.ToBytes()), "model.onnx"));
        Assert.Contains("Einsum", e.Message);
        Assert.Contains("'mystery_node'", e.Message);
        Assert.Contains("opset 13", e.Message);
        Assert.Contains("model.onnx", e.Message);
    }

    [Fact]
    public void AnUnsupportedAttributeFailsAtLoad()
    {
        var g = new OnnxTestGraph(13).Input("x", 1, 1, 4, 4).Weights("w", new long[] { 1, 1, 3, 3 })
            .Node("Conv", new[] { "x", "w" }, new[] { "y" }, "conv", Int("frobnicate", 1)).Output("y");
        var e = Assert.Throws<NotSupportedException>(() => OnnxModel.Load(new MemoryStream(g.ToBytes())));
        Assert.Contains("attribute 'frobnicate'", e.Message);
        Assert.Contains("Conv node 'conv'", e.Message);
    }

    [Theory]
    [InlineData(6)]
    [InlineData(22)]
    public void AnOpsetOutsideSevenToTwentyOneFailsAtLoad(long opset)
    {
        var g = new OnnxTestGraph(opset).Input("x", 1, 4).Node("Relu", new[] { "x" }, new[] { "y" }, "relu").Output("y");
        var e = Assert.Throws<NotSupportedException>(() => OnnxModel.Load(new MemoryStream(g.ToBytes())));
        Assert.Contains($"opset {opset}", e.Message);
    }

    [Fact]
    public void AGraphReadingAValueNobodyProducesIsInvalid()
    {
        var g = new OnnxTestGraph(13).Input("x", 1, 4).Node("Add", new[] { "x", "ghost" }, new[] { "y" }, "add").Output("y");
        var e = Assert.Throws<InvalidDataException>(() => OnnxModel.Load(new MemoryStream(g.ToBytes()), "bad.onnx"));
        Assert.Contains("'ghost'", e.Message);
        Assert.Contains("bad.onnx", e.Message);
    }

    [Theory]
    [InlineData(new long[] { 4, 2, 3, 3 })]                                  // fewer values than the dimensions need
    [InlineData(new long[] { 1L << 40, 1L << 40, 1L << 40, 3 })]              // a giant declared size: refused, not allocated
    public void WeightsThatDoNotMatchTheirDimensionsAreInvalid(long[] declared)
    {
        var g = new OnnxTestGraph(13).Input("x", 1, 2, 4, 4).Weights("w", new long[] { 3, 2, 3, 3 })
            .Node("Conv", new[] { "x", "w" }, new[] { "y" }, "conv").Output("y");
        g.Graph.Initializers[0].Dims = declared.ToList();
        var e = Assert.Throws<InvalidDataException>(() => OnnxModel.Load(new MemoryStream(g.ToBytes()), "w.onnx"));
        Assert.Contains("initializer 'w'", e.Message);
        Assert.Contains("w.onnx", e.Message);
    }

    [Fact]
    public void EveryTruncationOfAModelFileFailsWithInvalidDataException()
    {
        byte[] bytes = SmallCnn(new long[] { 1, -1 }).ToBytes();
        int failures = 0;
        for (int length = 0; length < bytes.Length; length++)
        {
            try
            {
                using var m = OnnxModel.Load(new MemoryStream(bytes, 0, length), "cut.onnx");
                // A cut exactly between top-level fields can leave a valid (smaller) model; that is fine.
            }
            catch (InvalidDataException e)
            {
                Assert.Contains("cut.onnx", e.Message);
                failures++;
            }
        }
        Assert.True(failures > bytes.Length * 9 / 10, $"{failures} of {bytes.Length} truncations failed");
    }

    [Fact]
    public void GarbageAndOtherFileFormatsFailWithInvalidDataException()
    {
        var random = new Random(11);
        for (int i = 0; i < 200; i++)
        {
            var bytes = new byte[random.Next(0, 400)];
            random.NextBytes(bytes);
            var e = Record.Exception(() => OnnxModel.Load(new MemoryStream(bytes), "noise.onnx").Dispose());
            Assert.True(e is InvalidDataException, $"case {i}: {e?.GetType().Name}: {e?.Message}");
        }
        string png = Path.Combine(Path.GetTempPath(), "convvis-not-onnx.onnx");
        File.WriteAllBytes(png, new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52 });
        var err = Assert.Throws<InvalidDataException>(() => OnnxModel.Load(png));
        Assert.Contains(png, err.Message);
        Assert.Throws<FileNotFoundException>(() => OnnxModel.Load("/nonexistent/model.onnx"));
    }

    [Fact]
    public void BitFlipsInAModelFileNeverCrashWithAnUndocumentedException()
    {
        byte[] original = SmallCnn(new long[] { 1, -1 }).ToBytes();
        var random = new Random(99);
        for (int i = 0; i < 300; i++)
        {
            var bytes = (byte[])original.Clone();
            for (int k = random.Next(1, 4); k > 0; k--)
                bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
            var e = Record.Exception(() =>
            {
                using var m = OnnxModel.Load(new MemoryStream(bytes), "flipped.onnx");
                using var noGrad = torch.no_grad();
                using var y = m.call(torch.zeros(1, 2, 4, 4));
            });
            Assert.True(e is null or InvalidDataException or NotSupportedException or InvalidOperationException,
                $"case {i}: {e?.GetType().Name}: {e?.Message}");
        }
    }
}
