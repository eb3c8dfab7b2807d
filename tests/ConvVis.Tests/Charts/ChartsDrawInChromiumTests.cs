using System.Text.RegularExpressions;
using ConvVis.Notebooks.Tests;

namespace ConvVis.Tests.Charts;

/// <summary>
/// Opens self-contained chart pages in Debian's headless Chromium (no network; the notebook tests' Playwright driver,
/// <see cref="OfflineBrowser"/>) and checks that plotly.js really drew every chart: an SVG per chart and the expected
/// number of traces.
/// </summary>
public sealed class ChartsDrawInChromiumTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("convvis-chromium-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The page's DOM once <paramref name="charts"/> charts are drawn (or after 30 s, for the assertions to say what is missing).</summary>
    async Task<string> RenderedDomAsync(string html, int charts)
    {
        string page = Path.Combine(_dir, "page.html");
        File.WriteAllText(page, html);
        await using var browser = await OfflineBrowser.LaunchAsync();
        var tab = await browser.Context.NewPageAsync();
        await tab.GotoAsync(new Uri(page).AbsoluteUri);
        try
        {
            await tab.WaitForFunctionAsync("n => document.querySelectorAll('.svg-container').length >= n", charts, new() { Timeout = 30_000 });
        }
        catch (TimeoutException) { } // the assertions below say what was not drawn
        string dom = await tab.ContentAsync();
        Assert.Empty(browser.BlockedRequests);
        return dom;
    }

    [Fact]
    public async Task ChartsDrawOfflineAlsoWhenRequireJsIsOnThePage()
    {
        if (!File.Exists(OfflineBrowser.ChromiumPath)) return; // CI has Debian's chromium; the package tests check the rest
        var lines = ChartBuilder.Lines("loss </script> & co", [new ChartSeries("train", [1, 2, 3], [0.9, 0.5, 0.25]), new ChartSeries("test", [1, 2, 3], [1, 0.7, 0.6])]);
        var bars = ChartBuilder.Bars("zeros", ["0", "1", "2"], [0.25, 1, 0.5], colors: ["#1f77b4", "#d62728", "#1f77b4"]);
        // Jupyter's require.js defines an AMD loader: the bundle must still become window.Plotly,
        // and the charts come before the bundle here (they wait for it).
        string html = "<html><head><script>window.define = function () { throw new Error('AMD define called'); }; window.define.amd = {};</script></head><body>"
                      + ChartHtml.Fragment(lines) + ChartHtml.Fragment(bars) + PlotlyJs.ScriptTag() + "</body></html>";
        string dom = await RenderedDomAsync(html, charts: 2);

        Assert.Equal(2, Regex.Matches(dom, "<div class=\"[^\"]*svg-container\" style").Count);
        Assert.Equal(3, Regex.Matches(dom, "class=\"trace ").Count); // two lines and one bar trace
        Assert.Equal(9, Regex.Matches(dom, "class=\"point\"").Count); // 6 line markers and 3 bars
        Assert.Contains("data-unformatted=\"loss &lt;/script&gt; &amp; co\"", dom);
        Assert.DoesNotContain(">plotly.js is not loaded", dom);
    }
}
