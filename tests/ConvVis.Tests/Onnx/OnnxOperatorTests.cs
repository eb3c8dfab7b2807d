using static ConvVis.Tests.Onnx.OnnxReference;
using static ConvVis.Tests.Onnx.OnnxTestGraph;

namespace ConvVis.Tests.Onnx;

/// <summary>Every supported operator: a one-operator graph written by the test, run by ONNX Runtime
/// and by the imported module on the same random input, equal to float precision.</summary>
public class OnnxOperatorTests
{
    [Fact]
    public void ConvWithBiasAndSymmetricPadsBecomesAConv2dLayer()
    {
        var g = new OnnxTestGraph(13).Input("x", 1, 3, 9, 9).Weights("w", new long[] { 4, 3, 3, 3 }).Weights("b", new long[] { 4 })
            .Node("Conv", new[] { "x", "w", "b" }, new[] { "y" }, "conv", Ints("pads", 1, 1, 1, 1), Ints("kernel_shape", 3, 3)).Output("y");
        using var model = Check(g, new long[] { 1, 3, 9, 9 });
        var (name, layer) = model.named_modules().Single();
        Assert.Equal("conv", name);
        var conv = Assert.IsType<TorchSharp.Modules.Conv2d>(layer);
        Assert.Equal(new long[] { 4, 3, 3, 3 }, conv.weight!.shape);
    }

    [Fact]
    public void ConvWithGroupsDilationStrideAndAsymmetricPads()
    {
        var g = new OnnxTestGraph(11).Input("x", 2, 4, 11, 10).Weights("w", new long[] { 6, 2, 3, 3 }, typed: true)
            .Node("Conv", new[] { "x", "w" }, new[] { "y" }, "conv", Ints("pads", 1, 0, 2, 1), Ints("strides", 2, 1), Ints("dilations", 2, 1), Int("group", 2)).Output("y");
        CheckAndDispose(g, new long[] { 2, 4, 11, 10 });
    }

    [Theory]
    [InlineData("SAME_UPPER")]
    [InlineData("SAME_LOWER")]
    [InlineData("VALID")]
    public void ConvWithAutoPad(string autoPad)
    {
        var g = new OnnxTestGraph(13).Input("x", 1, 3, 10, 9).Weights("w", new long[] { 3, 1, 4, 4 })
            .Node("Conv", new[] { "x", "w" }, new[] { "y" }, "dw", Str("auto_pad", autoPad), Ints("strides", 2, 2), Int("group", 3)).Output("y");
        CheckAndDispose(g, new long[] { 1, 3, 10, 9 });
    }

    [Theory]
    [InlineData(8)]
    [InlineData(15)]
    public void BatchNormalization(long opset)
    {
        var g = new OnnxTestGraph(opset).Input("x", 2, 3, 4, 4).Weights("s", new long[] { 3 }).Weights("b", new long[] { 3 })
            .Weights("m", new long[] { 3 }).Floats("v", new long[] { 3 }, new[] { 0.5f, 1.5f, 2f });
        var attrs = opset < 9 ? new[] { Float("epsilon", 1e-3f), Int("spatial", 1), Float("momentum", 0.9f) } : new[] { Float("epsilon", 1e-3f) };
        g.Node("BatchNormalization", new[] { "x", "s", "b", "m", "v" }, new[] { "y" }, "bn", attrs).Output("y");
        using var model = Check(g, new long[] { 2, 3, 4, 4 });
        Assert.IsType<TorchSharp.Modules.BatchNorm2d>(model.named_modules().Single().module);
    }

