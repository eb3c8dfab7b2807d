using System.Globalization;
using System.Text;
using XPlot.Plotly;

namespace ConvVis;

/// <summary>How <see cref="AccuracyByAttribute"/> cuts the attribute's range into bins.</summary>
public enum AttributeBinning
{
    /// <summary>Bins of equal width between the smallest and the largest value.</summary>
    EqualWidth,

    /// <summary>Bins holding about equally many inputs (edges at quantiles; tied edges merge, so there may be fewer bins).</summary>
    Quantile,
}

/// <summary>One bin of an attribute: its range, how many inputs fell into it and how many of those were predicted right.</summary>
/// <param name="Low">Lower edge (included).</param>
/// <param name="High">Upper edge (excluded, except for the last bin).</param>
/// <param name="Count">Inputs in the bin.</param>
/// <param name="Correct">Of those, predicted right.</param>
public sealed record AttributeBin(double Low, double High, int Count, int Correct)
{
    /// <summary>Correct / Count; NaN for an empty bin.</summary>
    public double Accuracy => Count == 0 ? double.NaN : (double)Correct / Count;
}

/// <summary>
/// Accuracy and count per bin of a per-input attribute (brightness, object size, any user column): where along the
/// attribute the model fails. Shows as a chart (bars: count; line: accuracy) and a table.
/// </summary>
public sealed class AccuracyByAttribute : IHtmlView
{
    AccuracyByAttribute(string attribute, AttributeBinning binning, IReadOnlyList<AttributeBin> bins, int ignored)
    {
        Attribute = attribute; Binning = binning; Bins = bins; Ignored = ignored;
    }

    /// <summary>The attribute's name.</summary>
    public string Attribute { get; }

    /// <summary>How the bins were cut.</summary>
    public AttributeBinning Binning { get; }

    /// <summary>The bins, by increasing attribute.</summary>
    public IReadOnlyList<AttributeBin> Bins { get; }

    /// <summary>Inputs left out because their attribute was NaN or infinite.</summary>
    public int Ignored { get; }

    /// <summary>Accuracy over all binned inputs.</summary>
    public double OverallAccuracy => Bins.Sum(b => b.Count) is int n && n > 0 ? (double)Bins.Sum(b => b.Correct) / n : double.NaN;

