using ConvVis.Tests.Gradients;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using ConvVis.Tests.Fixtures;

namespace ConvVis.Tests.Attribution;

/// <summary>
/// Saliency, guided backprop and DeconvNet against independent recomputations on a small CNN and a residual block.
/// The recomputations run in float64 (<see cref="Float64"/>), so they are right even where libtorch's float32 conv
/// backward is not.
/// </summary>
public class GradientMethodsTests
{
    private static readonly int[] EightClasses = [0, 1, 2, 3, 4, 0, 2, 4];

    private static Tensor Images(int n, int seed = 7)
    {
        var g = new torch.Generator((ulong)seed);
        return torch.rand([n, 3, 16, 16], generator: g);
    }

    /// <summary>∂ out[n, c_n] / ∂x by plain autograd in float64, per sample.</summary>
    private static Tensor AutogradGradient(nn.Module<Tensor, Tensor> net, Tensor images, int[] classes) => Float64.Run(net, () =>
    {
        var x = images.detach().to(float64).requires_grad_(true);
        var score = net.forward(x).gather(1, tensor(classes.Select(c => (long)c).ToArray()).unsqueeze(1)).sum();
        return torch.autograd.grad([score], [x])[0];
    });

    private static Tensor Rule(Tensor grad, Tensor pre, bool guided) => guided
        ? grad * pre.gt(0) * grad.gt(0)
        : grad * grad.gt(0);

    /// <summary>Guided backprop / DeconvNet recomputed layer by layer in float64, with the ReLU masks applied explicitly.</summary>
    private static Tensor ExplicitMasks(Sequential net, Tensor images, int[] classes, bool guided) => Float64.Run(net, () =>
    {
        var m = net.children().ToArray();
        var (conv1, pool, conv2, flatten, fc) = ((Conv2d)m[0], (MaxPool2d)m[2], (Conv2d)m[3], (Flatten)m[5], (Linear)m[6]);
        var x = images.detach().to(float64).requires_grad_(true);
        var z1 = conv1.forward(x);
        var r1 = z1.relu().detach().requires_grad_(true);
        var z2 = conv2.forward(pool.forward(r1));
        var r2 = z2.relu().detach().requires_grad_(true);
        var score = fc.forward(flatten.forward(r2)).gather(1, tensor(classes.Select(c => (long)c).ToArray()).unsqueeze(1)).sum();
        var gR2 = torch.autograd.grad([score], [r2])[0];
        var gR1 = torch.autograd.grad([z2], [r1], [Rule(gR2, z2, guided)])[0];
        return torch.autograd.grad([z1], [x], [Rule(gR1, z1, guided)])[0];
    });

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public void SaliencyIsTheAutogradGradient(int n)
    {
        using var scope = NewDisposeScope();
        var net = RgbCnn16.Create();
        var images = Images(n);
        var classes = EightClasses[..n];
        var expected = AutogradGradient(net, images, classes);

        using var signed = new Saliency(net) { Map = SaliencyMap.Signed }.Attribute(images, AttributionTarget.Classes(classes));
        using var simonyan = new Saliency(net).Attribute(images, AttributionTarget.Classes(classes));
        using var absolute = new Saliency(net) { Map = SaliencyMap.Absolute }.Attribute(images, AttributionTarget.Classes(classes));

        Assert.True(expected.abs().max().item<double>() > 0);
        Float64.AssertClose(signed.Values, expected);
        Assert.Equal(new long[] { n, 1, 16, 16 }, simonyan.Values.shape);
        Float64.AssertClose(simonyan.Values, expected.abs().amax([1L], keepdim: true));
        Float64.AssertClose(absolute.Values, expected.abs());
        Assert.Equal(n, signed.Count);
        Assert.True(signed.Inputs.allclose(images, rtol: 0, atol: 0));
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(8, true)]
    [InlineData(1, false)]
    [InlineData(8, false)]
    public void GuidedAndDeconvMatchAnExplicitMaskRecomputation(int n, bool guided)
    {
        using var scope = NewDisposeScope();
        var net = RgbCnn16.Create();
        var images = Images(n, seed: 11);
        var classes = EightClasses[..n];
        var expected = ExplicitMasks(net, images, classes, guided);
        AttributionMethod method = guided ? new GuidedBackprop(net) : new DeconvNet(net);
        using var result = method.Attribute(images, AttributionTarget.Classes(classes));

        Assert.True(expected.abs().max().item<double>() > 0);
        Float64.AssertClose(result.Values, expected);
        Assert.Empty(result.Warnings);
        // And it differs from the plain gradient: the override did something.
        Assert.False(result.Values.allclose(AutogradGradient(net, images, classes).to(float32), rtol: 1e-3, atol: 1e-5));
    }

