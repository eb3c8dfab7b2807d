using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using ConvVis.Tests.Fixtures;

namespace ConvVis.Tests.Attribution;

public class GradCamTests
{
    /// <summary>
    /// conv 1×1 (channel 0 = x, channel 1 = −x) → ReLU → max-pool 2 → global mean → identity classifier:
    /// class 0 is decided by the bright region (x &gt; 0), class 1 by the dark region (x &lt; 0).
    /// </summary>
    private static Sequential RegionNet()
    {
        var conv = nn.Conv2d(1, 2, 1, bias: false);
        var fc = nn.Linear(2, 2, hasBias: false);
        HandNets.Set(conv.weight!, [1, -1]);
        HandNets.Set(fc.weight!, [1, 0, 0, 1]);
        var net = nn.Sequential(("conv", conv), ("relu", nn.ReLU()), ("pool", nn.MaxPool2d(2)),
            ("gap", nn.AdaptiveAvgPool2d(1)), ("flatten", nn.Flatten()), ("fc", fc));
        net.eval();
        return net;
    }

    /// <summary>A 16×16 image: bright square rows 2..5, cols 10..13; dark square rows 10..13, cols 2..5.</summary>
    private static Tensor TwoRegions()
    {
        var x = torch.zeros(1, 1, 16, 16);
        x[.., .., 2..6, 10..14].fill_(1);
        x[.., .., 10..14, 2..6].fill_(-1);
        return x;
    }

    [Fact]
    public void TheDecidingRegionIsHotAndTheMapIsTheHandValue()
    {
        using var scope = NewDisposeScope();
        var net = RegionNet();
        var x = TwoRegions().expand(2, 1, 16, 16).contiguous();
        using var r = new GradCam(net, "pool").Attribute(x, AttributionTarget.Classes(0, 1));
        Assert.Equal(new long[] { 2, 1, 16, 16 }, r.Values.shape);
        Assert.Equal("Grad-CAM (pool)", r.Method);

        // By hand: score_k = mean of A_k (8×8), so α_k = 1/64 for the target channel and 0 for the other;
        // the map is ReLU(A_k / 64) upsampled bilinearly.
        var a = nn.functional.max_pool2d(torch.cat([x.relu(), (-x).relu()], 1), 2);
        var expected = nn.functional.interpolate(torch.stack([a[0, 0], a[1, 1]]).unsqueeze(1) / 64,
            size: [16, 16], mode: InterpolationMode.Bilinear, align_corners: false);
        Assert.True(r.Values.allclose(expected, rtol: 1e-5, atol: 1e-7));

        // Class 0 lights up the bright square, class 1 the dark one.
        var bright = r.Values[.., 0, 2..6, 10..14].sum([1L, 2L]);
        var dark = r.Values[.., 0, 10..14, 2..6].sum([1L, 2L]);
        var total = r.Values.sum([1L, 2L, 3L]);
        Assert.True(bright[0].item<float>() > 0.6 * total[0].item<float>());
        Assert.True(dark[1].item<float>() > 0.6 * total[1].item<float>());
        Assert.Equal(0f, dark[0].item<float>());
        Assert.Equal(0f, bright[1].item<float>());
    }

    [Fact]
    public void GuidedGradCamIsGuidedBackpropTimesTheCam()
    {
        using var scope = NewDisposeScope();
        var net = RgbCnn16.Create();
        var x = torch.rand([3, 3, 16, 16], generator: new torch.Generator(6));
        var target = AttributionTarget.Classes(1, 3, 4);
        using var cam = new GradCam(net, "conv2").Attribute(x, target);
        using var guided = new GuidedBackprop(net).Attribute(x, target);
        using var both = new GuidedGradCam(net, "conv2").Attribute(x, target);
        Assert.Equal(new long[] { 3, 1, 16, 16 }, cam.Values.shape);
        Assert.Equal(new long[] { 3, 3, 16, 16 }, both.Values.shape);
        Assert.True(cam.Values.max().item<float>() > 0);
        Assert.True(both.Values.allclose(guided.Values * cam.Values, rtol: 1e-5, atol: 1e-8));
        // Per-sample targets: sample 1 alone gives the same map.
        using var one = new GradCam(net, "conv2").Attribute(x[1..2], 3);
        Assert.True(one.Values[0].allclose(cam.Values[1], rtol: 1e-5, atol: 1e-8));
    }

    [Fact]
    public void AnUnknownLayerListsTheValidNamesAndTheClosestOne()
    {
        var net = RgbCnn16.Create();
        var e = Assert.Throws<ArgumentException>(() => new GradCam(net, "conv_2"));
        Assert.Contains("no layer named 'conv_2'", e.Message);
        Assert.Contains("Closest valid name: 'conv2'", e.Message);
        Assert.Contains("conv1, relu1, pool, conv2, relu2, flatten, fc.", e.Message);
        var notConv = Assert.Throws<ArgumentException>(() => new GradCam(net, "fc").Attribute(torch.rand(1, 3, 16, 16), 0));
        Assert.Contains("layer 'fc' gives [1, 5]", notConv.Message);
    }

    [Fact]
    public void AUnitTargetOfALaterLayerWorks()
    {
        using var scope = NewDisposeScope();
        var net = RgbCnn16.Create();
        var x = torch.rand([2, 3, 16, 16], generator: new torch.Generator(7));
        using var r = new GradCam(net, "conv1").Attribute(x, AttributionTarget.Unit("conv2", 3));
        Assert.Equal(new long[] { 2, 1, 16, 16 }, r.Values.shape);
        Assert.True(r.Values.max().item<float>() >= 0);
        Assert.Equal(2, r.TargetScores.Count);
    }
}
