using static TorchSharp.torch;
using static ConvVis.Tests.Rendering.DecodedPng;

namespace ConvVis.Tests.Rendering;

public class MosaicTests
{
    private static Tensor T(float[] values, params long[] shape) => tensor(values, shape);

    private static MosaicOptions Gray(int minTile = 4) => new() { Colormap = Colormap.Gray, MinTileSize = minTile };

    [Fact]
    public void TwoChannelsLayOutPixelExactWithSeparatorsAndUpscaling()
    {
        // Channel 0: 0,1 / 2,3 -> grey 0, 85, 170, 255 (floor(v*255+0.5)); channel 1: 10,10 / 10,20 -> 0,0 / 0,255.
        using var a = T([0, 1, 2, 3, 10, 10, 10, 20], 2, 2, 2);
        var m = Mosaic.Of(a, Gray(minTile: 4));
        var png = DecodedPng.Of(m);

        Assert.Equal(2, m.Scale);                          // 2x2 maps upscaled x2 to reach 4 px
        Assert.Equal((2, 1), (m.Columns, m.Rows));
        Assert.Equal((4, 4), (m.TileWidth, m.TileHeight));
        // Each tile sits in a cell with a 2 px white ring: 2 cells of 8 px.
        Assert.Equal((16, 8), (png.Width, png.Height));
        Assert.Equal((m.Width, m.Height), (png.Width, png.Height));

        png.AssertBlock(2, 2, 2, 2, Grey(0));
        png.AssertBlock(4, 2, 2, 2, Grey(85));
        png.AssertBlock(2, 4, 2, 2, Grey(170));
        png.AssertBlock(4, 4, 2, 2, Grey(255));
        png.AssertBlock(10, 2, 4, 2, Grey(0));
        png.AssertBlock(10, 4, 2, 2, Grey(0));
        png.AssertBlock(12, 4, 2, 2, Grey(255));
        // Separators: outer ring and the 4 px gap between the tiles are white.
        png.AssertBlock(0, 0, 16, 2, White);
        png.AssertBlock(0, 6, 16, 2, White);
        png.AssertBlock(6, 2, 4, 4, White);
        png.AssertBlock(0, 2, 2, 4, White);
    }

    [Fact]
    public void ASevenBySevenMapIsUpscaledNearestSoItIsVisible()
    {
        var values = Enumerable.Range(0, 49).Select(i => (float)i).ToArray();
        using var a = T(values, 1, 7, 7);
        var m = Mosaic.Of(a, new MosaicOptions { Colormap = Colormap.Gray, MinTileSize = 48 });
        var png = DecodedPng.Of(m);
        Assert.Equal(7, m.Scale);
        Assert.Equal((49 + 4, 49 + 4), (png.Width, png.Height));
        // Map pixel (row 3, col 5) = 26 -> floor(26/48*255+0.5) = 138, a 7x7 block of the picture.
        png.AssertBlock(2 + 5 * 7, 2 + 3 * 7, 7, 7, Grey(138));
        png.AssertBlock(2, 2, 7, 7, Grey(0));
        png.AssertBlock(2 + 6 * 7, 2 + 6 * 7, 7, 7, Grey(255));
    }

    [Fact]
    public void ColumnsAreNearSquareByDefaultAndCanBeChosen()
    {
        using var a = rand(10, 3, 3);
        var auto = Mosaic.Of(a, Gray());
        Assert.Equal((4, 3), (auto.Columns, auto.Rows));
        var chosen = Mosaic.Of(a, new MosaicOptions { Columns = 5, MinTileSize = 6 });
        Assert.Equal((5, 2), (chosen.Columns, chosen.Rows));
        Assert.Equal((5 * (6 + 4), 2 * (6 + 4)), (chosen.Width, chosen.Height));
        var png = DecodedPng.Of(chosen);
        Assert.Equal((chosen.Width, chosen.Height), (png.Width, png.Height));
    }

    [Fact]
    public void ChannelCapShowsTheFirstChannelsAndSaysSo()
    {
        using var a = rand(512, 2, 2);
        var m = Mosaic.Of(a);
        Assert.Equal(64, m.ShownChannels);
        Assert.Equal(512, m.TotalChannels);
        Assert.Equal(Enumerable.Range(0, 64), m.Channels);
        Assert.Contains("showing 64 of 512 channels", m.ToHtml());
        var all = Mosaic.Of(a, new MosaicOptions { MaxChannels = 512 });
        Assert.DoesNotContain("showing", all.ToHtml());
    }

