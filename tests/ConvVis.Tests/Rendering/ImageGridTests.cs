using static TorchSharp.torch;
using static ConvVis.Tests.Rendering.DecodedPng;

namespace ConvVis.Tests.Rendering;

public class ImageGridTests
{
    [Fact]
    public void PicturesInZeroOneAreShownAsTheyAre()
    {
        using var images = zeros(2, 3, 2, 2);
        images[0, 0] = full(2, 2, 1f);        // red
        images[1, 1] = full(2, 2, 0.5f);      // half green
        var g = ImageGrid.Of(images, new ImageGridOptions { MinTileSize = 2 });
        Assert.True(g.ShownAsIs);
        var png = DecodedPng.Of(g);
        Assert.Equal((12, 6), (png.Width, png.Height));
        png.AssertBlock(2, 2, 2, 2, (255, 0, 0));
        png.AssertBlock(8, 2, 2, 2, (0, 128, 0));
    }

    [Fact]
    public void OtherValuesAreScaledPerImage()
    {
        using var images = tensor(new float[] { -2, 0, 2, 6, 10, 10, 10, 20 }, [2, 1, 2, 2]);
        var g = ImageGrid.Of(images, new ImageGridOptions { MinTileSize = 2 });
        Assert.False(g.ShownAsIs);
        var png = DecodedPng.Of(g);
        Assert.Equal(Grey(0), png[2, 2]);
        Assert.Equal(Grey(64), png[3, 2]);
        Assert.Equal(Grey(255), png[9, 3]);
        Assert.Contains("each image scaled by its own min and max", g.ToHtml());
    }

    [Fact]
    public void ShapesAreCheckedAndChannelsLastIsRecognised()
    {
        using var single = rand(3, 4, 4);
        Assert.Equal(1, ImageGrid.Of(single).ShownImages);
        using var hwc = rand(2, 4, 4, 3);
        Assert.Contains("permute(0, 3, 1, 2)", Assert.Throws<ArgumentException>(() => ImageGrid.Of(hwc)).Message);
    }
}
