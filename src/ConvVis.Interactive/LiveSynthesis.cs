using System.Globalization;
using Microsoft.AspNetCore.Html;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Formatting;
using ConvVis.Interactive.Formatting;

namespace ConvVis.Interactive;

/// <summary>
/// One display in the notebook for an image-synthesis run (class or unit visualisation, feature inversion, PGD, fooling):
/// a progress bar and the pictures as they form, redrawn in place at most four times a second; when disposed it keeps
/// the last pictures and a final line. Pass it as the progress, as <c>Snapshots</c>, and its
/// <see cref="CancellationToken"/>, so stopping the cell stops the run:
/// <code>
/// using var live = LiveSynthesis.Show("Class visualisation");
/// var result = new ActivationMaximization(net, ActivationMaximizationOptions.Cs231n) { Snapshots = live }
///     .Run(AttributionTarget.Classes(0, 1, 2), [3, 1, 28, 28], live, live.CancellationToken);
/// </code>
/// </summary>
public sealed class LiveSynthesis : IProgress<WorkProgress>, IProgress<SynthesisSnapshot>, IDisposable
{
    readonly DisplayedValue _display;
    readonly ProgressLine _line;
    SynthesisSnapshot? _snapshot;
    bool _disposed;

    LiveSynthesis(KernelInvocationContext context, string what)
    {
        CancellationToken = context.CancellationToken;
        _line = new ProgressLine(what, CancellationToken);
        _display = context.Display(new HtmlString(Render(done: false)), "text/html");
    }

    /// <summary>Shows the display, labelled <paramref name="what"/>, in the running cell.</summary>
    /// <exception cref="InvalidOperationException">No notebook cell is running.</exception>
    public static LiveSynthesis Show(string what) =>
        new(KernelInvocationContext.Current ?? throw new InvalidOperationException("LiveSynthesis.Show needs a running notebook cell."), what);

    /// <summary>Cancelled when the user stops the cell.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>The last pictures received (null before the first).</summary>
    public SynthesisSnapshot? LastSnapshot => _snapshot;

    /// <inheritdoc />
    public void Report(WorkProgress value)
    {
        if (_line.Report(value)) Redraw();
    }

    /// <inheritdoc />
    public void Report(SynthesisSnapshot value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _snapshot = value;
        // The last snapshot of a run is always drawn, so the display never stops on an older picture.
        if (_line.RedrawDue() || value.Step == value.Steps) Redraw();
    }

    /// <summary>Replaces the bar by a final line and keeps the last pictures.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        try { _display.Update(new HtmlString(Render(done: true))); }
        catch (Exception) { } // a display that can no longer be updated must not hide the run's own outcome
    }

    void Redraw()
    {
        try { _display.Update(new HtmlString(Render(done: false))); }
        catch (Exception) { }
    }

    string Render(bool done)
    {
        string pictures = "";
        if (_snapshot is { } s)
        {
            string scores = string.Join(", ", s.Scores.Select(v => v.ToString("G4", CultureInfo.InvariantCulture)));
            pictures = $"<div class=\"convvis-caption\" style=\"color:#555;font:12px sans-serif\">{Html.Escape($"step {s.Step} of {s.Steps}; objective per image: {scores}")}</div>"
                + SafeHtml.Render(s.Pictures.ToHtml);
        }
        return $"<div class=\"convvis-live-synthesis\">{_line.ToHtml(done)}{pictures}</div>";
    }
}
