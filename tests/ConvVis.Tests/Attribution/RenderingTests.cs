using System.Text.RegularExpressions;
using ConvVis.Attributions.Internal;
using ConvVis.Attributions.Rendering;
using ConvVis.Tests.Rendering;
using TorchSharp;
using static TorchSharp.torch;
using AttributionResult = ConvVis.Attribution;
using ConvVis.Tests.Fixtures;

namespace ConvVis.Tests.Attribution;

public class RenderingTests
{
    private static AttributionResult Made(Tensor values, Tensor inputs, string method = "Test")
        => new(method, values.detach().clone().DetachFromDisposeScope(), inputs.detach().clone().DetachFromDisposeScope(),
            AttributionTarget.Class(0), []);

    private static byte Blend(double image, byte heat, double alpha)
        => (byte)Math.Floor(((float)image * (float)(1 - alpha) + heat / 255f * (float)alpha) * 255f + 0.5f);

    [Fact]
    public void SignedOverlayIsTheDivergingColourBlendedWithTheImage()
    {
        using var scope = NewDisposeScope();
        var image = tensor(new float[] { 0, 0.2f, 0.6f, 1 }).reshape(1, 1, 2, 2);
        var map = tensor(new float[] { 2, -2, 0, 1 }).reshape(1, 1, 2, 2);
        using var a = Made(map, image);
        var png = DecodedPng.Of(a.Render(new OverlayOptions { Alpha = 0.5, Percentile = 100, MinTileSize = 1 }));
        Assert.Equal(6, png.Width); // 2 pixels and a 2-pixel ring on each side
        float[] grey = [0, 0.2f, 0.6f, 1];
        double[] v = [1, 0, 0.5, 0.75]; // 0.5 + 0.5 · map / max|map|
        for (int i = 0; i < 4; i++)
        {
            var heat = Colormap.Diverging.ColorOf(v[i]);
            var (r, g, b) = png[2 + i % 2, 2 + i / 2];
            Assert.InRange(r, Blend(grey[i], heat.R, 0.5) - 1, Blend(grey[i], heat.R, 0.5) + 1);
            Assert.InRange(g, Blend(grey[i], heat.G, 0.5) - 1, Blend(grey[i], heat.G, 0.5) + 1);
            Assert.InRange(b, Blend(grey[i], heat.B, 0.5) - 1, Blend(grey[i], heat.B, 0.5) + 1);
        }
        // Red for positive, blue for negative.
        Assert.True(png[2, 2].R > png[2, 2].B);
        Assert.True(png[3, 2].B > png[3, 2].R);
    }

    [Fact]
    public void APercentileKeepsOneHugePixelFromBlackeningTheRest()
    {
        using var scope = NewDisposeScope();
        var map = torch.ones(1, 1, 10, 10);
        map[0, 0, 0, 0] = 1000;
        var heat99 = HeatmapOverlay.Heat(map, 10, 10, signed: false, Colormap.Inferno, 99);
        var heat100 = HeatmapOverlay.Heat(map, 10, 10, signed: false, Colormap.Inferno, 100);
        var top = Colormap.Inferno.ColorOf(1);
        var low = Colormap.Inferno.ColorOf(0.001);
        Assert.Equal(top.R / 255f, heat99[0, 5, 5, 0].item<float>(), 5);
        Assert.Equal(low.R / 255f, heat100[0, 5, 5, 0].item<float>(), 5);
        // A low-resolution map (Grad-CAM without upsampling) is resized to the image.
        Assert.Equal(new long[] { 1, 32, 32, 3 }, HeatmapOverlay.Heat(map, 32, 32, false, Colormap.Inferno, 99).shape);
    }

    [Fact]
    public void AlphaZeroShowsTheImageAndAlphaOneTheHeatmap()
    {
        using var scope = NewDisposeScope();
        var image = torch.rand([2, 3, 4, 4], generator: new torch.Generator(1));
        var map = torch.rand([2, 1, 4, 4], generator: new torch.Generator(2));
        using var a = Made(map, image);
        var plain = HeatmapOverlay.Overlay(a, new OverlayOptions { Alpha = 0 });
        Assert.True(plain.to(ScalarType.Float32).allclose((image.permute(0, 2, 3, 1) * 255 + 0.5).floor()));
        var heat = HeatmapOverlay.Overlay(a, new OverlayOptions { Alpha = 1, Percentile = 100 });
        var expected = HeatmapOverlay.Heat(map, 4, 4, false, Colormap.Inferno, 100);
        Assert.True(heat.to(ScalarType.Float32).allclose((expected * 255 + 0.5).floor(), atol: 1));
    }