    [Fact]
    public void ActivationsAreEachTheirOwnModule()
    {
        var g = new OnnxTestGraph(13).Input("x", 2, 5)
            .Node("Relu", new[] { "x" }, new[] { "a" }, "/relu/Relu")
            .Node("LeakyRelu", new[] { "x" }, new[] { "b" }, "leaky", Float("alpha", 0.2f))
            .Node("Sigmoid", new[] { "x" }, new[] { "c" }, "sig")
            .Node("Relu", new[] { "a" }, new[] { "a2" }, "/relu/Relu_1")
            .Node("Add", new[] { "a2", "b" }, new[] { "ab" })
            .Node("Sub", new[] { "ab", "c" }, new[] { "y" }).Output("y");
        using var model = Check(g, new long[] { 2, 5 });
        Assert.Equal(new[] { "relu", "leaky", "sig", "relu_1" }, model.named_modules().Select(m => m.name));
    }

    [Theory]
    [InlineData(7, true, true)]
    [InlineData(13, true, true)]
    [InlineData(13, true, false)]
    public void Clip(long opset, bool min, bool max)
    {
        var g = new OnnxTestGraph(opset).Input("x", 3, 4);
        if (opset < 11)
            g.Node("Clip", new[] { "x" }, new[] { "y" }, "clip", Float("min", 0), Float("max", 0.5f));
        else
        {
            g.Floats("lo", Array.Empty<long>(), new[] { -0.25f }).Floats("hi", Array.Empty<long>(), new[] { 1.5f });
            g.Node("Clip", new[] { "x", min ? "lo" : "", max ? "hi" : "" }, new[] { "y" }, "clip");
        }
        CheckAndDispose(g.Output("y"), new long[] { 3, 4 });
    }

    [Theory]
    [InlineData(8, 0, 1)]
    [InlineData(12, 1, 1)]
    [InlineData(12, 0, 2)]
    public void MaxPoolWithCntkStyleAsymmetricPads(long opset, long ceil, long dilation)
    {
        var attrs = new List<ConvVis.Onnx.Proto.AttributeProto> { Ints("kernel_shape", 3, 3), Ints("strides", 2, 2), Ints("pads", 1, 1, 0, 0) };
        if (opset >= 10) { attrs.Add(Int("ceil_mode", ceil)); attrs.Add(Ints("dilations", dilation, dilation)); }
        var g = new OnnxTestGraph(opset).Input("x", 1, 2, 12, 11).Node("MaxPool", new[] { "x" }, new[] { "y" }, "pool", attrs.ToArray()).Output("y");
        CheckAndDispose(g, new long[] { 1, 2, 12, 11 });
    }

    [Theory]
    [InlineData(0, 1, 1, 1, 1)]
    [InlineData(1, 1, 1, 1, 1)]
    [InlineData(1, 1, 0, 0, 1)]
    [InlineData(0, 0, 0, 0, 0)]
    public void AveragePool(long countIncludePad, long top, long left, long bottom, long right)
    {
        var g = new OnnxTestGraph(11).Input("x", 2, 3, 9, 8)
            .Node("AveragePool", new[] { "x" }, new[] { "y" }, "pool", Ints("kernel_shape", 3, 3), Ints("strides", 2, 2),
                Ints("pads", top, left, bottom, right), Int("count_include_pad", countIncludePad)).Output("y");
        CheckAndDispose(g, new long[] { 2, 3, 9, 8 });
    }

    [Fact]
    public void GlobalAveragePoolThenFlattenThenGemmIsAClassifierHead()
    {
        var g = new OnnxTestGraph(9).Input("x", 2, 6, 5, 5).Weights("W", new long[] { 4, 6 }).Weights("C", new long[] { 4 })
            .Node("GlobalAveragePool", new[] { "x" }, new[] { "p" }, "gap")
            .Node("Flatten", new[] { "p" }, new[] { "f" }, "flatten", Int("axis", 1))
            .Node("Gemm", new[] { "f", "W", "C" }, new[] { "y" }, "fc", Int("transB", 1), Float("alpha", 0.5f), Float("beta", 2f)).Output("y");
        using var model = Check(g, new long[] { 2, 6, 5, 5 });
        Assert.Equal(new[] { "gap", "flatten", "fc" }, model.named_modules().Select(m => m.name));
        Assert.IsType<TorchSharp.Modules.Linear>(model.named_modules().Last().module);
    }

