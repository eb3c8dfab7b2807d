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
    readonly DisplayedValue _display;
    readonly ProgressLine _line;

    NotebookProgress(KernelInvocationContext context, string what)
    {
        CancellationToken = context.CancellationToken;
        _line = new ProgressLine(what, CancellationToken);
        _display = context.Display(new HtmlString(_line.ToHtml(done: false)), "text/html");
    }

    /// <summary>Shows a progress bar labelled <paramref name="what"/> in the running cell.</summary>
    /// <exception cref="InvalidOperationException">No notebook cell is running.</exception>
    public static NotebookProgress Show(string what) =>
        new(KernelInvocationContext.Current ?? throw new InvalidOperationException("NotebookProgress.Show needs a running notebook cell."), what);

    internal static NotebookProgress Show(KernelInvocationContext context, string what) => new(context, what);

    /// <summary>Cancelled when the user stops the cell.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Shows how far the work is (the bar's own label names the work).</summary>
    public void Report(WorkProgress value)
    {
        if (_line.Report(value)) _display.Update(new HtmlString(_line.ToHtml(done: false)));
    }

    /// <summary>Replaces the bar by a final line.</summary>
    public void Dispose() => _display.Update(new HtmlString(_line.ToHtml(done: true)));
}
