using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Tests.Rendering;

/// <summary>
/// By default a picture fills a readable width of a notebook column (500–900 px) instead of a corner: small maps,
/// filters and images are scaled up to it, big ones are not scaled, and the caption says the scale.
/// </summary>
public class PictureWidthTests
{
    [Fact]
    public void SixteenSmallMapsFillAReadableWidth()
    {
        using var scope = NewDisposeScope();
        var m = Mosaic.Of(torch.rand(16, 28, 28));
        var png = DecodedPng.Of(m);
        Assert.InRange(png.Width, 500, 900);
        Assert.Contains($"shown ×{m.Scale}", m.ToHtml());
        Assert.True(m.Scale >= 4, $"scale {m.Scale}");
    }

    [Fact]
    public void LeNetsFirstLayerFiltersAndFourSmallImagesFillAReadableWidth()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(1);
        var filters = FilterGrid.Of(nn.Conv2d(1, 6, 5));
        Assert.InRange(DecodedPng.Of(filters).Width, 500, 900);
        var images = ImageGrid.Of(torch.rand(4, 3, 32, 32));
        Assert.InRange(DecodedPng.Of(images).Width, 500, 900);
    }

    [Fact]
    public void ManyBigMapsAreNotScaledAndTheCapHolds()
    {
        using var scope = NewDisposeScope();
        var m = Mosaic.Of(torch.rand(64, 56, 56));
        Assert.Equal(1, m.Scale);
        var png = DecodedPng.Of(m);
        Assert.True((long)png.Width * png.Height <= 1_500_000 || m.Scale == 1);
        var tall = Mosaic.Of(torch.rand(2, 200, 10)); // a tall thin pair: the pixel cap, not the width, stops the scale
        var t = DecodedPng.Of(tall);
        Assert.True((long)t.Width * t.Height <= 1_500_000, $"{t.Width}x{t.Height}");
    }

    [Fact]
    public void AChosenTileSizeOrTargetWidthWins()
    {
        using var scope = NewDisposeScope();
        var x = torch.rand(16, 28, 28);
        Assert.Equal(2, Mosaic.Of(x, new MosaicOptions { MinTileSize = 48 }).Scale);
        Assert.InRange(DecodedPng.Of(Mosaic.Of(x, new MosaicOptions { TargetWidth = 300 })).Width, 150, 300);
    }
}
