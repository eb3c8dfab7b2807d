using System.Text.RegularExpressions;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Tests.Rendering;

/// <summary>
/// Which tile is which must be readable in exported HTML and screenshots, not only in hover tooltips: every tile
/// carries its index as visible text (outside any title attribute).
/// </summary>
public class VisibleIndexTests
{
    /// <summary>The visible labels, in order (the text of the index spans, not attributes).</summary>
    private static List<string> Labels(string html) =>
        Regex.Matches(html, "<span class=\"convvis-index\">([^<]*)</span>").Select(m => m.Groups[1].Value).ToList();

    [Fact]
    public void MosaicTilesShowTheirChannelIndexEvenForTopK()
    {
        using var scope = NewDisposeScope();
        var a = torch.arange(6f).reshape(6, 1, 1).expand(6, 4, 4).contiguous(); // channel c is the constant c
        Assert.Equal(["0", "1", "2", "3", "4", "5"], Labels(Mosaic.Of(a).ToHtml()));
        Assert.Equal(["5", "4", "3"], Labels(Mosaic.Of(a, new MosaicOptions { TopK = 3 }).ToHtml()));
    }

    [Fact]
    public void FilterGridsShowFilterIndicesAndDeeperGridsFilterAndInputChannel()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(1);
        Assert.Equal(["0", "1", "2", "3"], Labels(FilterGrid.Of(nn.Conv2d(3, 4, 3)).ToHtml()));  // RGB: one tile per filter
        // Slices: the first column labels each row with its filter, the first row each column with its input channel.
        var deeper = Labels(FilterGrid.Of(nn.Conv2d(3, 4, 3), new FilterGridOptions { Layout = FilterLayout.SlicesPerFilter }).ToHtml());
        Assert.Equal(["0", ":1", ":2", "1", "2", "3"], deeper);
    }

    [Fact]
    public void ImageGridsShowImageIndicesAndLabelsAreEscaped()
    {
        using var scope = NewDisposeScope();
        string html = ImageGrid.Of(torch.rand(3, 3, 8, 8)).ToHtml();
        Assert.Equal(["0", "1", "2"], Labels(html));
        Assert.DoesNotMatch("title=\"[^\"]*convvis-index", html);
    }
}
