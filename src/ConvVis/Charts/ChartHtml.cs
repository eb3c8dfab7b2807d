using System.Globalization;
using System.Text;
using XPlot.Plotly;

namespace ConvVis;

/// <summary>
/// Turns an XPlot.Plotly chart into HTML that works offline: a div and a script that draws into it
/// with the page's global <c>Plotly</c> (see <see cref="PlotlyJs"/>), never a CDN.
/// </summary>
internal static class ChartHtml
{
    /// <summary>
    /// The chart as an HTML fragment (a div and a script). Unlike XPlot's own HTML, text in the chart
    /// (layer names are user data) cannot close the script, and the script waits up to 10 s for
    /// <c>Plotly</c> to be defined, then says in the div that plotly.js is missing.
    /// </summary>
    /// <param name="chart">The chart.</param>
    public static string Fragment(PlotlyChart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        string id = chart.Id;
        if (string.IsNullOrEmpty(id) || !id.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_'))
            throw new ArgumentException($"A chart id must be letters, digits, '-' or '_' (it is used in HTML and JavaScript), but is '{id}'.", nameof(chart));
        // The plotting script is "var data = <json>; var layout = <json>; Plotly.newPlot(...)": a '<'
        // can only be inside a JSON string, where \u003c means the same character.
        string plot = chart.GetPlottingJS().Replace("<", "\\u003c", StringComparison.Ordinal);
        var sb = new StringBuilder();
        // Plotly's toolbar sits over the title; show it on hover only, so static exports and screenshots read cleanly.
        sb.Append("<style>.convvis-chart .modebar-container{opacity:0;transition:opacity .2s}.convvis-chart:hover .modebar-container{opacity:1}</style>");
        sb.Append(CultureInfo.InvariantCulture,
            $"<div id=\"{id}\" class=\"convvis-chart\" style=\"width: {chart.Width}px; height: {chart.Height}px;\"></div>\n");
        sb.Append("<script type=\"text/javascript\">\n(function () {\n");
        sb.Append("  function draw() {\n").Append(plot).Append("\n  }\n");
        sb.Append("  var tries = 0;\n");
        sb.Append("  (function wait() {\n");
        sb.Append("    if (typeof window.Plotly !== 'undefined') { draw(); return; }\n");
        sb.Append("    if (++tries > 200) {\n");
        sb.Append(CultureInfo.InvariantCulture, $"      var d = document.getElementById('{id}');\n");
        sb.Append("      if (d) d.textContent = 'plotly.js is not loaded: add PlotlyJs.ScriptTag() to the page.';\n");
        sb.Append("      return;\n    }\n    setTimeout(wait, 50);\n  })();\n})();\n</script>\n");
        return sb.ToString();
    }

    /// <summary>A complete HTML page with the embedded plotly.js and the given body (trusted HTML).</summary>
    /// <param name="title">Page title (escaped here).</param>
    /// <param name="bodyHtml">The page content, e.g. fragments from <see cref="Fragment"/>.</param>
    public static string Page(string title, string bodyHtml)
    {
        ArgumentNullException.ThrowIfNull(bodyHtml);
        return "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\" />\n<title>" +
               Html.Escape(title) + "</title>\n" +
               "<style>body{font-family:sans-serif;margin:1em;} table{border-collapse:collapse;} " +
               "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right;} th{background:#f3f3f3;}</style>\n" +
               PlotlyJs.ScriptTag() + "\n</head>\n<body>\n" + bodyHtml + "\n</body>\n</html>\n";
    }
}
