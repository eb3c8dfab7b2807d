using System.Globalization;
using XPlot.Plotly;

namespace ConvVis;

/// <summary>
/// A t-SNE map as an interactive scatter plot (XPlot.Plotly, offline): one colour per label with a legend entry to
/// toggle it, and each point's index and label on hover.
/// </summary>
public sealed class TSneScatter : IHtmlView
{
    TSneScatter(PlotlyChart chart, int traces)
    {
        Chart = chart;
        Traces = traces;
    }

    /// <summary>The XPlot chart (to restyle before rendering).</summary>
    public PlotlyChart Chart { get; }

    /// <summary>Number of traces: one per label present, or one when the map has no labels.</summary>
    public int Traces { get; }

    /// <summary>The scatter of <paramref name="map"/>.</summary>
    /// <param name="map">A t-SNE map (its labels colour the points).</param>
    /// <param name="labelNames">Names of the label values (index = label), e.g. <see cref="LabeledImages.ClassNames"/>; null: the numbers.</param>
    /// <param name="title">Chart title.</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    public static TSneScatter Of(TSneEmbedding map, IReadOnlyList<string>? labelNames = null, string title = "t-SNE", int width = 640, int height = 560)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (width is < 100 or > 4000) throw new ArgumentOutOfRangeException(nameof(width), width, "Width must be in 100..4000 pixels.");
        if (height is < 100 or > 4000) throw new ArgumentOutOfRangeException(nameof(height), height, "Height must be in 100..4000 pixels.");
        var groups = Enumerable.Range(0, map.Count).GroupBy(i => map.Labels?[i]).OrderBy(g => g.Key ?? long.MinValue).ToList();
        var traces = groups.Select(g =>
        {
            string name = g.Key is long label ? Name(label, labelNames) : "points";
            var points = g.ToArray();
            return new Scatter
            {
                x = points.Select(map.X).ToArray(),
                y = points.Select(map.Y).ToArray(),
                mode = "markers",
                // Plotly renders legend and hover text as HTML (it decodes entities), so user text is escaped here.
                name = Html.Escape(name),
                text = points.Select(i => string.Create(CultureInfo.InvariantCulture, $"index {i}") +
                    (g.Key is null ? "" : "<br>label " + Html.Escape(name))).ToArray(),
                hoverinfo = "text",
                marker = new Marker { size = map.Count > 2000 ? 3 : 6 },
            };
        }).ToArray();
        var layout = new Layout.Layout
        {
            title = title ?? "",
            showlegend = groups.Count > 1,
            hovermode = "closest",
            xaxis = new Xaxis { showticklabels = false, zeroline = false },
            yaxis = new Yaxis { showticklabels = false, zeroline = false },
            margin = new Margin { l = 20, r = 20, t = 40, b = 20 },
        };
        var chart = XPlot.Plotly.Chart.Plot(traces, layout);
        chart.WithWidth(width);
        chart.WithHeight(height);
        return new TSneScatter(chart, traces.Length);
    }

    static string Name(long label, IReadOnlyList<string>? names) =>
        names is not null && label >= 0 && label < names.Count ? names[(int)label] : label.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public string ToHtml() => ChartHtml.Fragment(Chart);
}
