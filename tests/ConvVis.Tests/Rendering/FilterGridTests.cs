using static TorchSharp.torch;
using static ConvVis.Tests.Rendering.DecodedPng;

namespace ConvVis.Tests.Rendering;

public class FilterGridTests
{
    [Fact]
    public void RgbFilterWithRedPlusOneAndOthersMinusOneShowsRed()
    {
        using var w = zeros(2, 3, 3, 3);
        w[0, 0] = ones(3, 3);
        w[0, 1] = -ones(3, 3);
        w[0, 2] = -ones(3, 3);
        // filter 1 stays all zero: mid-grey and a red frame.
        var g = FilterGrid.Of(w, new FilterGridOptions { MinTileSize = 40 }); // the tile-size rule, not the width rule
        Assert.Equal(FilterLayout.Rgb, g.Layout);
        Assert.Equal(14, g.Scale);                          // ceil(40 / 3)
        Assert.Equal((42, 42), (g.TileWidth, g.TileHeight));
        Assert.Equal((2, 1), (g.Columns, g.Rows));
        var png = DecodedPng.Of(g);
        Assert.Equal((2 * 46, 46), (png.Width, png.Height));
        png.AssertBlock(2, 2, 42, 42, (255, 0, 0));
        png.AssertBlock(46 + 2, 2, 42, 42, Grey(128));
        png.AssertBlock(46, 0, 46, 2, Red);
        png.AssertBlock(0, 0, 46, 2, White);
        Assert.True(g.Tiles[1].IsDead);
        Assert.Contains("red frame: dead (all zero) — 1 filter", g.ToHtml());
    }

    [Fact]
    public void ABgrModelsChannelZeroShowsBlueAndTheHeaderSaysSo()
    {
        using var w = -ones(1, 3, 3, 3);
        w[0, 0] = ones(3, 3);                                // channel 0 of a BGR model is blue
        var g = FilterGrid.Of(w, new FilterGridOptions { MinTileSize = 40, InputColorOrder = ColorOrder.Bgr });
        DecodedPng.Of(g).AssertBlock(2, 2, 42, 42, (0, 0, 255));
        Assert.Contains("BGR input: input channels 0, 1, 2 shown as blue, green, red", g.ToHtml());
        // The default (RGB) shows the same filter red.
        DecodedPng.Of(FilterGrid.Of(w, new FilterGridOptions { MinTileSize = 40 })).AssertBlock(2, 2, 42, 42, (255, 0, 0));
    }

    [Fact]
    public void RgbPlanesMapPerPixelWithSymmetricScale()
    {
        using var w = zeros(1, 3, 1, 2);
        w[0, 1, 0, 0] = tensor(2f);       // green +max at the left pixel
        w[0, 2, 0, 1] = tensor(-1f);      // blue -half at the right pixel
        var png = DecodedPng.Of(FilterGrid.Of(w, new FilterGridOptions { MinTileSize = 2 }));
        Assert.Equal((128, 255, 128), png[2, 2]);
        Assert.Equal((128, 128, 64), png[3, 2]);            // 0.5 - 1/4 = 0.25 -> 64
    }

    [Fact]
    public void PerFilterMinMaxStretchesEachRgbFilter()
    {
        using var w = stack([full(3, 2, 2, 0.1f), arange(12f).reshape(3, 2, 2) * 0.01f]);
        var g = FilterGrid.Of(w, new FilterGridOptions { Normalization = Normalization.PerChannel, MinTileSize = 2 });
        var png = DecodedPng.Of(g);
        Assert.Equal(Grey(128), png[2, 2]);                 // constant filter: mid value
        Assert.Equal((0, 93, 185), png[2 + 6, 2]);          // planes 0, 4, 8 of 0..11 -> 0, 4/11, 8/11
        Assert.True(g.Tiles[0].IsConstant);
    }

    [Fact]
    public void GreyFiltersShowEachFiltersSlicesInARow()
    {
        // 2 filters, 4 input channels, 3x3: slice (o, i) is constant o*4+i, plus one varying pixel to break constancy.
        using var w = (arange(8f).reshape(2, 4, 1, 1) - 4f).expand(2, 4, 3, 3).contiguous();
        var g = FilterGrid.Of(w, new FilterGridOptions { MinTileSize = 6 });
        Assert.Equal(FilterLayout.SlicesPerFilter, g.Layout);
        Assert.Equal((4, 2), (g.Columns, g.Rows));
        Assert.Equal(2, g.Scale);
        var png = DecodedPng.Of(g);
        Assert.Equal((4 * 10, 2 * 10), (png.Width, png.Height));
        // Symmetric, shared scale max|x| = 4: value -4 + k -> floor((0.5 + (k-4)/8) * 255 + 0.5).
        for (int o = 0; o < 2; o++)
            for (int i = 0; i < 4; i++)
            {
                double v = 0.5 + (o * 4 + i - 4) / 8.0;
                png.AssertBlock(i * 10 + 2, o * 10 + 2, 6, 6, Grey((int)Math.Floor(v * 255 + 0.5)));
            }
        string html = g.ToHtml();
        Assert.Contains("filter 1, input channel 2", html);
        Assert.Contains("one row per filter: its 4 input-channel slices", html);
        Assert.Equal(8, CountTiles(html));
    }

