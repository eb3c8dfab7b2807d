using System.Diagnostics;
using Microsoft.AspNetCore.Html;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Formatting;

namespace ConvVis.Interactive;

/// <summary>
/// A live progress bar in the notebook for a long scan: shown when the scan starts, updated at most a few times
/// a second, and replaced by a final line when it ends.
/// </summary>
sealed class NotebookProgress : IProgress<ScanProgress>, IDisposable
{
    readonly DisplayedValue display;
    readonly string what;
    readonly Stopwatch clock = Stopwatch.StartNew();
    long lastUpdateMs = -1000;
    ScanProgress last;

    public NotebookProgress(KernelInvocationContext context, string what)
    {
        this.what = what;
        display = context.Display(new HtmlString(Render(null)), "text/html");
    }

    public void Report(ScanProgress value)
    {
        last = value;
        if (clock.ElapsedMilliseconds - lastUpdateMs < 250) return;
        lastUpdateMs = clock.ElapsedMilliseconds;
        display.Update(new HtmlString(Render(value)));
    }

    public void Dispose() => display.Update(new HtmlString(Render(last, done: true)));

    string Render(ScanProgress? p, bool done = false)
    {
        string text = p is { } s
            ? $"{what}: {s.Batches} batch{(s.Batches == 1 ? "" : "es")}{(s.TotalBatches is int t ? $" of {t}" : "")}, {s.Inputs:N0} inputs, {clock.Elapsed.TotalSeconds:F1} s"
            : $"{what}: starting";
        if (done) text += " (finished or stopped)";
        string bar = p?.Fraction is double f && !done
            ? $"<progress value=\"{f:F3}\" max=\"1\" style=\"width:240px\"></progress> "
            : done ? "" : "<progress style=\"width:240px\"></progress> ";
        return $"<div class=\"convvis-progress\" style=\"font-family:sans-serif;font-size:12px\">{bar}{Html.Escape(text)}</div>";
    }
}
