using ConvVis.Onnx.Proto;
using static ConvVis.Tests.Onnx.OnnxReference;
using static ConvVis.Tests.Onnx.OnnxTestGraph;

namespace ConvVis.Tests.Onnx;

/// <summary>The operators of newer CNN families (MobileNet v3, ShuffleNet, MNASNet, ConvNeXt, ...) and of the model
/// zoo's classics: one small graph each, run by ONNX Runtime and by the imported module, equal to float precision;
/// with broadcasting, negative axes and the attribute/input forms of the different opsets.</summary>
public class OnnxModernOperatorTests
{
    private static string[] ModuleTypes(OnnxModel model) => model.named_modules().Select(m => m.module.GetType().Name).ToArray();

    private static AttributeProto TensorAttr(string name, TensorProto t) => new() { Name = name, Type = OnnxAttributeType.Tensor, T = t };

    [Theory]
    [InlineData(new long[] { 0, 2, 3, 1 })]
    [InlineData(new long[0])]
    public void Transpose(long[] perm)
    {
        var g = new OnnxTestGraph(13).Input("x", 2, 3, 4, 5);
        g.Node("Transpose", new[] { "x" }, new[] { "y" }, "t", perm.Length > 0 ? new[] { Ints("perm", perm) } : Array.Empty<AttributeProto>()).Output("y");
        CheckAndDispose(g, new long[] { 2, 3, 4, 5 });
    }

    [Theory]
    [InlineData(9, new long[] { 1, -3 }, new long[] { 3, 1000 }, new long[] { 1, -2 }, null)]
    [InlineData(13, new long[] { 1, -3 }, new long[] { 3, long.MaxValue }, new long[] { 1, -2 }, null)]
    [InlineData(13, new long[] { 0, 1 }, new long[] { 6, 5 }, new long[] { -1, 1 }, new long[] { 2, 2 })]
    [InlineData(13, new long[] { -1, 4 }, new long[] { long.MinValue, 0 }, new long[] { 3, 2 }, new long[] { -1, -2 })]
    public void Slice(long opset, long[] starts, long[] ends, long[] axes, long[]? steps)
    {
        var g = new OnnxTestGraph(opset).Input("x", 2, 3, 5, 6);
        if (opset < 10)
            g.Node("Slice", new[] { "x" }, new[] { "y" }, "s", Ints("starts", starts), Ints("ends", ends), Ints("axes", axes));
        else
        {
            g.Longs("starts", starts).Longs("ends", ends).Longs("axes", axes);
            if (steps is not null) g.Longs("steps", steps);
            g.Node("Slice", steps is null ? new[] { "x", "starts", "ends", "axes" } : new[] { "x", "starts", "ends", "axes", "steps" }, new[] { "y" }, "s");
        }
        CheckAndDispose(g.Output("y"), new long[] { 2, 3, 5, 6 });
    }

    [Fact]
    public void SliceWithStartsAndEndsComputedFromTheShapeAsInShuffleNet()
    {
        // ShuffleNet's channel split: Shape -> Gather(1) -> Div 2 -> Slice(x, [0], half, [1]).
        var g = new OnnxTestGraph(13).Input("x", -1, 6, 3, 3).Longs("one", 1).Longs("two", 2).Longs("zero", 0)
            .Node("Shape", new[] { "x" }, new[] { "s" })
            .Node("Gather", new[] { "s", "one" }, new[] { "c" }, "", Int("axis", 0))
            .Node("Div", new[] { "c", "two" }, new[] { "half" })
            .Node("Slice", new[] { "x", "half", "c", "one" }, new[] { "y" }, "slice").Output("y");
        CheckAndDispose(g, new long[] { 2, 6, 3, 3 });
    }