    [Fact]
    public void GemmWithTransposedAAndMatrixC()
    {
        var g = new OnnxTestGraph(13).Input("x", 5, 3).Weights("B", new long[] { 5, 4 }).Weights("C", new long[] { 3, 4 })
            .Node("Gemm", new[] { "x", "B", "C" }, new[] { "y" }, "gemm", Int("transA", 1), Float("alpha", 1.5f), Float("beta", 0.5f)).Output("y");
        CheckAndDispose(g, new long[] { 5, 3 });
    }

    [Fact]
    public void MatMulWithConstantWeightsBroadcasts()
    {
        var g = new OnnxTestGraph(13).Input("x", 2, 3, 4).Weights("W", new long[] { 4, 5 })
            .Node("MatMul", new[] { "x", "W" }, new[] { "y" }, "mm").Output("y");
        CheckAndDispose(g, new long[] { 2, 3, 4 });
    }

    [Fact]
    public void AddMulSubBroadcastWithConstants()
    {
        var g = new OnnxTestGraph(13).Input("x", 2, 3, 4, 5).Weights("a", new long[] { 3, 1, 1 }).Weights("m", new long[] { 5 }).Weights("s", new long[] { 1, 4, 1 })
            .Node("Add", new[] { "x", "a" }, new[] { "t1" })
            .Node("Mul", new[] { "t1", "m" }, new[] { "t2" })
            .Node("Sub", new[] { "s", "t2" }, new[] { "y" }).Output("y");
        using var model = Check(g, new long[] { 2, 3, 4, 5 });
        Assert.Empty(model.named_modules());
        Assert.Equal(3, model.named_buffers().Count());
    }

    [Fact]
    public void ConcatOfTwoBranches()
    {
        var g = new OnnxTestGraph(13).Input("x", 1, 2, 6, 6).Weights("w1", new long[] { 3, 2, 1, 1 }).Weights("w2", new long[] { 2, 2, 3, 3 })
            .Node("Conv", new[] { "x", "w1" }, new[] { "a" }, "/inception/branch1/Conv")
            .Node("Conv", new[] { "x", "w2" }, new[] { "b" }, "/inception/branch2/Conv", Ints("pads", 1, 1, 1, 1))
            .Node("Concat", new[] { "a", "b", "x" }, new[] { "y" }, "cat", Int("axis", 1)).Output("y");
        using var model = Check(g, new long[] { 1, 2, 6, 6 });
        Assert.Equal(new[] { "inception", "inception.branch1", "inception.branch2" }, model.named_modules().Select(m => m.name));
    }

    [Fact]
    public void FlattenWithAxisTwo()
    {
        var g = new OnnxTestGraph(13).Input("x", 2, 3, 4, 5).Node("Flatten", new[] { "x" }, new[] { "y" }, "f", Int("axis", 2)).Output("y");
        CheckAndDispose(g, new long[] { 2, 3, 4, 5 });
    }

    [Fact]
    public void ReshapeWithZeroAndMinusOne()
    {
        var g = new OnnxTestGraph(13).Input("x", 2, 3, 4, 5).Longs("shape", 0, -1, 5)
            .Node("Reshape", new[] { "x", "shape" }, new[] { "y" }, "r").Output("y");
        CheckAndDispose(g, new long[] { 2, 3, 4, 5 });
    }

    [Theory]
    [InlineData(7)]
    [InlineData(13)]
    public void DropoutIsIdentityAtInference(long opset)
    {
        var g = new OnnxTestGraph(opset).Input("x", 3, 4);
        if (opset < 12) g.Node("Dropout", new[] { "x" }, new[] { "y", "mask" }, "drop", Float("ratio", 0.3f));
        else g.Floats("ratio", Array.Empty<long>(), new[] { 0.3f }).Node("Dropout", new[] { "x", "ratio" }, new[] { "y" }, "drop");
        using var model = Check(g.Output("y"), new long[] { 3, 4 });
        Assert.IsType<TorchSharp.Modules.Dropout>(model.named_modules().Single().module);
    }

