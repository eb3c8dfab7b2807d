using System.Diagnostics;
using System.Text.RegularExpressions;

namespace ConvVis.Tests.Charts;

/// <summary>
/// Opens self-contained chart pages in Debian's headless Chromium (no network) and checks that
/// plotly.js really drew every chart: an SVG per chart and the expected number of traces.
/// </summary>
public sealed class ChartsDrawInChromiumTests : IDisposable
{
    const string Chromium = "/usr/bin/chromium";
    readonly string _dir = Directory.CreateTempSubdirectory("convvis-chromium-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string RenderedDom(string html)
    {
        string page = Path.Combine(_dir, "page.html");
        File.WriteAllText(page, html);
        var psi = new ProcessStartInfo(Chromium)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList =
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", $"--user-data-_dir={Path.Combine(_dir, "profile")}",
                "--virtual-time-budget=5000", "--dump-dom", new Uri(page).AbsoluteUri,
            },
        };
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string dom = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(90_000), "chromium did not finish");
        Assert.True(dom.Length > 0, "chromium printed no DOM: " + stderr.Result);
        return dom;
    }

    [Fact]
    public void ChartsDrawOfflineAlsoWhenRequireJsIsOnThePage()
    {
        if (!File.Exists(Chromium)) return; // CI has Debian's chromium; the package tests check the rest
        var lines = ChartBuilder.Lines("loss </script> & co", [new ChartSeries("train", [1, 2, 3], [0.9, 0.5, 0.25]), new ChartSeries("test", [1, 2, 3], [1, 0.7, 0.6])]);
        var bars = ChartBuilder.Bars("zeros", ["0", "1", "2"], [0.25, 1, 0.5], colors: ["#1f77b4", "#d62728", "#1f77b4"]);
        // Jupyter's require.js defines an AMD loader: the bundle must still become window.Plotly,
        // and the charts come before the bundle here (they wait for it).
        string html = "<html><head><script>window.define = function () { throw new Error('AMD define called'); }; window.define.amd = {};</script></head><body>"
                      + ChartHtml.Fragment(lines) + ChartHtml.Fragment(bars) + PlotlyJs.ScriptTag() + "</body></html>";
        string dom = RenderedDom(html);

        Assert.Equal(2, Regex.Matches(dom, "<div class=\"[^\"]*svg-container\" style").Count);
        Assert.Equal(3, Regex.Matches(dom, "class=\"trace ").Count); // two lines and one bar trace
        Assert.Equal(9, Regex.Matches(dom, "class=\"point\"").Count); // 6 line markers and 3 bars
        Assert.Contains("data-unformatted=\"loss &lt;/script&gt; &amp; co\"", dom);
        Assert.DoesNotContain(">plotly.js is not loaded", dom);
    }
}