    [Theory]
    [InlineData("ReduceMean", 13, new long[] { -1, -2 }, 1)]
    [InlineData("ReduceMean", 13, new long[] { 1 }, 0)]
    [InlineData("ReduceMean", 18, new long[] { -1, 2 }, 1)]
    [InlineData("ReduceSum", 11, new long[] { 1, 3 }, 0)]
    [InlineData("ReduceSum", 13, new long[] { -3 }, 1)]
    [InlineData("ReduceSum", 13, new long[0], 0)]
    [InlineData("ReduceMax", 13, new long[] { 2, 3 }, 1)]
    [InlineData("ReduceMin", 18, new long[] { 0 }, 0)]
    [InlineData("ReduceProd", 13, new long[] { -1 }, 1)]
    [InlineData("ReduceL2", 13, new long[] { 1, -1 }, 0)]
    public void Reductions(string op, long opset, long[] axes, long keepdims)
    {
        var g = new OnnxTestGraph(opset).Input("x", 2, 3, 4, 5);
        bool axesInput = op == "ReduceSum" ? opset >= 13 : opset >= 18;
        if (axesInput && axes.Length > 0) g.Longs("axes", axes).Node(op, new[] { "x", "axes" }, new[] { "y" }, "r", Int("keepdims", keepdims));
        else if (axes.Length > 0) g.Node(op, new[] { "x" }, new[] { "y" }, "r", Ints("axes", axes), Int("keepdims", keepdims));
        else g.Node(op, new[] { "x" }, new[] { "y" }, "r", Int("keepdims", keepdims));
        CheckAndDispose(g.Output("y"), new long[] { 2, 3, 4, 5 });
    }