    [Fact]
    public void OneTilePerFilterShowsTheMeanOverInputChannels()
    {
        using var w = zeros(2, 5, 1, 1);
        w[0] = tensor(new float[] { 1, 1, 1, 1, 1 }).reshape(5, 1, 1);    // mean 1
        w[1] = tensor(new float[] { -1, -1, -1, 1, 0 }).reshape(5, 1, 1); // mean -0.4
        var g = FilterGrid.Of(w, new FilterGridOptions { Layout = FilterLayout.OneTilePerFilter, MinTileSize = 1 });
        Assert.Equal(FilterLayout.OneTilePerFilter, g.Layout);
        var png = DecodedPng.Of(g);
        Assert.Equal(Grey(255), png[2, 2]);
        Assert.Equal(Grey(77), png[5 + 2, 2]);              // 0.5 - 0.4/2 = 0.3 -> 77
        Assert.Contains("the mean over its 5 input channels", g.ToHtml());
    }

    [Fact]
    public void AutoLayoutPicksOneTilePerFilterForWideLayers()
    {
        using var w = randn(256, 128, 3, 3);
        var g = FilterGrid.Of(w);
        Assert.Equal(FilterLayout.OneTilePerFilter, g.Layout);
        Assert.Equal(256, g.ShownFilters);
        Assert.Equal((16, 16), (g.Columns, g.Rows));
    }

    [Fact]
    public void FilterCapIsReported()
    {
        using var w = randn(300, 1, 3, 3);
        var g = FilterGrid.Of(w);
        Assert.Equal((256, 300), (g.ShownFilters, g.TotalFilters));
        Assert.Contains("showing 256 of 300 filters", g.ToHtml());
    }

    [Theory]
    [InlineData(3, 14)]
    [InlineData(5, 8)]
    [InlineData(7, 6)]
    [InlineData(11, 4)]
    public void SmallKernelsAreUpscaledToAtLeastTheMinimumTileSize(int k, int factor)
    {
        using var w = randn(4, 3, k, k);
        var g = FilterGrid.Of(w, new FilterGridOptions { MinTileSize = 40 }); // the tile-size rule, not the width rule
        Assert.Equal(factor, g.Scale);
        Assert.InRange(g.TileWidth, 40, 49);
        var png = DecodedPng.Of(g);
        Assert.Equal((g.Columns * (k * factor + 4), g.Rows * (k * factor + 4)), (png.Width, png.Height));
    }

    [Fact]
    public void ConvModulesAreReadThroughTheirWeight()
    {
        using var conv = nn.Conv2d(3, 8, 5);
        var g = FilterGrid.Of(conv);
        Assert.Equal(8, g.ShownFilters);
        Assert.Equal(FilterLayout.Rgb, g.Layout);
        Assert.True(conv.weight!.requires_grad);
        using var linear = nn.Linear(4, 2);
        Assert.Contains("OfLinear", Assert.Throws<ArgumentException>(() => FilterGrid.Of(linear)).Message);
        using var relu = nn.ReLU();
        Assert.Contains("has no parameters", Assert.Throws<ArgumentException>(() => FilterGrid.Of(relu)).Message);
    }

    [Fact]
    public void LinearWeightsBecomeTemplatesOfTheInputShape()
    {
        using var fc = nn.Linear(784, 10);
        using (no_grad()) { fc.weight!.zero_(); fc.weight![3, 28 * 5 + 7] = tensor(1f); }
        var g = FilterGrid.OfLinear(fc, [28, 28], new FilterGridOptions { MinTileSize = 40 });
        Assert.Equal(10, g.ShownFilters);
        Assert.Equal(2, g.Scale);                                      // 28 -> 56 px
        Assert.Equal((4, 3), (g.Columns, g.Rows));
        var png = DecodedPng.Of(g);
        Assert.Equal((4 * 60, 3 * 60), (png.Width, png.Height));
        int x0 = 3 * 60 + 2, y0 = 2;                                   // unit 3: first row, fourth column
        png.AssertBlock(x0 + 7 * 2, y0 + 5 * 2, 2, 2, Grey(255));
        png.AssertBlock(x0, y0, 2, 2, Grey(128));
        Assert.True(g.Tiles[0].IsDead);
        Assert.Contains("unit 3", g.ToHtml());

        var e = Assert.Throws<ArgumentException>(() => FilterGrid.OfLinear(fc, [3, 32, 32]));
        Assert.Contains("has 3072 values but the layer has 784 input features", e.Message);

        using var rgb = nn.Linear(3 * 4 * 4, 2);
        Assert.Equal(FilterLayout.Rgb, FilterGrid.OfLinear(rgb, [3, 4, 4]).Layout);
    }

    [Fact]
    public void RgbLayoutNeedsThreeInputChannels()
    {
        using var w = randn(2, 4, 3, 3);
        var e = Assert.Throws<ArgumentException>(() => FilterGrid.Of(w, new FilterGridOptions { Layout = FilterLayout.Rgb }));
        Assert.Contains("these have 4", e.Message);
        using var wrong = randn(3, 3, 3);
        Assert.Contains("[O, I, kh, kw]", Assert.Throws<ArgumentException>(() => FilterGrid.Of(wrong)).Message);
    }

    [Fact]
    public void NaNWeightsAreMarked()
    {
        using var w = randn(2, 3, 3, 3);
        w[1, 0, 1, 1] = tensor(float.NaN);
        var g = FilterGrid.Of(w, new FilterGridOptions { MinTileSize = 40 }); // the tile-size rule, not the width rule
        var png = DecodedPng.Of(g);
        Assert.True(g.Tiles[1].HasNonFinite);
        Assert.Equal(Magenta, png[46 + 2 + 14, 2 + 14]);
        png.AssertBlock(46, 0, 46, 2, Magenta);
    }

    internal static int CountTiles(string html) => System.Text.RegularExpressions.Regex.Matches(html, "class=\"convvis-tile\"").Count;
}
