using System.Diagnostics;
using Microsoft.AspNetCore.Html;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Formatting;

namespace ConvVis.Interactive;

/// <summary>
/// A live progress bar in the notebook for long work (dataset scans, occlusion, SmoothGrad, integrated gradients):
/// shown when created, redrawn at most four times a second, and given a final line when disposed. Pass it as the
/// <c>IProgress</c> argument, and <see cref="CancellationToken"/> as the token, so stopping the cell stops the work.
/// <code>
/// using var progress = NotebookProgress.Show("Occlusion");
/// var map = new Occlusion(model).Attribute(x, target, progress, progress.CancellationToken);
/// </code>
/// </summary>
public sealed class NotebookProgress : IProgress<WorkProgress>, IDisposable
{
    readonly DisplayedValue display;
    readonly string what;
    readonly Stopwatch clock = Stopwatch.StartNew();
    long lastUpdateMs = -1000;
    string lastText = "starting";
    double? lastFraction;

    NotebookProgress(KernelInvocationContext context, string what)
    {
        this.what = what;
        CancellationToken = context.CancellationToken;
        display = context.Display(new HtmlString(Render(done: false)), "text/html");
    }

    /// <summary>Shows a progress bar labelled <paramref name="what"/> in the running cell.</summary>
    /// <exception cref="InvalidOperationException">No notebook cell is running.</exception>
    public static NotebookProgress Show(string what) =>
        new(KernelInvocationContext.Current ?? throw new InvalidOperationException("NotebookProgress.Show needs a running notebook cell."), what);

    internal static NotebookProgress Show(KernelInvocationContext context, string what) => new(context, what);

    /// <summary>Cancelled when the user stops the cell.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Shows how far the work is (the bar's own label names the work).</summary>
    public void Report(WorkProgress value) => Update(value.Amount, value.Fraction);

    /// <summary>Replaces the bar by a final line.</summary>
    public void Dispose() => display.Update(new HtmlString(Render(done: true)));

    void Update(string text, double? fraction)
    {
        lastText = text;
        lastFraction = fraction;
        if (clock.ElapsedMilliseconds - lastUpdateMs < 250) return;
        lastUpdateMs = clock.ElapsedMilliseconds;
        display.Update(new HtmlString(Render(done: false)));
    }

    /// <summary>How the work ended, as far as the bar can tell: cancelled, cut short, or done.</summary>
    string Outcome() =>
        CancellationToken.IsCancellationRequested ? "stopped: the cell was cancelled"
        : lastFraction is double f && f < 1 ? $"stopped at {f:P0}"
        : "finished";

    string Render(bool done)
    {
        string text = $"{what}: {lastText}, {clock.Elapsed.TotalSeconds:F1} s{(done ? $" ({Outcome()})" : "")}";
        string bar = done ? "" : lastFraction is double f
            ? $"<progress value=\"{f:F3}\" max=\"1\" style=\"width:240px\"></progress> "
            : "<progress style=\"width:240px\"></progress> ";
        return $"<div class=\"convvis-progress\" style=\"font-family:sans-serif;font-size:12px\">{bar}{Html.Escape(text)}</div>";
    }
}
