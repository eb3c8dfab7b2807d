using ConvVis.Gradients;
using ConvVis.Tests.Capture;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using ConvVis.Tests.Fixtures;

namespace ConvVis.Tests.Gradients;

/// <summary>
/// The float64 backward of conv layers (<see cref="ConvGradientCorrection"/>) and the self-check that decides where it
/// is needed (<see cref="ConvGradientFault"/>). The correction is forced on, so it is tested on every machine; the
/// references are float64 autograd, right everywhere.
/// </summary>
public class ConvGradientCorrectionTests
{
    public static TheoryData<string> Geometries() => new()
    {
        "3→4 k3 pad1", "6→8 k3 stride2 pad1", "4→6 k3 pad2 dilation2", "4→6 k3 pad1 groups2", "3→4 k3 pad1 reflect",
        "3→4 k3 pad1 replicate", "3→4 k3 pad1 circular", "3→4 k4 same", "3→5 k5 valid nobias", "1→6 k5 (LeNet conv1)",
        "3→16 k3 stride2 pad1 nobias",
    };

    private static Conv2d Build(string geometry)
    {
        torch.manual_seed(7);
        return geometry switch
        {
            "3→4 k3 pad1" => nn.Conv2d(3, 4, 3, padding: 1),
            "6→8 k3 stride2 pad1" => nn.Conv2d(6, 8, 3, stride: 2, padding: 1),
            "4→6 k3 pad2 dilation2" => nn.Conv2d(4, 6, 3, padding: 2, dilation: 2),
            "4→6 k3 pad1 groups2" => nn.Conv2d(4, 6, 3, padding: 1, groups: 2),
            "3→4 k3 pad1 reflect" => nn.Conv2d(3, 4, 3, padding: 1, padding_mode: PaddingModes.Reflect),
            "3→4 k3 pad1 replicate" => nn.Conv2d(3, 4, 3, padding: 1, padding_mode: PaddingModes.Replicate),
            "3→4 k3 pad1 circular" => nn.Conv2d(3, 4, 3, padding: 1, padding_mode: PaddingModes.Circular),
            "3→4 k4 same" => nn.Conv2d(3, 4, 4, padding: Padding.Same),
            "3→5 k5 valid nobias" => nn.Conv2d(3, 5, 5, padding: Padding.Valid, bias: false),
            "1→6 k5 (LeNet conv1)" => nn.Conv2d(1, 6, 5),
            "3→16 k3 stride2 pad1 nobias" => nn.Conv2d(3, 16, 3, stride: 2, padding: 1, bias: false),
            _ => throw new ArgumentException(geometry),
        };
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void TheForcedCorrectionGivesFloat64GradientsOfInputWeightAndBiasAndLeavesTheOutputAlone(string geometry)
    {
        using var scope = NewDisposeScope();
        var conv = Build(geometry);
        var net = nn.Sequential(("conv", conv));
        long inChannels = conv.in_channels;
        var x = torch.randn([4, inChannels, 13, 12], generator: new torch.Generator(1));
        var parameters = conv.parameters().ToArray();

        var plain = net.forward(x);
        var gradOut = torch.randn(plain.shape, generator: new torch.Generator(2));
        List<Tensor> corrected;
        Tensor output;
        using (var correction = ConvGradientCorrection.Install(net, ConvGradientCorrectionMode.Always))
        {
            Assert.Equal(["conv"], correction.CorrectedLayers);
            var xi = x.clone().requires_grad_(true);
            output = net.call(xi);
            corrected = [.. torch.autograd.grad([output], [xi, .. parameters], [gradOut])];
        }
        Assert.Equal(0, HookCounter.Count(conv));
        Assert.True(output.allclose(plain, rtol: 0, atol: 0), "the corrected layer's output must be the layer's own");

        var reference = Float64.Run(net, () =>
        {
            var x64 = x.to(float64).requires_grad_(true);
            var grads = torch.autograd.grad([net.forward(x64)], [x64, .. conv.parameters()], [gradOut.to(float64)]);
            return torch.cat(grads.Select(g => g.flatten()).ToArray());
        });
        int offset = 0;
        foreach (var g in corrected)
        {
            var expected = reference[offset..(offset + (int)g.numel())].reshape(g.shape);
            offset += (int)g.numel();
            Assert.Equal(ScalarType.Float32, g.dtype);
            Float64.AssertClose(g, expected, 1e-6);
        }
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void TheSelfChecksTransposedConvolutionIsTheFloat64InputGradient(string geometry)
    {
        using var scope = NewDisposeScope();
        var conv = Build(geometry);
        var g = ConvGeometry.Of(conv);
        var w64 = conv.weight!.detach().to(float64);
        foreach (var (h, w) in new[] { (13L, 12L), (12L, 13L), (g.InputSizeFor(1, true), g.InputSizeFor(1, false)) })
        {
            var x = torch.randn([2, conv.in_channels, h, w], dtype: float64, generator: new torch.Generator(4)).requires_grad_(true);
            var y = g.Apply(x, w64, null);
            var gradOut = torch.randn(y.shape, dtype: float64, generator: new torch.Generator(5));
            var expected = torch.autograd.grad([y], [x], [gradOut])[0];
            var direct = g.InputGradient(gradOut, w64, h, w);
            if (conv.padding_mode != PaddingModes.Zeros || conv.padding_type == Padding.Same && conv.kernel_size[0] % 2 == 0)
            {
                Assert.Null(direct); // asymmetric or non-zero padding: the check falls back to autograd
                continue;
            }
            Assert.NotNull(direct);
            Float64.AssertClose(direct, expected, 1e-12);
        }
    }

    [Fact]
    public void TheSelfCheckFindsAFloat32BackwardThatIsWrongAndPassesLibtorchsFloat64()
    {
        using var scope = NewDisposeScope();
        var conv = nn.Conv2d(3, 4, 3, padding: 1);
        var geometry = ConvGeometry.Of(conv);
        // A layer with the conv's forward values whose float32 input gradient is 30 % off, like the faulty kernels.
        Tensor Faulty(Tensor x) => WrongFloat32Gradient.apply(conv.forward(x));
        double wrong = ConvGradientFault.Compare(Faulty, geometry, conv.weight!);
        double right = ConvGradientFault.Compare(x => conv.forward(x.to(float64).to(float32)), geometry, conv.weight!);
        Assert.InRange(wrong, 0.25, 0.35);
        // On a machine with the fault, libtorch's own float32 kernel fails the check too; float64 never does.
        double libtorch64 = ConvGradientFault.Compare(x => geometry.Apply(x.to(float64), conv.weight!.to(float64), conv.bias!.to(float64)).to(float32), geometry, conv.weight!);
        Assert.True(libtorch64 < 1e-6, $"float64 path: {libtorch64}");
        Assert.True(ConvGradientFault.MachineIsAffected() || right < ConvGradientFault.Tolerance, $"float32 path: {right}");
    }

    [Fact]
    public void TheSelfCheckRunsOncePerGeometryAndThreadCount()
    {
        using var scope = NewDisposeScope();
        var a = nn.Conv2d(5, 7, 3, padding: 1);
        var b = nn.Conv2d(5, 7, 3, padding: 1);
        var other = nn.Conv2d(5, 7, 3, padding: Padding.Valid);
        ConvGradientFault.ForgetChecks(); // start from an empty cache, whatever other tests checked
        int before = ConvGradientFault.CheckCount;
        ConvGradientFault.IsFaulty(a);
        int afterFirst = ConvGradientFault.CheckCount;
        ConvGradientFault.IsFaulty(b);
        ConvGradientFault.IsFaulty(a);
        Assert.Equal(afterFirst, ConvGradientFault.CheckCount);
        ConvGradientFault.IsFaulty(other);
        Assert.Equal(afterFirst + 1, ConvGradientFault.CheckCount);
        Assert.Equal(before + 1, afterFirst);
    }

    public static TheoryData<string, int, ConvGradientCorrectionMode> MethodsBatchesModes()
    {
        var data = new TheoryData<string, int, ConvGradientCorrectionMode>();
        foreach (var method in new[] { "Saliency", "Unit", "GuidedBackprop", "DeconvNet", "IntegratedGradients", "GradCam", "GuidedGradCam" })
            foreach (var n in new[] { 1, 8 })
                foreach (var mode in new[] { ConvGradientCorrectionMode.Auto, ConvGradientCorrectionMode.Always })
                    data.Add(method, n, mode);
        return data;
    }

    private static AttributionMethod Method(string name, nn.Module<Tensor, Tensor> net) => name switch
    {
        "Saliency" or "Unit" => new Saliency(net) { Map = SaliencyMap.Signed },
        "GuidedBackprop" => new GuidedBackprop(net),
        "DeconvNet" => new DeconvNet(net),
        "IntegratedGradients" => new IntegratedGradients(net) { Steps = 8 },
        "GradCam" => new GradCam(net, "conv2"),
        "GuidedGradCam" => new GuidedGradCam(net, "conv2"),
        _ => throw new ArgumentException(name),
    };

    /// <summary>
    /// "Correct by default": every gradient method on LeNet, batch 1 and 8, equals the same method run in float64 (where
    /// no float32 kernel is involved) to 1e-5 — by default (the self-check decides) and with the correction forced on.
    /// </summary>
    [Theory]
    [MemberData(nameof(MethodsBatchesModes))]
    public void EveryGradientMethodEqualsItsFloat64Self(string method, int n, ConvGradientCorrectionMode mode)
    {
        using var scope = NewDisposeScope();
        var net = LeNet.Create();
        var images = LeNet.Images(n);
        var target = method == "Unit" ? AttributionTarget.Unit("conv1", 4) : AttributionTarget.Classes(LeNet.Classes(n));
        var saved = ConvGradientFault.Mode;
        try
        {
            ConvGradientFault.Mode = mode;
            using var result = Method(method, net).Attribute(images, target);
            ConvGradientFault.Mode = ConvGradientCorrectionMode.Never; // float64 needs no correction
            var expected = Float64.Run(net, () =>
            {
                using var r = Method(method, net).Attribute(images.to(float64), target);
                return r.Values.clone();
            });
            Assert.True(expected.abs().max().item<double>() > 0);
            Float64.AssertClose(result.Values, expected);
        }
        finally
        {
            ConvGradientFault.Mode = saved;
        }
    }

    /// <summary>
    /// Where the self-check finds LeNet's conv1 faulty, plain float32 autograd on LeNet (batch 8) is wrong and ConvVis's
    /// saliency is right; elsewhere both are right. Either way ConvVis equals float64 to 1e-5.
    /// </summary>
    [Fact]
    public void RawLibtorchIsWrongExactlyWhereTheMachineIsAffectedAndConvVisIsRightEverywhere()
    {
        using var scope = NewDisposeScope();
        var net = LeNet.Create();
        var images = LeNet.Images(8);
        var classes = LeNet.Classes(8);
        var index = tensor(classes.Select(c => (long)c).ToArray()).unsqueeze(1);
        Tensor Gradient()
        {
            var x = images.to(net.parameters().First().dtype).requires_grad_(true);
            return torch.autograd.grad([net.forward(x).gather(1, index).sum()], [x])[0];
        }
        var raw = Gradient();
        var expected = Float64.Run(net, Gradient);
        using var saliency = new Saliency(net) { Map = SaliencyMap.Signed }.Attribute(images, AttributionTarget.Classes(classes));

        Float64.AssertClose(saliency.Values, expected);
        double rawError = Float64.RelativeError(raw, expected);
        // LeNet's conv1 is the layer whose input gradient is the saliency map: what its own self-check says decides.
        if (ConvGradientFault.IsFaulty((Conv2d)net.children().First()))
            Assert.True(!(rawError <= 1e-3), $"conv1 failed the self-check but raw float32 autograd was right ({rawError:g3})");
        else
            Assert.True(rawError <= 1e-4, $"the self-check passed but raw float32 autograd is off by {rawError:g3}");
    }

    [Fact]
    public void AFaultFoundByTheSelfCheckIsCorrectedAndExplainedOncePerModel()
    {
        using var scope = NewDisposeScope();
        var net = LeNet.Create(seed: 4);
        var conv1 = (Conv2d)net.children().First();
        var images = LeNet.Images(4);
        var target = AttributionTarget.Classes(LeNet.Classes(4));
        var saved = ConvGradientFault.Mode;
        try
        {
            ConvGradientFault.Mode = ConvGradientCorrectionMode.Auto;
            ConvGradientFault.Record(conv1, 0.5); // as the self-check finds it on an affected CPU
            using (var correction = ConvGradientCorrection.Install(net))
            {
                Assert.Equal(["conv1"], correction.FaultyLayers);
                Assert.Contains("conv1", correction.CorrectedLayers);
            }
            using var first = new GuidedBackprop(net).Attribute(images, target);
            using var second = new Saliency(net).Attribute(images, target);
            var warning = Assert.Single(first.Warnings);
            Assert.Contains("wrong float32 gradients", warning);
            Assert.Contains("DNNL_MAX_CPU_ISA=AVX", warning);
            Assert.Contains("'conv1'", warning);
            Assert.Empty(second.Warnings);
            Assert.Equal(0, HookCounter.Count(conv1));
        }
        finally
        {
            ConvGradientFault.ForgetChecks();
            ConvGradientFault.Mode = saved;
        }
    }

    [Fact]
    public void OcclusionRunsNoSelfCheck()
    {
        using var scope = NewDisposeScope();
        var net = nn.Sequential(("conv", nn.Conv2d(2, 3, 3, padding: 1, dilation: 1, groups: 1)), ("gap", nn.AdaptiveAvgPool2d(1)), ("flatten", nn.Flatten()));
        net.eval();
        ConvGradientFault.ForgetChecks(); // another test may have checked this geometry already
        int before = ConvGradientFault.CheckCount;
        using var r = new Occlusion(net) { Window = (2, 2), Stride = (2, 2) }.Attribute(torch.rand(1, 2, 4, 4), 0);
        Assert.Equal(before, ConvGradientFault.CheckCount);
        using var s = new Saliency(net).Attribute(torch.rand(1, 2, 4, 4), 0);
        Assert.Equal(before + 1, ConvGradientFault.CheckCount);
    }
}