    [Fact]
    public void GuidedBackpropThroughAResidualBlockOfInPlaceReluModules()
    {
        using var scope = NewDisposeScope();
        var net = new ResidualNet(functionalEnd: false);
        var x = torch.randn([2, 2, 6, 6], generator: new torch.Generator(5)).requires_grad_(true);
        // y = relu(conv2(relu(conv1 x)) + x), guided by hand in float64: the skip carries the ReLU-2 gradient straight to x.
        var gX = Float64.Run(net, () =>
        {
            var x64 = x.detach().to(float64).requires_grad_(true);
            var z1 = net.conv1.forward(x64);
            var r1 = z1.relu().detach().requires_grad_(true);
            var z2 = net.conv2.forward(r1) + x64;
            var r2 = z2.relu().detach().requires_grad_(true);
            var score = net.fc.forward(net.flatten.forward(r2)).gather(1, tensor(new long[] { 0, 2 }).unsqueeze(1)).sum();
            var gR2 = torch.autograd.grad([score], [r2])[0];
            var gZ2 = Rule(gR2, z2, guided: true);
            var gR1 = torch.autograd.grad([net.conv2.forward(r1)], [r1], [gZ2])[0];
            return torch.autograd.grad([z1], [x64], [Rule(gR1, z1, guided: true)])[0] + gZ2;
        });

        using var result = new GuidedBackprop(net).Attribute(x, AttributionTarget.Classes(0, 2));
        Float64.AssertClose(result.Values, gX);
        Assert.Empty(result.Warnings);
        Assert.True(x.requires_grad);
        Assert.Null(x.grad);
    }

    [Fact]
    public void AResNetStyleFunctionalReluIsDetected()
    {
        using var scope = NewDisposeScope();
        var net = new ResidualNet(functionalEnd: true);
        var x = torch.randn([2, 2, 6, 6], generator: new torch.Generator(5));
        var method = new GuidedBackprop(net);
        using var result = method.Attribute(x, 1);
        var warning = Assert.Single(result.Warnings, w => w.Contains("functional.relu"));
        Assert.Contains("'flatten'", warning);
        // relu2 exists but the block ends with relu_(): that is reported too.
        Assert.Contains(result.Warnings, w => w.Contains("'relu2'") && w.Contains("did not run"));
        // The structure is checked on the first call only; later results still carry the warning.
        using var again = method.Attribute(x, 1);
        Assert.Equal(result.Warnings, again.Warnings);
    }

    [Fact]
    public void ImagesWithBlackPixelsAndPoolingAfterReluModulesRaiseNoFunctionalReluWarning()
    {
        using var scope = NewDisposeScope();
        // Inputs non-negative with exact zeros (like MNIST), ReLU → max-pool → conv and ReLU → flatten → linear: all fine.
        var images = (Images(4, seed: 13) - 0.5f).clamp_min(0);
        Assert.True(images.eq(0).any().item<bool>());
        using var guided = new GuidedBackprop(RgbCnn16.Create()).Attribute(images, 2);
        using var deconv = new DeconvNet(RgbCnn16.Create()).Attribute(images, 2);
        Assert.Empty(guided.Warnings);
        Assert.Empty(deconv.Warnings);
    }

    [Fact]
    public void UnitTargetIsTheGradientOfTheChannelMeanOrPosition()
    {
        using var scope = NewDisposeScope();
        var net = RgbCnn16.Create();
        var images = Images(3, seed: 2);
        var conv2 = (Conv2d)net.children().ElementAt(3);

        Tensor Expected(Func<Tensor, Tensor> objective) => Float64.Run(net, () =>
        {
            var x = images.detach().to(float64).requires_grad_(true);
            var m = net.children().ToArray();
            var a = conv2.forward(((MaxPool2d)m[2]).forward(((Conv2d)m[0]).forward(x).relu()));
            return torch.autograd.grad([objective(a).sum()], [x])[0];
        });

        using var mean = new Saliency(net) { Map = SaliencyMap.Signed }.Attribute(images, AttributionTarget.Unit("conv2", 5));
        Float64.AssertClose(mean.Values, Expected(a => a[.., 5].mean([1L, 2L])));

        // conv2 is followed by an in-place ReLU: the unit is still conv2's own (pre-ReLU) output.
        using var at = new Saliency(net) { Map = SaliencyMap.Signed }.Attribute(images, AttributionTarget.Unit("conv2", 5, (3, 4)));
        Float64.AssertClose(at.Values, Expected(a => a[.., 5, 3, 4]));
        Assert.True(at.Values.abs().max().item<float>() > 0);
    }

    [Fact]
    public void BadTargetsSayWhatIsWrong()
    {
        using var scope = NewDisposeScope();
        var net = RgbCnn16.Create();
        var images = Images(2);
        var sal = new Saliency(net);
        var e1 = Assert.Throws<ArgumentException>(() => sal.Attribute(images, 9));
        Assert.Contains("5 outputs", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => sal.Attribute(images, AttributionTarget.Classes(1, 2, 3)));
        Assert.Contains("3 class indices but the input batch has 2", e2.Message);
        var e3 = Assert.Throws<ArgumentException>(() => sal.Attribute(images, AttributionTarget.Unit("cnv2", 0)));
        Assert.Contains("Closest valid name: 'conv2'", e3.Message);
        Assert.Contains("conv1, relu1, pool, conv2, relu2, flatten, fc.", e3.Message);
        var e4 = Assert.Throws<ArgumentException>(() => sal.Attribute(images, AttributionTarget.Unit("conv2", 8)));
        Assert.Contains("8 channels", e4.Message);
    }
}
