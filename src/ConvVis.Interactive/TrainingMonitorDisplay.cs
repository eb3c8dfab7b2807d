using Microsoft.AspNetCore.Html;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Formatting;
using ConvVis.Interactive.Formatting;

namespace ConvVis.Interactive;

/// <summary>Shows a <see cref="TrainingMonitor"/> as one display in the notebook that updates after every record.</summary>
public static class TrainingMonitorDisplay
{
    /// <summary>
    /// Displays the monitor's charts now and redraws them in place each time <see cref="TrainingMonitor.Record"/> runs.
    /// Call it in the cell that trains (or before); returns the monitor for chaining.
    /// </summary>
    public static TrainingMonitor DisplayLive(this TrainingMonitor monitor)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        var context = KernelInvocationContext.Current
            ?? throw new InvalidOperationException("DisplayLive needs a running notebook cell; in a console program use monitor.SaveHtml(path).");
        // An update replaces the whole output, so when this display carries plotly.js every update must carry it
        // too, or the saved notebook would keep charts without the script that draws them.
        string script = ChartScript.Once(context);
        var display = context.Display(new HtmlString(script + SafeHtml.Render(monitor.ToHtml)), "text/html");
        monitor.Updated += m =>
        {
            // A display that can no longer be updated (the cell was cleared, the kernel is shutting down) must not
            // break the user's training loop.
            try { display.Update(new HtmlString(script + SafeHtml.Render(m.ToHtml))); }
            catch (Exception) { }
        };
        return monitor;
    }
}
