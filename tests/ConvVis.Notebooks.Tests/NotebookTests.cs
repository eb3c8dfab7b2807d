using Microsoft.Playwright;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace ConvVis.Notebooks.Tests;

/// <summary>
/// Every notebook in notebooks/ runs through real Jupyter with the .NET kernel (scripts/run-notebooks.sh),
/// every cell succeeds, it shows pictures, and its HTML export shows them in a browser with no network.
/// </summary>
public sealed class NotebookTests(NotebookRun run) : IClassFixture<NotebookRun>
{
    public static TheoryData<string> Notebooks => new(Repository.NotebookNames);

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void EveryCellRunsWithoutError(string notebook)
    {
        var executed = run.Load(notebook);
        var errors = executed.Errors().ToList();
        Assert.True(errors.Count == 0, $"{notebook}: {errors.Count} failed cell(s):\n{string.Join("\n", errors)}");
        var notRun = executed.CodeCells.Where(c => c.ExecutionCount is null).Select(c => $"cell {c.Number} ({c.FirstLine})").ToList();
        Assert.True(notRun.Count == 0, $"{notebook}: cells that did not run: {string.Join(", ", notRun)}");
    }

    /// <summary>
    /// No library noise among the outputs: TorchSharp's autograd warnings (one per custom-function call when tensors are
    /// stored with save_data), libtorch's "[W ...]" lines, Python-style warnings.
    /// </summary>
    [Theory]
    [MemberData(nameof(Notebooks))]
    public void PrintsNoWarningNoise(string notebook)
    {
        string[] noise = ["Attempted to save a tensor", "save_for_backward", "[W ", "Warning:", "UserWarning", "DeprecationWarning"];
        var lines = run.Load(notebook).PrintedLines().Where(l => noise.Any(n => l.Contains(n, StringComparison.Ordinal))).ToList();
        Assert.True(lines.Count == 0, $"{notebook} printed {lines.Count} warning line(s):\n{string.Join("\n", lines.Take(5))}");
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void ShowsDecodablePictures(string notebook)
    {
        var pngs = run.Load(notebook).Pngs().ToList();
        Assert.True(pngs.Count > 0, $"{notebook} shows no PNG picture (no image/png output, no data:image/png URI in its HTML outputs)");
        foreach (var (cell, png) in pngs)
        {
            using var image = Image.Load<Rgba32>(png);
            Assert.True(image.Width > 0 && image.Height > 0, $"{notebook} cell {cell}: empty PNG");
        }
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public async Task HtmlExportShowsPicturesAndChartsOffline(string notebook)
    {
        var executed = run.Load(notebook);
        string html = Path.Combine(Repository.ExecutedFolder, notebook + ".html");
        Assert.True(File.Exists(html), $"{html} is missing: the HTML export failed.\n{run.Summary}");

        await using var browser = await OfflineBrowser.LaunchAsync();
        var page = await browser.Context.NewPageAsync();
        var pageErrors = new List<string>();
        page.PageError += (_, error) => { lock (pageErrors) pageErrors.Add(error); };
        await page.GotoAsync(new Uri(html).AbsoluteUri, new() { WaitUntil = WaitUntilState.Load });
        await page.EvaluateAsync("() => Promise.all([...document.images].map(i => i.decode().catch(() => {})))");

        // Charts may draw after load (a script can wait for plotly.js): wait for every chart div to be
        // drawn (plotly marks it .js-plotly-plot), then report each one that is missing or empty.
        var chartIds = executed.ChartIds().ToArray();
        if (chartIds.Length > 0)
        {
            try
            {
                await page.WaitForFunctionAsync(
                    "ids => ids.every(id => document.getElementById(id)?.classList.contains('js-plotly-plot'))",
                    chartIds, new() { Timeout = 15_000 });
            }
            catch (TimeoutException) { } // reported below, chart by chart
        }

        Directory.CreateDirectory(Repository.ScreenshotsFolder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Repository.ScreenshotsFolder, notebook + ".png"), FullPage = true });

        var images = await page.EvaluateAsync<ImageState[]>(
            "() => [...document.images].map(i => ({ src: i.src.slice(0, 80), width: i.naturalWidth }))");
        Assert.NotEmpty(images);
        var broken = images.Where(i => i.Width <= 0).Select(i => i.Src).ToList();
        Assert.True(broken.Count == 0, $"{notebook}: {broken.Count} of {images.Length} <img> do not decode: {string.Join(", ", broken)}");

        // Each drawn trace is a .trace group (scatter, bar) or an .hm group (heatmap) in the chart's SVG.
        var charts = await page.EvaluateAsync<ChartState[]>(
            "ids => ids.map(id => { const d = document.getElementById(id); return { id, drawn: !!d && d.classList.contains('js-plotly-plot'), svgs: d ? d.querySelectorAll('svg.main-svg').length : 0, traces: d ? d.querySelectorAll('.trace, .hm').length : 0, text: d ? d.textContent.slice(0, 200) : 'no such element' }; })",
            chartIds);
        var bad = charts.Where(c => !c.Drawn || c.Svgs == 0 || c.Traces == 0)
            .Select(c => $"#{c.Id} (drawn: {c.Drawn}, svg: {c.Svgs}, traces: {c.Traces}, text: '{c.Text}')").ToList();
        Assert.True(bad.Count == 0,
            $"{notebook}: {bad.Count} of {charts.Length} plotly chart(s) did not render offline: {string.Join("; ", bad)}. Page errors: {string.Join(" | ", pageErrors)}");

        Assert.True(pageErrors.Count == 0, $"{notebook}: script errors in the HTML export: {string.Join(" | ", pageErrors)}");
        Assert.True(browser.BlockedRequests.Count == 0,
            $"{notebook}: the HTML export asked the network for {browser.BlockedRequests.Count} resource(s) (blocked): {string.Join(", ", browser.BlockedRequests)}");
    }

    // Plain settable properties: Playwright deserializes evaluation results through a default constructor.
    public sealed class ImageState { public string Src { get; set; } = ""; public int Width { get; set; } }

    public sealed class ChartState
    {
        public string Id { get; set; } = "";
        public bool Drawn { get; set; }
        public int Svgs { get; set; }
        public int Traces { get; set; }
        public string Text { get; set; } = "";
    }
}
