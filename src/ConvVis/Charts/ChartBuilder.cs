using XPlot.Plotly;

namespace ConvVis;

/// <summary>One line on a line chart: a name and its points.</summary>
/// <param name="Name">Legend entry (user data is fine: it is escaped when rendered).</param>
/// <param name="X">X values.</param>
/// <param name="Y">Y values (NaN leaves a gap).</param>
internal sealed record ChartSeries(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y);

/// <summary>
/// Small XPlot.Plotly chart builders for the health reports. Render the result with
/// <see cref="ChartHtml.Fragment"/> (offline; XPlot's own HTML loads plotly.js from a CDN).
/// </summary>
internal static class ChartBuilder
{
    /// <summary>A bar chart of one value per category.</summary>
    /// <param name="title">Chart title.</param>
    /// <param name="categories">Bar labels.</param>
    /// <param name="values">Bar heights.</param>
    /// <param name="xTitle">X axis title.</param>
    /// <param name="yTitle">Y axis title.</param>
    /// <param name="colors">Optional colour per bar (CSS colours).</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    public static PlotlyChart Bars(string title, IReadOnlyList<string> categories, IReadOnlyList<double> values,
        string xTitle = "", string yTitle = "", IReadOnlyList<string>? colors = null, int width = 640, int height = 300)
    {
        ArgumentNullException.ThrowIfNull(categories);
        ArgumentNullException.ThrowIfNull(values);
        if (categories.Count != values.Count)
            throw new ArgumentException($"{categories.Count} categories but {values.Count} values.", nameof(values));
        var bar = new Bar { x = categories.ToArray(), y = values.ToArray(), name = title };
        if (colors is not null) bar.marker = new Marker { color = colors.ToArray() };
        return Finish(Chart.Plot(bar, Layout(title, xTitle, yTitle, categoryX: true)), width, height);
    }

    /// <summary>A line chart with one line per series (with markers, so single points show).</summary>
    /// <param name="title">Chart title.</param>
    /// <param name="series">The lines.</param>
    /// <param name="xTitle">X axis title.</param>
    /// <param name="yTitle">Y axis title.</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    public static PlotlyChart Lines(string title, IEnumerable<ChartSeries> series, string xTitle = "", string yTitle = "",
        int width = 640, int height = 300)
    {
        ArgumentNullException.ThrowIfNull(series);
        var traces = series.Select(s => new Scatter { x = s.X.ToArray(), y = s.Y.ToArray(), name = s.Name, mode = "lines+markers" }).ToArray();
        var layout = Layout(title, xTitle, yTitle, categoryX: false);
        layout.showlegend = true;
        return Finish(Chart.Plot(traces, layout), width, height);
    }

    /// <summary>A histogram drawn as bars at the bin centres.</summary>
    /// <param name="title">Chart title.</param>
    /// <param name="histogram">The histogram.</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    public static PlotlyChart HistogramBars(string title, Histogram histogram, int width = 640, int height = 260)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        var x = Enumerable.Range(0, histogram.Counts.Count).Select(histogram.Center).ToArray();
        var bar = new Bar { x = x, y = histogram.Counts.ToArray(), name = title };
        var layout = Layout(title, "value", "count", categoryX: false);
        layout.bargap = 0;
        return Finish(Chart.Plot(bar, layout), width, height);
    }

    static Layout.Layout Layout(string title, string xTitle, string yTitle, bool categoryX) => new()
    {
        title = title ?? "",
        xaxis = new Xaxis { title = xTitle ?? "", type = categoryX ? "category" : "linear" },
        // Every ConvVis chart plots counts, fractions or scores: never below zero, so an all-zero series sits on the
        // axis instead of in the middle of a -1..1 range.
        yaxis = new Yaxis { title = yTitle ?? "", rangemode = "nonnegative" },
        margin = new Margin { l = 60, r = 20, t = 40, b = 50 },
    };

    static PlotlyChart Finish(PlotlyChart chart, int width, int height)
    {
        chart.WithWidth(width);
        chart.WithHeight(height);
        return chart;
    }
}
