using ConvVis.Tests.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Tests.Retrieval;

/// <summary>Receptive fields against hand-computed geometry and the footprint measured on the input.</summary>
public class ReceptiveFieldTests
{
    // Hand-computed (size, jump, offset) of the plain net's layers: size += (dilation·(k−1))·jump, jump *= stride, offset −= padding·jump.
    [Theory]
    [InlineData("conv1", 3, 1, -1)]
    [InlineData("relu1", 3, 1, -1)]
    [InlineData("conv2", 7, 2, -3)]
    [InlineData("pool", 9, 4, -3)]
    [InlineData("conv3", 25, 4, -11)]
    [InlineData("avg", 33, 8, -15)]
    public void PlainNetFieldsAreTheHandComputedOnes(string layer, int size, int jump, int offset)
    {
        using var net = FieldNets.Plain();
        var f = ReceptiveField.Of(net, layer, 1, 1, 40, 40);
        Assert.Equal((size, size, jump, jump, offset, offset, false), (f.SizeY, f.SizeX, f.JumpY, f.JumpX, f.OffsetY, f.OffsetX, f.CoversWholeInput));
    }

    [Theory]
    [InlineData("conv2", 5, 5)]   // stride 2
    [InlineData("pool", 2, 2)]    // max pooling
    [InlineData("conv3", 2, 3)]   // dilated
    [InlineData("avg", 2, 2)]     // average pooling with padding
    [InlineData("avg", 1, 1)]
    public void PlainNetFieldsEqualTheSpikeFootprint(string layer, int y, int x)
    {
        using var net = FieldNets.Positive(FieldNets.Plain());
        var f = ReceptiveField.Of(net, layer, 1, 1, 40, 40);
        var (top, left, height, width) = f.Region(y, x);
        var foot = FieldNets.SpikeFootprint(net, layer, 40, 40, 1, y, x);
        Assert.Equal((Math.Max(0, top), Math.Max(0, left), Math.Min(39, top + height - 1), Math.Min(39, left + width - 1)),
            (foot.Top, foot.Left, foot.Bottom, foot.Right));
    }

    [Theory]
    [InlineData("conv1", 3, 3)]
    [InlineData("conv2", 4, 6)]
    public void ConvFieldsEqualTheGradientFootprint(string layer, int y, int x)
    {
        using var net = FieldNets.Positive(FieldNets.Plain());
        var f = ReceptiveField.Of(net, layer, 1, 1, 40, 40);
        var (top, left, height, width) = f.Region(y, x);
        var foot = FieldNets.GradientFootprint(net, layer, 40, 40, 1, y, x);
        Assert.Equal((top, left, top + height - 1, left + width - 1, height * width), foot);
    }

    [Theory]
    [InlineData("stem.conv", 3, 1, -1)]
    [InlineData("block1.downsample", 3, 2, -1)]
    [InlineData("block1.conv2", 9, 2, -4)]
    [InlineData("block1", 9, 2, -4)]          // the larger branch of the block
    [InlineData("block2.conv1", 13, 2, -6)]   // its input is the block's output, a sum made outside any module
    [InlineData("block2", 21, 2, -10)]
    public void ResidualNetTakesTheLargestBranch(string layer, int size, int jump, int offset)
    {
        using var net = new FieldNets.Residual();
        var f = ReceptiveField.Of(net, layer, 1, 1, 32, 32);
        Assert.Equal((size, jump, offset), (f.SizeY, f.JumpY, f.OffsetY));
        Assert.Equal((size, jump, offset), (f.SizeX, f.JumpX, f.OffsetX));
    }

    [Theory]
    [InlineData("block1", 8, 8)]
    [InlineData("block2", 8, 8)]
    [InlineData("block2", 1, 14)]
    public void ResidualNetFieldsEqualTheGradientAndSpikeFootprints(string layer, int y, int x)
    {
        using var net = FieldNets.Positive(new FieldNets.Residual());
        var f = ReceptiveField.Of(net, layer, 1, 1, 32, 32);
        var (top, left, height, width) = f.Region(y, x);
        var expected = (Math.Max(0, top), Math.Max(0, left), Math.Min(31, top + height - 1), Math.Min(31, left + width - 1));
        var grad = FieldNets.GradientFootprint(net, layer, 32, 32, 1, y, x);
        var spike = FieldNets.SpikeFootprint(net, layer, 32, 32, 1, y, x);
        Assert.Equal(expected, (grad.Top, grad.Left, grad.Bottom, grad.Right));
        Assert.Equal(expected, (spike.Top, spike.Left, spike.Bottom, spike.Right));
    }

