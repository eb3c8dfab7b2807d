using static TorchSharp.torch;
using static ConvVis.Tests.Rendering.DecodedPng;

namespace ConvVis.Tests.Rendering;

/// <summary>Every normalisation edge case, checked on the decoded pixels of one-channel 2x2 mosaics (gray map, no upscaling).</summary>
public class NormalizationTests
{
    private static (Mosaic M, DecodedPng Png) Render(float[] values, Normalization mode = Normalization.PerChannel, double? clip = null, long channels = 1)
    {
        using var a = tensor(values, [channels, 2, values.Length / channels / 2]);
        var m = Mosaic.Of(a, new MosaicOptions { Colormap = Colormap.Gray, MinTileSize = 1, Normalization = mode, ClipPercentile = clip, Columns = (int)channels });
        return (m, DecodedPng.Of(m));
    }

    // Pixel (i, j) of the map of channel c in a row of 2x2 tiles (cells 6 px wide, 2 px ring).
    private static (byte, byte, byte) Px(DecodedPng p, int i, int j, int c = 0) => p[2 + c * 6 + i, 2 + j];

    [Fact]
    public void AConstantChannelIsMidGreyWithAnOrangeFrameAndNoDivisionByZero()
    {
        var (m, png) = Render([3, 3, 3, 3]);
        Assert.All(new[] { Px(png, 0, 0), Px(png, 1, 1) }, p => Assert.Equal(Grey(128), p));
        Assert.True(m.Tiles[0].IsConstant);
        Assert.False(m.Tiles[0].IsDead);
        png.AssertBlock(0, 0, 6, 2, Orange);
        Assert.Contains("CONSTANT", m.ToHtml());
    }