    [Fact]
    public void TopKSelectsTheChannelsWithTheHighestMeanActivation()
    {
        // Channel c is filled with a mean that is known: means = {1, 7, 3, 9, -2, 5}.
        float[] means = [1, 7, 3, 9, -2, 5];
        using var a = stack(means.Select(v => full(4, 4, v) + tensor(new float[] { -1, 1, 0, 0 }).repeat(4).reshape(4, 4)).ToArray());
        var m = Mosaic.Of(a, new MosaicOptions { TopK = 3 });
        Assert.Equal(new[] { 3, 1, 5 }, m.Channels);
        Assert.Equal(new[] { 9f, 7f, 5f }, m.Tiles.Select(t => t.Mean));
        Assert.Contains("top 3 of 6 channels by mean activation", m.ToHtml());

        var among = Mosaic.Of(a, new MosaicOptions { Channels = [0, 2, 4], TopK = 2 });
        Assert.Equal(new[] { 2, 0 }, among.Channels);
        Assert.Contains("showing top 2 of 3 selected (of 6) channels by mean activation", among.ToHtml());
        var capped = Mosaic.Of(a, new MosaicOptions { TopK = 4, MaxChannels = 2 });
        Assert.Equal(new[] { 3, 1 }, capped.Channels);
        Assert.Contains("showing 2 of top 4 of 6 channels by mean activation (MaxChannels = 2)", capped.ToHtml());
    }

    [Fact]
    public void ChannelSelectionByIndicesKeepsTheirOrder()
    {
        using var a = arange(5f).reshape(5, 1, 1).expand(5, 2, 2).contiguous();
        var m = Mosaic.Of(a, new MosaicOptions { Channels = [4, 0, 2], Normalization = Normalization.Shared, Colormap = Colormap.Gray, MinTileSize = 2 });
        Assert.Equal(new[] { 4, 0, 2 }, m.Channels);
        Assert.Contains("showing 3 selected of 5 channels", m.ToHtml());
        var png = DecodedPng.Of(m);
        png.AssertBlock(2, 2, 2, 2, Grey(255));          // 4 is the shared max
        png.AssertBlock(2 + 6, 2, 2, 2, Grey(0));        // 0 the shared min
    }

    [Fact]
    public void BatchesShowTheChosenSample()
    {
        using var a = cat([zeros(1, 2, 3, 3), ones(1, 2, 3, 3) * arange(9f).reshape(1, 1, 3, 3)], 0);
        var m = Mosaic.Of(a, new MosaicOptions { Sample = 1, Colormap = Colormap.Gray, MinTileSize = 3 });
        Assert.False(m.Tiles[0].IsDead);
        Assert.Equal(8f, m.Tiles[1].Max);
        var dead = Mosaic.Of(a, new MosaicOptions { Sample = 0 });
        Assert.All(dead.Tiles, t => Assert.True(t.IsDead));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Mosaic.Of(a, new MosaicOptions { Sample = 2 }));
        Assert.Contains("has 2 sample(s)", e.Message);
    }

    [Fact]
    public void BadInputGetsMessagesThatNameTheProblem()
    {
        using var twoD = rand(4, 4);
        Assert.Contains("t.unsqueeze(0)", Assert.Throws<ArgumentException>(() => Mosaic.Of(twoD)).Message);
        using var a = rand(3, 2, 2);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Mosaic.Of(a, new MosaicOptions { Channels = [1, 3] }));
        Assert.Contains("3 channels (0..2)", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Mosaic.Of(a, new MosaicOptions { ClipPercentile = 20 }));
        var disposed = rand(3, 2, 2);
        disposed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => Mosaic.Of(disposed));
    }

    [Fact]
    public void RenderingLeavesTheInputUntouchedAndWorksOnTensorsThatRequireGrad()
    {
        using var a = randn(4, 5, 5).requires_grad_();
        using var before = a.detach().clone();
        var m = Mosaic.Of(a * 1);
        Assert.Equal(4, m.ShownChannels);
        Assert.True(a.requires_grad);
        using var after = a.detach();
        Assert.True(after.allclose(before, rtol: 0, atol: 0));
    }

    [Fact]
    public void IntegerTensorsRender()
    {
        using var a = arange(8, dtype: ScalarType.Int32).reshape(2, 2, 2);
        var m = Mosaic.Of(a, Gray());
        Assert.Equal(7f, m.Tiles[1].Max);
    }

    [Fact]
    public void SignedActivationsWithTheDivergingMapCentreZero()
    {
        using var a = tensor(new float[] { -2, 0, 1, 2 }, [1, 2, 2]);
        var m = Mosaic.Of(a, new MosaicOptions { Colormap = Colormap.Diverging, Normalization = Normalization.Symmetric, MinTileSize = 1 });
        var png = DecodedPng.Of(m);
        Assert.Equal(Colormap.Diverging.ColorOf(0), png[2, 2]);
        Assert.Equal(Colormap.Diverging.ColorOf(0.5), png[3, 2]);
        Assert.Equal(Colormap.Diverging.ColorOf(0.75), png[2, 3]);
        Assert.Equal(Colormap.Diverging.ColorOf(1), png[3, 3]);
        string html = m.ToHtml();
        Assert.Contains("<span>-2</span><span>0</span><span>2</span>", html);
    }

    [Fact]
    public void SharedScaleLabelsTheColourBarWithTheRange()
    {
        using var a = tensor(new float[] { 0.5f, 1, 1, 3 }, [2, 1, 2]);
        string html = Mosaic.Of(a, new MosaicOptions { Normalization = Normalization.Shared }).ToHtml();
        Assert.Contains("<span>0.5</span><span></span><span>3</span>", html);
        Assert.Contains("shared min-max [0.5, 3]", html);
    }
}
