using ConvVis.Tests.Rendering;
using static TorchSharp.torch;

namespace ConvVis.Tests.Synthesis;

/// <summary>What the user sees: pictures, difference ×10, predictions, escaped text.</summary>
[Collection(nameof(FashionCnnCollection))]
public class SynthesisViewsTests(FashionCnn cnn)
{
    [Fact]
    public void TheAdversarialViewShowsOriginalAdversarialAndTheDifferenceTimesTen()
    {
        var x = cnn.TestImages.narrow(0, 0, 2);
        var names = FashionMnist.ClassNames.Select((n, i) => i == 3 ? "<b>Dress</b> & co" : n).ToArray();
        using var r = new Adversarial(cnn.Net) { Space = cnn.Space, ClassNames = names }.Fgsm(x, AttributionTarget.Classes(3, 3), 0.02);
        var grid = r.ToImageGrid();
        Assert.Equal(6, grid.ShownImages);
        Assert.Equal(3, grid.Columns);
        Assert.True(grid.ShownAsIs, "pictures are shown with their own values in [0, 1], not rescaled");
        // Pixels: each tile shows its picture as it is (value × 255); the difference tile is 0.5 + 10 · (adversarial − original).
        var png = new DecodedPng(grid.ToPng());
        var regions = grid.Picture.Regions;
        int scale = grid.Scale;
        foreach (var (y, x0) in new[] { (5, 9), (14, 14), (20, 3) })
        {
            float original = r.OriginalPictures[0, 0, y, x0].item<float>(), adversarial = r.AdversarialPictures[0, 0, y, x0].item<float>();
            float expectedDiff = Math.Clamp(0.5f + 10 * (adversarial - original), 0, 1);
            int Pixel(int tile) => png[regions[tile].X + x0 * scale + scale / 2, regions[tile].Y + y * scale + scale / 2].R;
            Assert.InRange(Pixel(0), original * 255 - 1, original * 255 + 1);
            Assert.InRange(Pixel(1), adversarial * 255 - 1, adversarial * 255 + 1);
            Assert.InRange(Pixel(2), expectedDiff * 255 - 1, expectedDiff * 255 + 1);
        }
        string html = r.ToHtml();
        Assert.Contains("&lt;b&gt;Dress&lt;/b&gt; &amp; co", html);
        Assert.DoesNotContain("<b>Dress", html);
        Assert.Contains("before ", html);
        Assert.Contains("L∞ 0.02", html);
    }

    [Fact]
    public void TheSynthesisViewShowsThePicturesAndTheirNumbers()
    {
        using var r = new ActivationMaximization(cnn.Net, ActivationMaximizationOptions.Cs231n with { Steps = 5 }) { Space = cnn.Space }
            .Run(AttributionTarget.Classes(1, 7), [2, 1, 28, 28]);
        var grid = r.ToImageGrid();
        Assert.Equal(2, grid.ShownImages);
        Assert.True(grid.ShownAsIs);
        string html = r.ToHtml();
        Assert.Contains("class visualisation (CS231n)", html);
        Assert.Contains("class 7: score ", html);
        Assert.Contains("after 5 steps", html);
        Assert.Contains("data:image/png;base64,", html);
    }

    [Fact]
    public void SnapshotsArriveEveryKStepsWithRenderedPictures()
    {
        var snapshots = new List<SynthesisSnapshot>();
        using var r = new ActivationMaximization(cnn.Net, ActivationMaximizationOptions.Cs231n with { Steps = 7, SnapshotEvery = 3 })
        { Space = cnn.Space, Snapshots = new Inline<SynthesisSnapshot>(snapshots.Add) }.Run(2, [1, 1, 28, 28]);
        Assert.Equal(new[] { 3, 6, 7 }, snapshots.Select(s => s.Step));
        Assert.All(snapshots, s => Assert.Equal(1, s.Pictures.ShownImages));
        Assert.Equal(r.ObjectiveHistory[^1][0], snapshots[^1].Scores[0]);
    }
}
