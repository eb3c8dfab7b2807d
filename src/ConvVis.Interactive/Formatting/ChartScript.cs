using System.Runtime.CompilerServices;
using Microsoft.DotNet.Interactive;

namespace ConvVis.Interactive;

/// <summary>
/// plotly.js for the notebook, from the bundle embedded in ConvVis (never a CDN): emitted with the first chart of a
/// kernel session. Charts wait for it, and later outputs of the same page find the global <c>Plotly</c> it defines.
/// </summary>
static class ChartScript
{
    static readonly ConditionalWeakTable<Kernel, object> Sent = new();

    /// <summary>The script tag the first time the running kernel asks for it, then nothing.</summary>
    public static string Once(KernelInvocationContext? context = null)
    {
        var kernel = (context ?? KernelInvocationContext.Current)?.HandlingKernel?.RootKernel;
        if (kernel is null) return PlotlyJs.ScriptTag(); // no session to remember it in: always include it
        lock (Sent)
        {
            if (Sent.TryGetValue(kernel, out _)) return "";
            Sent.Add(kernel, new object());
        }
        return PlotlyJs.ScriptTag();
    }

    /// <summary>Prefixes <paramref name="html"/> with the script when it holds a chart and the script was not sent yet.</summary>
    public static string For(string html) => html.Contains("convvis-chart", StringComparison.Ordinal) ? Once() + html : html;
}