    [Fact]
    public void LayersAfterGlobalPoolingOrFlattenSeeTheWholeInput()
    {
        using var net = nn.Sequential(("conv", nn.Conv2d(1, 2, 3)), ("gap", nn.AdaptiveAvgPool2d(1)), ("flat", nn.Flatten()), ("fc", nn.Linear(2, 3)));
        foreach (var layer in new[] { "gap", "flat", "fc" })
        {
            var f = ReceptiveField.Of(net, layer, 1, 1, 20, 24);
            Assert.True(f.CoversWholeInput, layer);
            Assert.Equal((20, 24), (f.SizeY, f.SizeX));
        }
    }

    [Fact]
    public void TheShapeDefaultsTo224AndLaterLayersNeedNotFit()
    {
        // The linear layer only fits 28x28 inputs; the trace stops at conv2, so the default 224x224 works.
        using var net = nn.Sequential(("conv1", nn.Conv2d(1, 2, 5)), ("conv2", nn.Conv2d(2, 2, 3, stride: 2)), ("flat", nn.Flatten()), ("fc", nn.Linear(2 * 11 * 11, 3)));
        var f = ReceptiveField.Of(net, "conv2");
        Assert.Equal((7, 2, 0), (f.SizeY, f.JumpY, f.OffsetY));
    }

    sealed class PadConv : nn.Module<Tensor, Tensor>
    {
        public readonly TorchSharp.Modules.Conv2d conv = nn.Conv2d(1, 1, 3);
        public PadConv() : base(nameof(PadConv)) => RegisterComponents();
        // Uneven explicit padding before the convolution, as the ONNX importer does for asymmetric pads.
        public override Tensor forward(Tensor x) => conv.call(nn.functional.pad(x, [1, 2, 1, 2]));
    }

    sealed class Preprocessed : nn.Module<Tensor, Tensor>
    {
        public readonly PadConv inner = new();
        public Preprocessed() : base(nameof(Preprocessed)) => RegisterComponents();
        public override Tensor forward(Tensor x) => inner.call(x * 2 + 1);
    }

    [Fact]
    public void PaddingOfAPreprocessedInputIsFollowed()
    {
        // The padded tensor is recognised inside the preprocessed one, which entered a module: offset −1 (one row on top).
        using var net = new Preprocessed();
        var f = ReceptiveField.Of(net, "inner.conv", 1, 1, 12, 12);
        Assert.Equal((3, 1, -1, -1), (f.SizeY, f.JumpY, f.OffsetY, f.OffsetX));
        var foot = FieldNets.GradientFootprint(FieldNets.Positive(net), "inner.conv", 12, 12, 1, 4, 4);
        Assert.Equal((3, 3, 5, 5), (foot.Top, foot.Left, foot.Bottom, foot.Right));
    }

    [Fact]
    public void UnknownLayerNamesTheClosest()
    {
        using var net = FieldNets.Plain();
        var e = Assert.Throws<ArgumentException>(() => ReceptiveField.Of(net, "conv4", 1, 1, 40, 40));
        Assert.Contains("conv3", e.Message);
    }

    [Fact]
    public void UnsupportedResizingIsNamed()
    {
        using var net = nn.Sequential(("up", nn.Upsample(scale_factor: [2.0, 2.0])), ("conv", nn.Conv2d(1, 1, 3)));
        var e = Assert.Throws<NotSupportedException>(() => ReceptiveField.Of(net, "conv", 1, 1, 8, 8));
        Assert.Contains("'up' (Upsample)", e.Message);
    }

    [Fact]
    public void ModelModeIsRestored()
    {
        using var net = FieldNets.Plain();
        net.train();
        ReceptiveField.Of(net, "conv2", 1, 1, 16, 16);
        Assert.True(net.training);
    }
}

/// <summary>The ImageNet ResNet-18 (ONNX import): fields of its stages hand-computed from its architecture (blocks [2,2,2,3]: 43, 99, 211, 563 pixels).</summary>
public class ResNetReceptiveFieldTests(ResNetFixture fixture) : IClassFixture<ResNetFixture>
{
    [Theory]
    [InlineData("conv1", 7, 2)]
    [InlineData("maxpool", 11, 4)]
    [InlineData("layer1.1.relu2", 43, 4)]
    [InlineData("layer2.0.downsample.0", 43, 8)]   // a 1x1 stride-2 conv on layer1's output
    [InlineData("layer2.1.relu2", 99, 8)]
    [InlineData("layer3.1.relu2", 211, 16)]
    [InlineData("layer4.2.relu2", 563, 32)]  // this export has three blocks in layer4: 243 + 5·2·32
    public void StagesHaveTheHandComputedFields(string layer, int size, int jump)
    {
        var f = ReceptiveField.Of(fixture.ResNet.Model, layer, 1, 3, 224, 224);
        Assert.Equal((size, size, jump, jump), (f.SizeY, f.SizeX, f.JumpY, f.JumpX));
        // Unit (0, 0) is centred on (or half a pixel from) its first input pixels: padding keeps fields centred.
        Assert.InRange(f.OffsetY + (size - 1) / 2.0, -1, jump);
    }
}
