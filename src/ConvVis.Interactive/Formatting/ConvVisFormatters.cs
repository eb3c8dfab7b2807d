using Microsoft.DotNet.Interactive.Formatting;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Interactive.Formatting;

/// <summary>
/// The HTML formatters. They are registered as user formatters, which .NET Interactive prefers over the
/// formatters TorchSharp declares on <see cref="Tensor"/>, so ours win whatever the load order. A formatter
/// that throws fails the user's whole cell, so each one catches everything and shows an escaped note instead.
/// </summary>
static class ConvVisFormatters
{
    static bool _registered;

    public static void Register()
    {
        // Formatter.ResetToDefault() (used by tests and by some hosts) drops user formatters, so check
        // whether ours are still there rather than trusting a flag alone.
        if (_registered && Formatter.RegisteredFormatters(includeDefaults: false).Any(f => f.Type == typeof(IHtmlView))) return;
        Formatter.Register<Tensor>((tensor, context) => Write(context, () => TensorHtml.Of(tensor)), HtmlFormatter.MimeType);
        Formatter.Register<nn.Module>((module, context) => Write(context, () => ModuleHtml.Of(module)), HtmlFormatter.MimeType);
        Formatter.Register<IHtmlView>((view, context) => Write(context, () => ChartScript.For(view.ToHtml())), HtmlFormatter.MimeType);
        Formatter.Register<XPlot.Plotly.PlotlyChart>((chart, context) => Write(context, () => ChartScript.Once() + ChartHtml.Fragment(chart)), HtmlFormatter.MimeType);
        _registered = true;
    }

    static bool Write(FormatContext context, Func<string> html)
    {
        context.Writer.Write(SafeHtml.Render(html));
        return true;
    }
}
