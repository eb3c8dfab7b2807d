using System.Reflection;

namespace ConvVis;

/// <summary>
/// The plotly.js bundle (plotly.js-basic-dist-min, MIT) embedded in this assembly, so charts draw
/// with no network: no CDN, also in exported or offline HTML.
/// </summary>
/// <remarks>
/// Chart HTML from <see cref="ChartHtml"/> expects a global <c>Plotly</c>: emit
/// <see cref="ScriptTag"/> once per page (or once per notebook session) before or after the charts;
/// charts wait a while for it to appear.
/// </remarks>
internal static class PlotlyJs
{
    const string ResourceName = "ConvVis.Charts.plotly-basic.min.js";
    static readonly Lazy<string> Bundle = new(Load);

    /// <summary>The version of the embedded bundle.</summary>
    public static string Version { get; } = "2.35.3";

    /// <summary>The bundle's JavaScript source.</summary>
    public static string Source => Bundle.Value;

    /// <summary>
    /// A <c>&lt;script&gt;</c> element that defines the global <c>Plotly</c> from the embedded bundle,
    /// unless a page already has it. AMD and CommonJS loaders (Jupyter's require.js) are hidden from
    /// the bundle while it runs, so it always becomes <c>window.Plotly</c> rather than an anonymous module.
    /// </summary>
    public static string ScriptTag() =>
        "<script type=\"text/javascript\">\n" +
        "if (typeof window.Plotly === 'undefined') {\n" +
        "(function (define, exports, module) {\n" +
        Source.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase) +
        "\n}).call(window);\n}\n</script>";

    static string Load()
    {
        // This file is also compiled into ConvVis.Interactive (a linked source); the bundle is embedded once, in ConvVis.
        Assembly convVis = typeof(IHtmlView).Assembly;
        using var stream = convVis.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException(
                $"The plotly.js bundle ({ResourceName}) is missing from {convVis.GetName().Name}; the build fetches it with npm (see ConvVis.csproj, target FetchPlotlyJs).");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