    /// <summary>Bins <paramref name="values"/> and counts the right predictions in each.</summary>
    /// <param name="values">The attribute of each input.</param>
    /// <param name="correct">Whether each input was predicted right (same length).</param>
    /// <param name="bins">Number of bins (1..1000).</param>
    /// <param name="binning">Equal-width or quantile bins.</param>
    /// <param name="attribute">The attribute's name for the chart (escaped).</param>
    /// <exception cref="ArgumentException">The lists differ in length, or no value is finite.</exception>
    public static AccuracyByAttribute Of(IReadOnlyList<double> values, IReadOnlyList<bool> correct, int bins = 10,
        AttributeBinning binning = AttributeBinning.EqualWidth, string attribute = "attribute")
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(correct);
        ArgumentNullException.ThrowIfNull(attribute);
        if (values.Count != correct.Count)
            throw new ArgumentException($"{values.Count} attribute values but {correct.Count} right/wrong flags; give one of each per input.", nameof(correct));
        if (bins is < 1 or > 1000) throw new ArgumentOutOfRangeException(nameof(bins), bins, "The number of bins must be in 1..1000.");
        var finite = Enumerable.Range(0, values.Count).Where(i => double.IsFinite(values[i])).ToArray();
        if (finite.Length == 0) throw new ArgumentException("No attribute value is finite; there is nothing to bin.", nameof(values));
        var sorted = finite.Select(i => values[i]).Order().ToArray();
        double[] edges = binning == AttributeBinning.EqualWidth
            ? Enumerable.Range(0, bins + 1).Select(i => i == bins ? sorted[^1] : sorted[0] + (sorted[^1] - sorted[0]) * i / bins).ToArray()
            : Enumerable.Range(0, bins + 1).Select(i => Quantile(sorted, (double)i / bins)).Distinct().ToArray();
        if (edges.Length == 1) edges = [edges[0], edges[0]];
        int n = edges.Length - 1;
        var counts = new int[n];
        var rights = new int[n];
        foreach (int i in finite)
        {
            // The bin whose [low, high) holds the value; the largest value goes into the last bin.
            int b = Array.BinarySearch(edges, values[i]);
            b = b >= 0 ? Math.Min(b, n - 1) : Math.Min(~b - 1, n - 1);
            counts[b]++;
            if (correct[i]) rights[b]++;
        }
        var result = Enumerable.Range(0, n).Select(b => new AttributeBin(edges[b], edges[b + 1], counts[b], rights[b])).ToArray();
        return new AccuracyByAttribute(attribute, binning, result, values.Count - finite.Length);
    }

    /// <summary>The linearly interpolated quantile of sorted values (the "type 7" rule of R and NumPy).</summary>
    static double Quantile(double[] sorted, double q)
    {
        double h = (sorted.Length - 1) * q;
        int lo = (int)Math.Floor(h);
        return lo >= sorted.Length - 1 ? sorted[^1] : sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]);
    }

    /// <summary>Bars of the count per bin (right axis) and a line of the accuracy (left axis, 0..1).</summary>
    public PlotlyChart Chart()
    {
        var labels = Bins.Select(b => Range(b)).ToArray();
        var bars = new Bar { x = labels, y = Bins.Select(b => (double)b.Count).ToArray(), name = "count", yaxis = "y2", opacity = 0.35 };
        var line = new Scatter { x = labels, y = Bins.Select(b => b.Accuracy).ToArray(), name = "accuracy", mode = "lines+markers" };
        var layout = new Layout.Layout
        {
            title = $"Accuracy by {Attribute}",
            xaxis = new Xaxis { title = $"{Attribute} ({(Binning == AttributeBinning.EqualWidth ? "equal-width" : "quantile")} bins)", type = "category" },
            yaxis = new Yaxis { title = "accuracy", range = new[] { 0.0, 1.0 } },
            yaxis2 = new Yaxis { title = "count", overlaying = "y", side = "right", rangemode = "nonnegative", showgrid = false },
            showlegend = true,
            margin = new Margin { l = 60, r = 60, t = 40, b = 60 },
        };
        var chart = XPlot.Plotly.Chart.Plot(new Trace[] { bars, line }, layout);
        chart.WithWidth(680);
        chart.WithHeight(320);
        return chart;
    }

    /// <summary>The chart and a table of the bins (needs plotly.js on the page, as every ConvVis chart).</summary>
    public string ToHtml()
    {
        var sb = new StringBuilder("<div class=\"convvis-accuracy\" style=\"font:12px system-ui,sans-serif\">");
        sb.Append(ChartHtml.Fragment(Chart()));
        sb.Append("<table style=\"border-collapse:collapse\"><tr><th style=\"text-align:left;padding:1px 8px\">")
          .Append(Html.Escape(Attribute)).Append("</th><th style=\"padding:1px 8px\">count</th><th style=\"padding:1px 8px\">correct</th><th style=\"padding:1px 8px\">accuracy</th></tr>");
        foreach (var b in Bins)
            sb.Append("<tr><td style=\"text-align:left;padding:1px 8px\">").Append(Html.Escape(Range(b)))
              .Append(CultureInfo.InvariantCulture, $"</td><td style=\"text-align:right;padding:1px 8px\">{b.Count:N0}</td><td style=\"text-align:right;padding:1px 8px\">{b.Correct:N0}</td><td style=\"text-align:right;padding:1px 8px\">{(b.Count == 0 ? "–" : Percent(b.Accuracy))}</td></tr>");
        sb.Append("</table>");
        sb.Append(CultureInfo.InvariantCulture, $"<div style=\"color:#555\">overall accuracy {Percent(OverallAccuracy)} over {Bins.Sum(b => b.Count):N0} inputs");
        if (Ignored > 0) sb.Append(CultureInfo.InvariantCulture, $"; {Ignored:N0} inputs without a finite {Html.Escape(Attribute)} left out");
        sb.Append("</div></div>");
        return sb.ToString();
    }

    static string Percent(double fraction) => (100 * fraction).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    static string Range(AttributeBin b) => string.Create(CultureInfo.InvariantCulture, $"{b.Low:G3}–{b.High:G3}");
}