    [Fact]
    public void TheGridShowsInputAndMethodsSideBySideWithEscapedCaptions()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(3);
        var net = nn.Sequential(("conv<1>", nn.Conv2d(3, 4, 3, padding: 1)), ("relu", nn.ReLU()), ("pool", nn.AdaptiveAvgPool2d(1)), ("flatten", nn.Flatten()));
        net.eval();
        var x = torch.rand([2, 3, 16, 16], generator: new torch.Generator(5));
        using var saliency = new Saliency(net).Attribute(x, 1);
        using var guided = new GuidedBackprop(net).Attribute(x, 1);
        using var cam = new GradCam(net, "conv<1>").Attribute(x, 1);
        using var occlusion = new Occlusion(net).Attribute(x, 1);
        var grid = AttributionGrid.Of(x, saliency, guided, cam, occlusion);

        Assert.Equal(["input", "Saliency", "Guided backprop", "Grad-CAM (conv<1>)", "Occlusion"], grid.Columns);
        Assert.Equal(2, grid.Rows);
        var png = DecodedPng.Of(grid);
        Assert.Equal(5 * (96 + 4), png.Width); // 16 px images shown ×6
        Assert.Equal(2 * (96 + 4), png.Height);
        // The input column is the image itself: pixel (7, 3) of image 1, enlarged ×6, in row 1, column 0.
        var expected = x[1, .., 3, 7].mul(255).add(0.5).floor().to(ScalarType.Byte).data<byte>().ToArray();
        Assert.Equal((expected[0], expected[1], expected[2]), png[2 + 7 * 6 + 3, 100 + 2 + 3 * 6 + 3]);

        var html = grid.ToHtml();
        Assert.Contains(">Grad-CAM (conv&lt;1&gt;)</th>", html);
        Assert.DoesNotContain("conv<1>", html);
        Assert.Equal(10, Regex.Matches(html, "src=\"data:image/png;base64,").Count);
        Assert.DoesNotContain("http", html);
        var e = Assert.Throws<ArgumentException>(() => AttributionGrid.Of(x[..1], saliency));
        Assert.Contains("do not match the input [1, 3, 16, 16]", e.Message);
    }

    [Fact]
    public void TheGridPrintsTargetsScoresLegendsAndCaptionsAZeroMap()
    {
        using var scope = NewDisposeScope();
        var image = torch.rand([2, 3, 8, 8], generator: new torch.Generator(1));
        var map = torch.rand([2, 1, 8, 8], generator: new torch.Generator(2));
        map[1].zero_();
        using var cam = new AttributionResult("Grad-CAM (relu2)", map.clone().DetachFromDisposeScope(), image.clone().DetachFromDisposeScope(),
            AttributionTarget.Classes(3, 7), []) { TargetScores = [4.25, -1.5] };
        using var signed = Made(map * 2 - 1, image, "Signed <test>");
        var html = AttributionGrid.Of(image, cam, signed).ToHtml();

        // The target and score of each row are printed, not only in tooltips.
        Assert.Contains(">image 0 · class 3 · score 4.25</td>", html);
        Assert.Contains(">image 1 · class 7 · score -1.5</td>", html);
        // Image 1's Grad-CAM is zero everywhere: said under its tile, and only there.
        Assert.Single(Regex.Matches(html, "convvis-zero-map"));
        Assert.Contains(">Grad-CAM (relu2) is zero: no positive evidence for this class at that layer</div>", html);
        // One legend per method column: magnitude for Grad-CAM, signed for the other.
        Assert.Equal(2, Regex.Matches(html, "class=\"convvis-legend\"").Count);
        Assert.Contains("<span>|map|</span><span>p99</span>", html);
        Assert.Contains("<span>− (p99 of |map|)</span><span>0</span><span>+</span>", html);
        // Images are centred in their columns; captions are escaped.
        Assert.Equal(6, Regex.Matches(html, "margin:0 auto;image-rendering:pixelated").Count);
        Assert.Contains("Signed &lt;test&gt;", html);
    }

    [Fact]
    public void AnAttributionRendersItselfAndNeverThrowsFromToHtml()
    {
        using var scope = NewDisposeScope();
        var net = RgbCnn16.Create();
        var x = torch.rand([3, 3, 16, 16], generator: new torch.Generator(6));
        var a = new GradCam(net, "conv2").Attribute(x, AttributionTarget.Classes(0, 1, 2));
        IVisual visual = a;
        Assert.True(visual.Width >= 2 * 96 && visual.Height >= 96);
        var html = visual.ToHtml();
        Assert.Contains("Grad-CAM (conv2)", html);
        Assert.Contains("class 2", html); // per-image tooltip
        Assert.Equal(visual.Width, DecodedPng.FromHtml(html).Width);
        a.Dispose();
        Assert.Equal(DecodedPng.FromHtml(html).Width, DecodedPng.FromHtml(visual.ToHtml()).Width); // drawn before disposal: still shown

        var b = new Saliency(net).Attribute(x, 0);
        b.Dispose();
        Assert.Contains("disposed", b.ToHtml());
        using var flat = new Saliency(HandNets.HandNet()) { Map = SaliencyMap.Signed }.Attribute(tensor(new float[] { 1, 2 }).reshape(1, 2), 0);
        Assert.Contains("Saliency for class 0: [1, 2]", flat.ToHtml());
    }
}