    [Theory]
    [InlineData(11, 1)]
    [InlineData(11, -1)]
    [InlineData(13, 1)]
    public void SoftmaxAxisSemanticsFollowTheOpset(long opset, long axis)
    {
        var g = new OnnxTestGraph(opset).Input("x", 2, 3, 4).Node("Softmax", new[] { "x" }, new[] { "y" }, "softmax", Int("axis", axis)).Output("y");
        CheckAndDispose(g, new long[] { 2, 3, 4 });
    }

    [Theory]
    [InlineData(7, "constant")]
    [InlineData(11, "constant")]
    [InlineData(11, "reflect")]
    [InlineData(13, "edge")]
    public void Pad(long opset, string mode)
    {
        var g = new OnnxTestGraph(opset).Input("x", 1, 2, 5, 6);
        long[] pads = { 0, 0, 1, 2, 0, 0, 2, 1 };
        if (opset < 11)
            g.Node("Pad", new[] { "x" }, new[] { "y" }, "pad", Str("mode", mode), Ints("pads", pads), Float("value", 1.5f));
        else
        {
            g.Longs("pads", pads).Floats("v", Array.Empty<long>(), new[] { 1.5f });
            g.Node("Pad", mode == "constant" ? new[] { "x", "pads", "v" } : new[] { "x", "pads" }, new[] { "y" }, "pad", Str("mode", mode));
        }
        CheckAndDispose(g.Output("y"), new long[] { 1, 2, 5, 6 });
    }

    [Theory]
    [InlineData(11, false)]
    [InlineData(13, false)]
    [InlineData(13, true)]
    public void SplitIntoSeveralOutputs(long opset, bool sizes)
    {
        var g = new OnnxTestGraph(opset).Input("x", 2, 6, 3);
        if (!sizes) g.Node("Split", new[] { "x" }, new[] { "a", "b", "c" }, "split", Int("axis", 1));
        else g.Longs("sizes", 1, 2, 3).Node("Split", new[] { "x", "sizes" }, new[] { "a", "b", "c" }, "split", Int("axis", 1));
        g.Node("Concat", new[] { "c", "a", "b" }, new[] { "y" }, "cat", Int("axis", 1)).Output("y");
        CheckAndDispose(g, new long[] { 2, 6, 3 });
    }

    [Fact]
    public void IdentityAndTanh()
    {
        var g = new OnnxTestGraph(13).Input("x", 2, 3)
            .Node("Identity", new[] { "x" }, new[] { "i" })
            .Node("Tanh", new[] { "i" }, new[] { "y" }, "tanh").Output("y");
        CheckAndDispose(g, new long[] { 2, 3 });
    }

    [Fact]
    public void PyTorchStyleDynamicFlattenWithShapeGatherUnsqueezeConcat()
    {
        var g = new OnnxTestGraph(11).Input("x", -1, 2, 3, 3).Longs("zero", 0).Longs("minus1", -1)
            .Node("Shape", new[] { "x" }, new[] { "s" })
            .Node("Constant", Array.Empty<string>(), new[] { "idx" }, "", new ConvVis.Onnx.Proto.AttributeProto { Name = "value", Type = ConvVis.Onnx.Proto.OnnxAttributeType.Tensor, T = new ConvVis.Onnx.Proto.TensorProto { DataType = ConvVis.Onnx.Proto.OnnxDataType.Int64, Int64Data = { 0 } } })
            .Node("Gather", new[] { "s", "idx" }, new[] { "n" }, "", Int("axis", 0))
            .Node("Unsqueeze", new[] { "n" }, new[] { "n1" }, "", Ints("axes", 0))
            .Node("Concat", new[] { "n1", "minus1" }, new[] { "shape" }, "", Int("axis", 0))
            .Node("Reshape", new[] { "x", "shape" }, new[] { "y" }).Output("y");
        CheckAndDispose(g, new long[] { 3, 2, 3, 3 });
    }
}
