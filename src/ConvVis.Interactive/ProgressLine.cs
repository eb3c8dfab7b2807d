using System.Diagnostics;
using System.Globalization;

namespace ConvVis.Interactive;

/// <summary>
/// The progress line that <see cref="NotebookProgress"/> and <see cref="LiveSynthesis"/> show: a label, how far the
/// work is, the elapsed time and a bar; when the work is over, how it ended instead of the bar. It also decides when a
/// redraw is due (at most four times a second), since redrawing a notebook output on every step would slow the work.
/// </summary>
internal sealed class ProgressLine(string what, CancellationToken cancellationToken)
{
    readonly Stopwatch _clock = Stopwatch.StartNew();
    long _lastRedrawMs = -1000;
    string _text = "starting";
    double? _fraction;

    /// <summary>Takes the newest progress; true when the display should be redrawn now.</summary>
    public bool Report(WorkProgress value)
    {
        _text = value.Amount;
        _fraction = value.Fraction;
        return RedrawDue();
    }

    /// <summary>True at most every 250 ms; marks the redraw as done.</summary>
    public bool RedrawDue()
    {
        if (_clock.ElapsedMilliseconds - _lastRedrawMs < 250) return false;
        _lastRedrawMs = _clock.ElapsedMilliseconds;
        return true;
    }

    /// <summary>The line as HTML: with a bar while running, with the outcome once <paramref name="done"/>.</summary>
    public string ToHtml(bool done)
    {
        string seconds = _clock.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture);
        string text = $"{what}: {_text}, {seconds} s{(done ? $" ({Outcome()})" : "")}";
        string bar = done ? "" : _fraction is double f
            ? $"<progress value=\"{f.ToString("F3", CultureInfo.InvariantCulture)}\" max=\"1\" style=\"width:240px\"></progress> "
            : "<progress style=\"width:240px\"></progress> ";
        return $"<div class=\"convvis-progress\" style=\"font-family:sans-serif;font-size:12px\">{bar}{Html.Escape(text)}</div>";
    }

    /// <summary>How the work ended, as far as the line can tell: cancelled, cut short, or done.</summary>
    string Outcome() =>
        cancellationToken.IsCancellationRequested ? "stopped: the cell was cancelled"
        : _fraction is double f && f < 1 ? $"stopped at {f:P0}"
        : "finished";
}