    [Fact]
    public void HardSigmoidAndHardSwishAreLayers()
    {
        // MobileNet v3 at opset 13 (HardSigmoid with PyTorch's alpha 1/6, times x) and 14 (HardSwish), and Keras' alpha 0.2.
        var g = new OnnxTestGraph(14).Input("x", 2, 3, 4, 4)
            .Node("HardSigmoid", new[] { "x" }, new[] { "hs" }, "/se/HardSigmoid", Float("alpha", 1f / 6), Float("beta", 0.5f))
            .Node("Mul", new[] { "x", "hs" }, new[] { "a" })
            .Node("HardSwish", new[] { "a" }, new[] { "b" }, "/act/HardSwish")
            .Node("HardSigmoid", new[] { "b" }, new[] { "y" }, "keras").Output("y");
        using var model = Check(g, new long[] { 2, 3, 4, 4 });
        Assert.Equal(new[] { "se", "act", "keras" }, model.named_modules().Select(m => m.name));
        Assert.Equal(new[] { "Hardswish", "Hardswish", "HardSigmoid" }, ModuleTypes(model));   // x * HardSigmoid(x) is fused
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PyTorchsDecomposedGeluIsOneGeluLayer(bool multiplyByReciprocal)
    {
        // torch.onnx before opset 20: Div(x, sqrt 2) (or Mul by 1/sqrt 2), Erf, Add 1, Mul x, Mul 0.5; constants as Constant nodes.
        static AttributeProto Scalar(float v) => TensorAttr("value", new TensorProto { DataType = OnnxDataType.Float, FloatData = { v } });
        var g = new OnnxTestGraph(13).Input("x", 2, 3, 4)
            .Node("Constant", Array.Empty<string>(), new[] { "c0" }, "/block/block.4/Constant", Scalar(multiplyByReciprocal ? 0.70710677f : 1.4142135f))
            .Node(multiplyByReciprocal ? "Mul" : "Div", multiplyByReciprocal ? new[] { "c0", "x" } : new[] { "x", "c0" }, new[] { "d" }, "/block/block.4/Div")
            .Node("Erf", new[] { "d" }, new[] { "e" }, "/block/block.4/Erf")
            .Node("Constant", Array.Empty<string>(), new[] { "one" }, "/block/block.4/Constant_1", Scalar(1))
            .Node("Add", new[] { "e", "one" }, new[] { "a" }, "/block/block.4/Add")
            .Node("Mul", new[] { "x", "a" }, new[] { "m" }, "/block/block.4/Mul")
            .Node("Constant", Array.Empty<string>(), new[] { "half" }, "/block/block.4/Constant_2", Scalar(0.5f))
            .Node("Mul", new[] { "m", "half" }, new[] { "y" }, "/block/block.4/Mul_1").Output("y");
        using var model = Check(g, new long[] { 2, 3, 4 });
        Assert.Equal(new[] { "block", "block.4" }, model.named_modules().Select(m => m.name));
        Assert.Equal("GELU", model.named_modules().Last().module.GetType().Name);
    }

    [Fact]
    public void AGeluLikeChainWhoseIntermediateIsReadElsewhereIsNotFused()
    {
        var g = new OnnxTestGraph(13).Input("x", 2, 3).Floats("s2", Array.Empty<long>(), new[] { 1.4142135f })
            .Floats("one", Array.Empty<long>(), new[] { 1f }).Floats("half", Array.Empty<long>(), new[] { 0.5f })
            .Node("Div", new[] { "x", "s2" }, new[] { "d" }).Node("Erf", new[] { "d" }, new[] { "e" })
            .Node("Add", new[] { "e", "one" }, new[] { "a" }).Node("Mul", new[] { "x", "a" }, new[] { "m" })
            .Node("Mul", new[] { "m", "half" }, new[] { "h" }).Node("Add", new[] { "h", "e" }, new[] { "y" }).Output("y");
        using var model = Check(g, new long[] { 2, 3 });
        Assert.Empty(model.named_modules());
    }

    [Fact]
    public void PyTorchsHardSwishBeforeOpset14IsOneHardswishLayer()
    {
        // x * HardSigmoid(x) with alpha 1/6 is HardSwish; a squeeze-excitation gate (HardSigmoid of another value) stays a HardSigmoid.
        var g = new OnnxTestGraph(13).Input("x", 2, 3, 4, 4)
            .Node("HardSigmoid", new[] { "x" }, new[] { "hs" }, "/features/features.0/features.0.2/HardSigmoid", Float("alpha", 1f / 6), Float("beta", 0.5f))
            .Node("Mul", new[] { "x", "hs" }, new[] { "a" }, "/features/features.0/features.0.2/Mul")
            .Node("GlobalAveragePool", new[] { "a" }, new[] { "p" }, "/se/avgpool/GlobalAveragePool")
            .Node("HardSigmoid", new[] { "p" }, new[] { "gate" }, "/se/scale_activation/HardSigmoid", Float("alpha", 1f / 6), Float("beta", 0.5f))
            .Node("Mul", new[] { "gate", "a" }, new[] { "y" }, "/se/Mul").Output("y");
        using var model = Check(g, new long[] { 2, 3, 4, 4 });
        var modules = model.named_modules().ToDictionary(m => m.name, m => m.module.GetType().Name);
        Assert.Equal("Hardswish", modules["features.0.2"]);
        Assert.Equal("HardSigmoid", modules["se.scale_activation"]);
    }

    [Fact]
    public void UnaryMathOperators()
    {
        var g = new OnnxTestGraph(13).Input("x", 3, 7)
            .Node("Erf", new[] { "x" }, new[] { "e" })
            .Node("Abs", new[] { "x" }, new[] { "a" })
            .Node("Sqrt", new[] { "a" }, new[] { "s" })
            .Node("Exp", new[] { "x" }, new[] { "x1" })
            .Node("Log", new[] { "x1" }, new[] { "l" })
            .Node("Neg", new[] { "l" }, new[] { "n" })
            .Node("Floor", new[] { "x" }, new[] { "f" })
            .Node("Ceil", new[] { "x" }, new[] { "c" })
            .Node("Exp", new[] { "a" }, new[] { "ea" })
            .Node("Reciprocal", new[] { "ea" }, new[] { "r" })
            .Node("Sum", new[] { "e", "s", "n", "f", "c", "r" }, new[] { "y" }).Output("y");
        CheckAndDispose(g, new long[] { 3, 7 });
    }

    [Fact]
    public void PowWithABroadcastExponentAndTheDecomposedLayerNormOfConvNeXtAtOpset13()
    {
        // ConvNeXt's LayerNorm at opset 13: ReduceMean, Sub, Pow 2, ReduceMean, Add eps, Sqrt, Div, Mul, Add.
        var g = new OnnxTestGraph(13).Input("x", 2, 4, 4, 6).Floats("two", Array.Empty<long>(), new[] { 2f }).Floats("eps", Array.Empty<long>(), new[] { 1e-6f })
            .Weights("gamma", new long[] { 6 }).Weights("beta", new long[] { 6 })
            .Node("ReduceMean", new[] { "x" }, new[] { "mu" }, "", Ints("axes", -1))
            .Node("Sub", new[] { "x", "mu" }, new[] { "d" })
            .Node("Pow", new[] { "d", "two" }, new[] { "d2" })
            .Node("ReduceMean", new[] { "d2" }, new[] { "var" }, "", Ints("axes", -1))
            .Node("Add", new[] { "var", "eps" }, new[] { "ve" })
            .Node("Sqrt", new[] { "ve" }, new[] { "sd" })
            .Node("Div", new[] { "d", "sd" }, new[] { "z" })
            .Node("Mul", new[] { "z", "gamma" }, new[] { "zg" })
            .Node("Add", new[] { "zg", "beta" }, new[] { "y" }).Output("y");
        CheckAndDispose(g, new long[] { 2, 4, 4, 6 });
    }

    [Fact]
    public void VariadicMinMaxSumMeanBroadcast()
    {
        var g = new OnnxTestGraph(13).Input("x", 2, 3, 4).Weights("a", new long[] { 4 }).Weights("b", new long[] { 3, 1 })
            .Node("Min", new[] { "x", "a", "b" }, new[] { "mn" })
            .Node("Max", new[] { "x", "b" }, new[] { "mx" })
            .Node("Mean", new[] { "mn", "mx", "a" }, new[] { "me" })
            .Node("Sum", new[] { "me", "x" }, new[] { "y" }).Output("y");
        CheckAndDispose(g, new long[] { 2, 3, 4 });
    }

    [Fact]
    public void WhereWithComparisons()
    {
        var g = new OnnxTestGraph(13).Input("x", 2, 5).Floats("zero", Array.Empty<long>(), new[] { 0f }).Weights("w", new long[] { 5 })
            .Node("Greater", new[] { "x", "zero" }, new[] { "gt" })
            .Node("Where", new[] { "gt", "x", "w" }, new[] { "a" })
            .Node("Less", new[] { "a", "w" }, new[] { "lt" })
            .Node("Not", new[] { "lt" }, new[] { "nlt" })
            .Node("Where", new[] { "nlt", "a", "zero" }, new[] { "b" })
            .Node("Equal", new[] { "b", "zero" }, new[] { "eq" })
            .Node("Where", new[] { "eq", "w", "b" }, new[] { "y" }).Output("y");
        CheckAndDispose(g, new long[] { 2, 5 });
    }

    [Fact]
    public void ExpandTileConstantOfShapeAndRange()
    {
        var fill = new TensorProto { DataType = OnnxDataType.Float, Dims = { 1 }, FloatData = { 2.5f } };
        var g = new OnnxTestGraph(13).Input("x", 2, 1, 3).Longs("shape", 4, 1).Longs("reps", 1, 2, 1)
            .Floats("start", Array.Empty<long>(), new[] { 1f }).Floats("limit", Array.Empty<long>(), new[] { 4f }).Floats("delta", Array.Empty<long>(), new[] { 1f })
            .Node("Expand", new[] { "x", "shape" }, new[] { "e" })                 // [2,1,3] with [4,1] -> [2,4,3]
            .Node("Tile", new[] { "e", "reps" }, new[] { "t" })                    // -> [2,8,3]
            .Node("Shape", new[] { "t" }, new[] { "s" })
            .Node("ConstantOfShape", new[] { "s" }, new[] { "c" }, "", TensorAttr("value", fill))
            .Node("Range", new[] { "start", "limit", "delta" }, new[] { "r" })     // [1, 2, 3], folded at load time
            .Node("Add", new[] { "t", "c" }, new[] { "tc" })
            .Node("Mul", new[] { "tc", "r" }, new[] { "y" }).Output("y");
        CheckAndDispose(g, new long[] { 2, 1, 3 });
    }

    [Theory]
    [InlineData(-1, new long[] { 6 })]
    [InlineData(-2, new long[] { 5, 6 })]
    [InlineData(2, new long[] { 5, 6 })]
    public void LayerNormalizationIsALayerNorm(long axis, long[] normalized)
    {
        var g = new OnnxTestGraph(17).Input("x", 2, 4, 5, 6).Weights("scale", normalized).Weights("bias", normalized)
            .Node("LayerNormalization", new[] { "x", "scale", "bias" }, new[] { "y" }, "/stages/norm/LayerNormalization", Int("axis", axis), Float("epsilon", 1e-6f)).Output("y");
        using var model = Check(g, new long[] { 2, 4, 5, 6 });
        Assert.Equal(new[] { "LayerNorm" }, ModuleTypes(model).Skip(1));
    }

    [Fact]
    public void InstanceNormalizationLrnAndPReluAreLayers()
    {
        var g = new OnnxTestGraph(13).Input("x", 2, 4, 5, 5).Weights("s", new long[] { 4 }).Weights("b", new long[] { 4 })
            .Weights("slope", new long[] { 4, 1, 1 }, scale: 0.5f).Floats("one", new long[] { 1 }, new[] { 0.1f })
            .Node("InstanceNormalization", new[] { "x", "s", "b" }, new[] { "i" }, "inorm", Float("epsilon", 1e-4f))
            .Node("PRelu", new[] { "i", "slope" }, new[] { "p" }, "prelu")
            .Node("LRN", new[] { "p" }, new[] { "l" }, "lrn3", Int("size", 3), Float("alpha", 0.01f), Float("beta", 0.75f), Float("bias", 2f))
            .Node("LRN", new[] { "l" }, new[] { "l4" }, "lrn5", Int("size", 5))
            .Node("PRelu", new[] { "l4", "one" }, new[] { "y" }, "prelu1").Output("y");
        using var model = Check(g, new long[] { 2, 4, 5, 5 });
        Assert.Equal(new[] { "InstanceNorm2d", "PReLU", "LocalResponseNorm", "LocalResponseNorm", "PReLU" }, ModuleTypes(model));
    }

    [Fact]
    public void SmoothActivationsAreLayers()
    {
        var g = new OnnxTestGraph(20).Input("x", 3, 6)
            .Node("Softplus", new[] { "x" }, new[] { "a" }, "softplus")
            .Node("Mish", new[] { "x" }, new[] { "b" }, "mish")
            .Node("Elu", new[] { "x" }, new[] { "c" }, "elu", Float("alpha", 0.7f))
            .Node("Selu", new[] { "x" }, new[] { "d" }, "selu")
            .Node("Gelu", new[] { "x" }, new[] { "e" }, "gelu")
            .Node("Sum", new[] { "a", "b", "c", "d", "e" }, new[] { "y" }).Output("y");
        using var model = Check(g, new long[] { 3, 6 });
        Assert.Equal(new[] { "Softplus", "Mish", "ELU", "SELU", "GELU" }, ModuleTypes(model));
    }

    [Theory]
    [InlineData(1, 2, 0, 0)]
    [InlineData(2, 2, 1, 1)]
    [InlineData(1, 1, 1, 0)]
    public void ConvTransposeIsAConvTranspose2d(long group, long stride, long pad, long outputPadding)
    {
        var g = new OnnxTestGraph(13).Input("x", 2, 4, 5, 5).Weights("w", new long[] { 4, 3, 3, 3 }).Weights("b", new long[] { 3 * group })
            .Node("ConvTranspose", new[] { "x", "w", "b" }, new[] { "y" }, "up", Int("group", group), Ints("strides", stride, stride),
                Ints("pads", pad, pad, pad, pad), Ints("output_padding", outputPadding, outputPadding)).Output("y");
        using var model = Check(g, new long[] { 2, 4, 5, 5 });
        Assert.Equal(new[] { "ConvTranspose2d" }, ModuleTypes(model));
    }

    [Theory]
    [InlineData(13, "nearest", "asymmetric", false)]
    [InlineData(13, "linear", "half_pixel", false)]
    [InlineData(13, "linear", "pytorch_half_pixel", true)]
    [InlineData(11, "linear", "align_corners", true)]
    [InlineData(10, "nearest", "", false)]
    [InlineData(9, "nearest", "", false)]
    public void ResizeAndUpsampleAreUpsampleLayers(long opset, string mode, string transform, bool sizes)
    {
        var g = new OnnxTestGraph(opset).Input("x", 2, 3, 4, 5);
        var attrs = new List<AttributeProto> { Str("mode", mode) };
        if (opset >= 11) { attrs.Add(Str("coordinate_transformation_mode", transform)); if (mode == "nearest") attrs.Add(Str("nearest_mode", "floor")); }
        if (opset == 9)
            g.Floats("scales", new long[] { 4 }, new[] { 1f, 1f, 2f, 3f }).Node("Upsample", new[] { "x", "scales" }, new[] { "y" }, "up", attrs.ToArray());
        else if (opset == 10)
            g.Floats("scales", new long[] { 4 }, new[] { 1f, 1f, 2f, 1.5f }).Node("Resize", new[] { "x", "scales" }, new[] { "y" }, "up", attrs.ToArray());
        else if (sizes)
            g.Longs("sizes", 2, 3, 7, 9).Floats("roi", new long[] { 0 }, Array.Empty<float>()).Floats("none", new long[] { 0 }, Array.Empty<float>())
                .Node("Resize", new[] { "x", "roi", "none", "sizes" }, new[] { "y" }, "up", attrs.ToArray());
        else
            g.Floats("scales", new long[] { 4 }, new[] { 1f, 1f, 2f, 2f }).Floats("roi", new long[] { 0 }, Array.Empty<float>())
                .Node("Resize", new[] { "x", "roi", "scales" }, new[] { "y" }, "up", attrs.ToArray());
        using var model = Check(g.Output("y"), new long[] { 2, 3, 4, 5 });
        Assert.Equal(new[] { "Upsample" }, ModuleTypes(model));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(3)]
    public void FlattenOfAnyAxis(long axis)
    {
        var g = new OnnxTestGraph(13).Input("x", 2, 3, 4, 5).Node("Flatten", new[] { "x" }, new[] { "y" }, "f", Int("axis", axis)).Output("y");
        CheckAndDispose(g, new long[] { 2, 3, 4, 5 });
    }

    [Fact]
    public void PadOfListedAxesAtOpset18()
    {
        var g = new OnnxTestGraph(18).Input("x", 1, 2, 5, 6).Longs("pads", 1, 0, 2, 3).Longs("axes", -1, 2).Floats("v", Array.Empty<long>(), new[] { 0.5f })
            .Node("Pad", new[] { "x", "pads", "v", "axes" }, new[] { "y" }, "pad").Output("y");
        using var model = Check(g, new long[] { 1, 2, 5, 6 });
        // Twice: the axes are expanded per call, not into the node's state.
        var input = OnnxReference.RandomInput(new long[] { 1, 2, 5, 6 }, 3);
        Assert.Equal(new long[] { 1, 2, 8, 9 }, OnnxReference.RunImported(model, input, new long[] { 1, 2, 5, 6 }).Shape);
    }

    [Fact]
    public void SplitIntoUnevenPartsWithNumOutputsAtOpset18()
    {
        var g = new OnnxTestGraph(18).Input("x", 2, 7, 3)
            .Node("Split", new[] { "x" }, new[] { "a", "b", "c" }, "split", Int("axis", -2), Int("num_outputs", 3))
            .Node("Concat", new[] { "c", "a", "b" }, new[] { "y" }, "cat", Int("axis", 1)).Output("y");
        CheckAndDispose(g, new long[] { 2, 7, 3 });
    }

    [Fact]
    public void AnInitializerSharedByIdentityNodesIsAConstantOfEveryConv()
    {
        // PyTorch's exporter: one zero bias, reached by each conv through its own Identity node.
        var g = new OnnxTestGraph(13).Input("x", 1, 2, 5, 5).Weights("w1", new long[] { 2, 2, 3, 3 }).Weights("w2", new long[] { 2, 2, 3, 3 })
            .Floats("zero_bias", new long[] { 2 }, new[] { 0.25f, -0.5f })
            .Node("Identity", new[] { "zero_bias" }, new[] { "b1" }, "Identity_1")
            .Node("Identity", new[] { "zero_bias" }, new[] { "b2" }, "Identity_2")
            .Node("Conv", new[] { "x", "w1", "b1" }, new[] { "c1" }, "/conv1/Conv", Ints("pads", 1, 1, 1, 1))
            .Node("Conv", new[] { "c1", "w2", "b2" }, new[] { "c2" }, "/conv2/Conv", Ints("pads", 1, 1, 1, 1))
            .Node("Add", new[] { "c2", "c1" }, new[] { "y" }).Output("y");
        using var model = Check(g, new long[] { 1, 2, 5, 5 });
        Assert.Equal(new[] { "conv1", "conv2" }, model.named_modules().Select(m => m.name));
        var convs = model.named_modules().Select(m => (TorchSharp.Modules.Conv2d)m.module).ToArray();
        foreach (var conv in convs)
        {
            Assert.Equal(new[] { 0.25f, -0.5f }, conv.bias!.data<float>().ToArray());
            Assert.Equal(TorchSharp.DeviceType.CPU, conv.weight!.device_type);
            Assert.True(conv.weight.requires_grad);
        }
        // Each conv owns its copy: editing one layer's bias leaves the other's alone.
        using (TorchSharp.torch.no_grad()) convs[0].bias!.add_(1);
        Assert.Equal(new[] { 0.25f, -0.5f }, convs[1].bias!.data<float>().ToArray());
    }
}
