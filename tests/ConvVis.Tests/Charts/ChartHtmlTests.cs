using System.Text.RegularExpressions;

namespace ConvVis.Tests.Charts;

public class ChartHtmlTests
{
    [Fact]
    public void EmbeddedBundleIsThePinnedPlotlyAndTheScriptTagDefinesAGlobalPlotly()
    {
        Assert.StartsWith("/**\n* plotly.js (basic - minified) v" + PlotlyJs.Version, PlotlyJs.Source);
        Assert.True(PlotlyJs.Source.Length > 500_000);
        string tag = PlotlyJs.ScriptTag();
        Assert.DoesNotContain("src=", tag[..200]);
        Assert.Contains("if (typeof window.Plotly === 'undefined')", tag);
        // require.js (Jupyter) must not capture the bundle as an anonymous AMD module.
        Assert.Contains("(function (define, exports, module) {", tag);
        Assert.Single(Regex.Matches(tag, "</script", RegexOptions.IgnoreCase));
    }

    [Fact]
    public void FragmentHasTheDivTheTraceDataAndNoCdn()
    {
        var chart = ChartBuilder.Lines("loss", [new ChartSeries("train", [1, 2, 3], [0.75, 0.5, 0.125])], "epoch", "loss");
        string html = ChartHtml.Fragment(chart);
        Assert.Contains($"<div id=\"{chart.Id}\"", html);
        Assert.Contains("\"x\":[1.0,2.0,3.0]", html);
        Assert.Contains("\"y\":[0.75,0.5,0.125]", html);
        Assert.Contains($"Plotly.newPlot('{chart.Id}'", html);
        Assert.DoesNotContain("http", html);
        Assert.DoesNotContain("<script src", html);
    }

    [Fact]
    public void TextInAChartCannotCloseTheScript()
    {
        string evil = "</script><script>alert(1)</script>";
        var chart = ChartBuilder.Bars(evil, ["a", evil], [1, 2]);
        string html = ChartHtml.Fragment(chart);
        Assert.Single(Regex.Matches(html, "</script", RegexOptions.IgnoreCase));
        Assert.Contains("\\u003c/script>\\u003cscript>alert(1)", html);
    }

    [Fact]
    public void BarsCarryColoursAndHistogramsTheirBinCentres()
    {
        var bars = ChartBuilder.Bars("zeros", ["0", "1"], [0.25, 1], colors: ["#1f77b4", "#d62728"]);
        string html = ChartHtml.Fragment(bars);
        Assert.Contains("\"color\":[\"#1f77b4\",\"#d62728\"]", html);
        Assert.Contains("\"type\":\"category\"", html);

        var hist = new Histogram(0, 4, [3, 0, 1, 2]);
        Assert.Equal(1.0, hist.BinWidth);
        string h = ChartHtml.Fragment(ChartBuilder.HistogramBars("h", hist));
        Assert.Contains("\"x\":[0.5,1.5,2.5,3.5]", h);
        Assert.Contains("\"y\":[3,0,1,2]", h);
    }

    [Fact]
    public void PageIsSelfContained()
    {
        string page = ChartHtml.Page("a <title>", "<p>body</p>");
        Assert.Contains("<title>a &lt;title&gt;</title>", page);
        Assert.Contains(PlotlyJs.Source[..1000], page);
        Assert.DoesNotMatch("<script[^>]+src=", page);
    }
}
