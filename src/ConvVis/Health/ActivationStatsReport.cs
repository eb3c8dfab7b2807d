using System.Globalization;
using System.Text;
using ConvVis.Rendering;

namespace ConvVis;

/// <summary>The result of <see cref="ActivationStats"/>: statistics per layer, renderable as HTML.</summary>
public sealed class ActivationStatsReport : IHtmlView
{
    internal ActivationStatsReport(IReadOnlyList<LayerStats> layers, int batches, long inputs, float threshold, double nearlyDeadFraction)
    {
        Layers = layers;
        Batches = batches;
        Inputs = inputs;
        Threshold = threshold;
        NearlyDeadFraction = nearlyDeadFraction;
    }

    /// <summary>One entry per scanned layer, in model order.</summary>
    public IReadOnlyList<LayerStats> Layers { get; }

    /// <summary>Batches scanned.</summary>
    public int Batches { get; }

    /// <summary>Inputs (samples) scanned.</summary>
    public long Inputs { get; }

    /// <summary>The activity threshold used.</summary>
    public float Threshold { get; }

    /// <summary>The nearly-dead fraction used.</summary>
    public double NearlyDeadFraction { get; }

    /// <summary>The statistics of the layer called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No scanned layer has that name (the message lists them).</exception>
    public LayerStats this[string name] =>
        Layers.FirstOrDefault(l => l.Name == name)
        ?? throw new KeyNotFoundException($"No scanned layer is named '{name}'. Scanned: {string.Join(", ", Layers.Select(l => l.Name))}.");

    /// <summary>
    /// Requested layers that never ran during the scan: hooks fire only when a module is run with
    /// <c>module.call(x)</c>, so a parent whose forward uses <c>child.forward(x)</c> hides the child.
    /// </summary>
    public IReadOnlyList<string> NotFired => Layers.Where(l => l.Calls == 0).Select(l => l.Name).ToArray();

    /// <summary>Total number of dead channels over all layers.</summary>
    public int DeadCount => Layers.Sum(l => l.DeadChannels.Count);

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture,
            $"Activation statistics of {Words.Count(Layers.Count, "layer")} over {Words.Count(Inputs, "input")} ({Words.Count(Batches, "batch", "batches")}): {Words.Count(DeadCount, "dead channel")}");

    /// <summary>
    /// An HTML fragment: a table with a row per layer and, per layer, a bar chart of the fraction of
    /// zeros of every channel (dead channels in red). Charts draw with the page's plotly.js
    /// (the notebook extension loads it; <see cref="ToStandaloneHtml"/> embeds it).
    /// </summary>
    public string ToHtml()
    {
        var sb = new StringBuilder();
        sb.Append("<div class=\"convvis-activation-stats\">");
        sb.Append("<p>").Append(Html.Escape(ToString()))
          .Append(CultureInfo.InvariantCulture, $"; threshold {Threshold:G4}, nearly dead = active on fewer than {NearlyDeadFraction:P1} of inputs.</p>");
        if (Batches > 0 && NotFired.Count > 0)
            sb.Append("<p class=\"convvis-warning\">These layers never ran, so they have no statistics: ")
              .Append(Html.Escape(string.Join(", ", NotFired)))
              .Append(". Hooks fire only through <code>module.call(x)</code>; a forward method that uses <code>layer.forward(x)</code> bypasses them.</p>");
        sb.Append("<table><tr><th>layer</th><th>type</th><th>output</th><th>zeros</th><th>&le; threshold</th><th>mean</th><th>std</th><th>max</th><th>dead</th><th>nearly dead</th></tr>");
        foreach (var l in Layers)
        {
            sb.Append("<tr><td style=\"text-align:left\">").Append(Html.Escape(l.Name)).Append("</td><td>")
              .Append(Html.Escape(l.TypeName)).Append("</td><td>").Append(string.Join("&times;", l.OutputShape)).Append("</td>");
            sb.Append(CultureInfo.InvariantCulture,
                $"<td>{l.Sparsity:P1}</td><td>{l.AtOrBelowThresholdFraction:P1}</td><td>{l.Mean:G4}</td><td>{l.Std:G4}</td><td>{l.Max:G4}</td>");
            sb.Append("<td>").Append(IndexList(l.DeadChannels)).Append("</td><td>").Append(IndexList(l.NearlyDeadChannels)).Append("</td></tr>");
        }
        sb.Append("</table>");
        foreach (var l in Layers)
        {
            var channels = l.Channels.Select(c => c.Channel.ToString(CultureInfo.InvariantCulture)).ToArray();
            var zeros = l.Channels.Select(c => c.ZeroFraction).ToArray();
            var colors = l.Channels.Select(c => c.IsDead ? "#d62728" : c.IsNearlyDead ? "#ff7f0e" : "#1f77b4").ToArray();
            var chart = ChartBuilder.Bars($"{l.Name}: fraction of zeros per channel (red: dead, orange: nearly dead)",
                channels, zeros, "channel", "fraction of zeros", colors);
            sb.Append(ChartHtml.Fragment(chart));
        }
        sb.Append("</div>");
        return sb.ToString();
    }

    /// <summary>A complete, self-contained HTML page (plotly.js embedded).</summary>
    public string ToStandaloneHtml() => ChartHtml.Page("Activation statistics", ToHtml());

    /// <summary>Writes <see cref="ToStandaloneHtml"/> to a file.</summary>
    public void SaveHtml(string path) => File.WriteAllText(path, ToStandaloneHtml());

    /// <summary>
    /// A table cell for channel indices: the count and the first few; more than that fold into a &lt;details&gt; that
    /// opens to all of them, so 30 dead channels do not blow the table's width up.
    /// </summary>
    internal static string IndexList(IReadOnlyList<int> indices)
    {
        const int Shown = 6;
        if (indices.Count == 0) return "0";
        string first = string.Join(", ", indices.Take(Shown));
        if (indices.Count <= Shown) return $"{indices.Count}: {first}";
        return $"<details style=\"display:inline-block\"><summary>{indices.Count}: {first}, …</summary>" +
               $"<div style=\"max-width:28em;white-space:normal\">{string.Join(", ", indices)}</div></details>";
    }
}