    [Fact]
    public void AnAllZeroChannelIsMarkedSilentForThisInputWithARedFrameAndTooltip()
    {
        var (m, png) = Render([0, 0, 0, 0]);
        Assert.Equal(Grey(0), Px(png, 0, 0));
        Assert.True(m.Tiles[0].IsDead);
        Assert.Equal(1f, m.Tiles[0].FractionZero);
        png.AssertBlock(0, 0, 6, 2, Red);
        png.AssertBlock(0, 4, 2, 2, Red);
        string html = m.ToHtml();
        // Zero for this one input: silent. "Dead" is for channels zero on every input of a data set (#!dead-filters).
        Assert.Contains("SILENT for this input: all values are zero", html);
        Assert.Contains("red frame: silent for this input (all zero)", html);
        Assert.DoesNotContain("dead", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void NaNPixelsAreMagentaAndOtherValuesUseTheFiniteRange()
    {
        var (m, png) = Render([1, float.NaN, 3, 5]);
        Assert.Equal(Magenta, Px(png, 1, 0));
        Assert.Equal(Grey(0), Px(png, 0, 0));
        Assert.Equal(Grey(128), Px(png, 0, 1));
        Assert.Equal(Grey(255), Px(png, 1, 1));
        Assert.True(m.Tiles[0].HasNonFinite);
        Assert.Equal((1f, 5f, 3f), (m.Tiles[0].Min, m.Tiles[0].Max, m.Tiles[0].Mean));
        png.AssertBlock(0, 0, 6, 2, Magenta);   // the frame
        Assert.Contains("contains NaN or Inf", m.ToHtml());
    }

    [Fact]
    public void InfinitiesSaturateWithoutSpoilingTheScale()
    {
        var (m, png) = Render([float.PositiveInfinity, 0, 10, float.NegativeInfinity]);
        Assert.Equal(Grey(255), Px(png, 0, 0));
        Assert.Equal(Grey(0), Px(png, 1, 0));
        Assert.Equal(Grey(255), Px(png, 0, 1));
        Assert.Equal(Grey(0), Px(png, 1, 1));
        Assert.Equal((0f, 10f), (m.Tiles[0].Min, m.Tiles[0].Max));
        Assert.True(m.Tiles[0].HasNonFinite);
    }

    [Fact]
    public void AnAllNaNChannelRendersMagenta()
    {
        var (m, png) = Render([float.NaN, float.NaN, float.NaN, float.NaN]);
        png.AssertBlock(2, 2, 2, 2, Magenta);
        Assert.True(float.IsNaN(m.Tiles[0].Min));
        Assert.Contains("min NaN", m.ToHtml());
    }

    [Fact]
    public void NegativeOnlyValuesUseTheWholeMap()
    {
        var (_, png) = Render([-4, -3, -2, -1]);
        Assert.Equal(Grey(0), Px(png, 0, 0));
        Assert.Equal(Grey(85), Px(png, 1, 0));
        Assert.Equal(Grey(255), Px(png, 1, 1));
    }

    [Fact]
    public void SharedNormalisationComparesMagnitudesAcrossChannels()
    {
        var (_, png) = Render([0, 1, 0, 1, 0, 10, 0, 10], Normalization.Shared, channels: 2);
        Assert.Equal(Grey(26), Px(png, 1, 0, c: 0));     // 1/10 of the shared range
        Assert.Equal(Grey(255), Px(png, 1, 0, c: 1));
        var (_, perChannel) = Render([0, 1, 0, 1, 0, 10, 0, 10], Normalization.PerChannel, channels: 2);
        Assert.Equal(Grey(255), Px(perChannel, 1, 0, c: 0));
    }

    [Fact]
    public void SymmetricNormalisationPutsZeroAtMidGrey()
    {
        var (m, png) = Render([0, 2, -4, 1], Normalization.Symmetric);
        Assert.Equal(Grey(128), Px(png, 0, 0));
        Assert.Equal(Grey(191), Px(png, 1, 0));         // 0.5 + 2/8 = 0.75
        Assert.Equal(Grey(0), Px(png, 0, 1));           // -max|x|
        Assert.Contains("±4", m.ToHtml());
        // A positive-only channel under symmetric scaling only uses the upper half.
        var (_, positive) = Render([0, 1, 2, 4], Normalization.Symmetric);
        Assert.Equal(Grey(128), Px(positive, 0, 0));
        Assert.Equal(Grey(255), Px(positive, 1, 1));
        // An all-zero channel is mid-grey, not a division by zero.
        var (_, zero) = Render([0, 0, 0, 0], Normalization.Symmetric);
        Assert.Equal(Grey(128), Px(zero, 0, 0));
    }

    [Fact]
    public void SymmetricSharedVersusPerChannel()
    {
        float[] values = [1, -1, 0, 0, 4, -4, 0, 0];
        var (_, shared) = Render(values, Normalization.Symmetric, channels: 2);
        Assert.Equal(Grey(159), Px(shared, 0, 0, c: 0));     // 0.5 + 1/8
        var (_, own) = Render(values, Normalization.SymmetricPerChannel, channels: 2);
        Assert.Equal(Grey(255), Px(own, 0, 0, c: 0));
        Assert.Equal(Grey(0), Px(own, 1, 0, c: 0));
    }

    [Fact]
    public void PercentileClippingStopsOneOutlierFromFlatteningTheMap()
    {
        // 0..98 and one huge outlier in a 2x50 map.
        var values = Enumerable.Range(0, 99).Select(i => (float)i).Append(1e6f).ToArray();
        using var a = tensor(values, [1, 2, 50]);
        var options = new MosaicOptions { Colormap = Colormap.Gray, MinTileSize = 1 };
        var plain = DecodedPng.Of(Mosaic.Of(a, options));
        Assert.Equal(Grey(0), plain[2 + 49, 2]);            // 49 is ~0 of the range up to 1e6
        options.ClipPercentile = 95;
        var clipped = Mosaic.Of(a, options);
        var png = DecodedPng.Of(clipped);
        // torch quantiles (linear) of 0..98,1e6: 5th = 4.95, 95th = 94.05; 49 -> (49-4.95)/89.1 = 0.4944 -> 126.
        Assert.Equal(Grey(126), png[2 + 49, 2]);
        Assert.Equal(Grey(255), png[2 + 49, 3]);            // the outlier saturates
        Assert.Equal(Grey(0), png[2, 2]);                   // below the 5th percentile saturates low
        Assert.Contains("clipped at the 5/95th percentiles", clipped.ToHtml());
    }

    [Fact]
    public void SymmetricClippingUsesThePercentileOfMagnitudes()
    {
        var values = Enumerable.Range(0, 99).Select(i => (float)(i % 2 == 0 ? i : -i)).Append(-1e6f).ToArray();
        using var a = tensor(values, [1, 2, 50]);
        var m = Mosaic.Of(a, new MosaicOptions { Colormap = Colormap.Gray, MinTileSize = 1, Normalization = Normalization.Symmetric, ClipPercentile = 99 });
        var png = DecodedPng.Of(m);
        Assert.Equal(Grey(0), png[2 + 49, 3]);             // -1e6 clipped to -m
        Assert.Equal(Grey(128), png[2, 2]);                // zero stays mid-grey
    }

    [Fact]
    public void ASingleChannelWorks()
    {
        var (m, png) = Render([0, 1, 2, 3]);
        Assert.Equal(1, m.ShownChannels);
        Assert.Equal((1, 1), (m.Columns, m.Rows));
        Assert.Equal((6, 6), (png.Width, png.Height));
    }
}
