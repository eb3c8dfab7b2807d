using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace ConvVis.Tests.Rendering;

public class HtmlViewTests
{
    private const string NastyTitle = "<script>alert('x')</script> & \"conv1\"";

    [Fact]
    public void TitleIsEscapedAndThereIsNoScript()
    {
        using var a = rand(3, 4, 4);
        string html = Mosaic.Of(a, new MosaicOptions { Title = NastyTitle }).ToHtml();
        Assert.Contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;conv1&quot;", html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);
        using var w = randn(2, 3, 3, 3);
        string grid = FilterGrid.Of(w, new FilterGridOptions { Title = NastyTitle }).ToHtml();
        Assert.Contains("&lt;script&gt;", grid);
        Assert.DoesNotContain("<script", grid, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void EachTileHasATooltipWithChannelMinMaxMeanAndFractionZero()
    {
        using var a = tensor(new float[] { 0, 1, 2, 5, -1, -1, -1, -1, 0, 0, 0, 0 }, [3, 2, 2]);
        var m = Mosaic.Of(a, new MosaicOptions { MinTileSize = 10 });
        string html = m.ToHtml();
        Assert.Equal(3, FilterGridTests.CountTiles(html));
        Assert.Contains("title=\"channel 0&#10;min 0&#10;max 5&#10;mean 2&#10;zero 25%\"", html);
        Assert.Contains("title=\"channel 1&#10;min -1&#10;max -1&#10;mean -1&#10;zero 0%&#10;CONSTANT: all values are equal\"", html);
        Assert.Contains("title=\"channel 2&#10;min 0&#10;max 0&#10;mean 0&#10;zero 100%&#10;SILENT for this input: all values are zero\"", html);
    }

    [Fact]
    public void TooltipRectanglesMatchTheTilesInPercentOfThePicture()
    {
        using var a = rand(2, 5, 5);
        var m = Mosaic.Of(a, new MosaicOptions { MinTileSize = 10, Columns = 2 });
        // 2 tiles of 10 px in cells of 14: picture 28 x 14; tile 1 at x = 16.
        Assert.Equal((28, 14), (m.Width, m.Height));
        string html = m.ToHtml();
        var rects = Regex.Matches(html, "left:([0-9.]+)%;top:([0-9.]+)%;width:([0-9.]+)%;height:([0-9.]+)%").Select(x => x.Groups.Values.Skip(1).Select(g => double.Parse(g.Value, System.Globalization.CultureInfo.InvariantCulture)).ToArray()).ToList();
        Assert.Equal(2, rects.Count);
        Assert.Equal(new[] { 100.0 * 16 / 28, 100.0 * 2 / 14, 100.0 * 10 / 28, 100.0 * 10 / 14 }, rects[1], new RoundedComparer());
    }

    [Fact]
    public void TheDataUriHoldsThePngOfTheViewAndTheSizeIsDeclared()
    {
        using var a = rand(6, 7, 7);
        var m = Mosaic.Of(a);
        string html = m.ToHtml();
        var png = DecodedPng.FromHtml(html);
        Assert.Equal((m.Width, m.Height), (png.Width, png.Height));
        Assert.Equal(m.ToPng(), Convert.FromBase64String(Regex.Match(html, "base64,([^\"]+)").Groups[1].Value));
        Assert.Contains($"width=\"{m.Width}\" height=\"{m.Height}\"", html);
    }

    [Fact]
    public void ColourBarAndCssOnlyEnlargeArePresent()
    {
        using var a = randn(2, 4, 4);
        string html = Mosaic.Of(a, new MosaicOptions { Normalization = Normalization.Symmetric, Colormap = Colormap.Diverging }).ToHtml();
        Assert.Contains("class=\"convvis-colorbar\"", html);
        Assert.Contains("linear-gradient(to right, rgb(5,48,97) 0%", html);    // the diverging map's low end
        Assert.Contains("<span>0</span>", html);                                 // symmetric: zero in the middle
        Assert.Contains("type=\"checkbox\" class=\"convvis-zoom\"", html);
        Assert.Contains(".convvis-zoom:checked+label .convvis-frame{width:calc(2*var(--convvis-w))", html);
    }

    [Fact]
    public void EveryViewGetsItsOwnZoomId()
    {
        using var a = rand(1, 2, 2);
        var m = Mosaic.Of(a);
        string id1 = Regex.Match(m.ToHtml(), "id=\"([^\"]+)\"").Groups[1].Value;
        string id2 = Regex.Match(m.ToHtml(), "id=\"([^\"]+)\"").Groups[1].Value;
        Assert.NotEqual(id1, id2);
    }

    [Fact]
    public void EscapeCoversMarkupQuotesAndNewlines()
    {
        Assert.Equal("a&lt;b&gt;&amp;&quot;&#39;&#10;c", Html.Escape("a<b>&\"'\r\nc"));
        Assert.Equal("", Html.Escape(null));
    }

    private sealed class RoundedComparer : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) < 1e-3;
        public int GetHashCode(double obj) => 0;
    }
}
