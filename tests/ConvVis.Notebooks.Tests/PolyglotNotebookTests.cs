using System.Diagnostics;
using System.Text.RegularExpressions;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace ConvVis.Notebooks.Tests;

/// <summary>
/// VS Code's Polyglot Notebooks is an audience too: notebook 01 exists as a .dib, generated from the .ipynb, and runs
/// through <c>dotnet-interactive stdio</c> (the protocol Polyglot Notebooks speaks) with the same checks as in Jupyter.
/// </summary>
public sealed partial class PolyglotNotebookTests(PolyglotRun run) : IClassFixture<PolyglotRun>
{
    [Fact]
    public void TheDibIsTheIpynbWrittenForPolyglotNotebooks()
    {
        string generated = Path.Combine(Path.GetTempPath(), $"convvis-{Guid.NewGuid():N}.dib");
        var start = new ProcessStartInfo("/usr/bin/python3",
            ["scripts/notebook_tools.py", "to-dib", $"notebooks/{PolyglotRun.Notebook}.ipynb", generated])
        { WorkingDirectory = Repository.Root, RedirectStandardError = true };
        using (var process = Process.Start(start)!)
        {
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, error);
        }
        string committed = File.ReadAllText(Path.Combine(Repository.NotebooksFolder, PolyglotRun.Notebook + ".dib"));
        Assert.True(committed == File.ReadAllText(generated),
            $"notebooks/{PolyglotRun.Notebook}.dib is out of date: regenerate it with scripts/notebook_tools.py to-dib");
        File.Delete(generated);
    }

    [Fact]
    public void EveryCellRunsWithoutErrorThroughStdio()
    {
        Assert.True(run.Failure is null, run.Failure);
        Assert.True(run.Cells.Count >= 10, $"only {run.Cells.Count} cells ran");
        var failed = run.Cells.Where(c => c.Error is not null).Select(c => $"{c.FirstLine}: {c.Error}").ToList();
        Assert.True(failed.Count == 0, string.Join("\n", failed));
    }

    [Fact]
    public void ShowsTheSamePicturesAndViewsAsInJupyter()
    {
        Assert.True(run.Failure is null, run.Failure);
        var html = run.Cells.SelectMany(c => c.Values).Where(v => v.MimeType == "text/html").Select(v => v.Value).ToList();
        var pngs = html.SelectMany(h => PngDataUri().Matches(h)).Select(m => Convert.FromBase64String(m.Groups[1].Value)).ToList();
        Assert.True(pngs.Count >= 5, $"{pngs.Count} pictures");
        foreach (var png in pngs)
        {
            using var image = Image.Load<Rgba32>(png);
            Assert.True(image.Width > 0 && image.Height > 0);
        }
        string all = string.Join("\n", html);
        Assert.Contains("convvis-summary", all);   // the module's layer summary
        Assert.Contains("ConvVis.Interactive</b> loaded", all); // the extension's banner
        Assert.Contains("relu2", all);              // the captured layers' mosaics
    }

    [Fact]
    public void PrintsNoWarningNoise()
    {
        string[] noise = ["Attempted to save a tensor", "[W ", "Warning:"];
        var lines = run.Cells.SelectMany(c => c.Printed).Where(l => noise.Any(n => l.Contains(n, StringComparison.Ordinal))).ToList();
        Assert.True(lines.Count == 0, string.Join("\n", lines.Take(5)));
    }

    [GeneratedRegex("data:image/png;base64,([A-Za-z0-9+/=]+)")]
    private static partial Regex PngDataUri();
}
