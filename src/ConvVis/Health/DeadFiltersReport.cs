using System.Globalization;
using System.Text;
using ConvVis.Rendering;

namespace ConvVis;

/// <summary>The dead channels of one layer, with their filters and activation maps.</summary>
public sealed class DeadFilterLayer
{
    internal DeadFilterLayer(LayerStats stats, string? convName, FilterGrid? filters, Mosaic? activationTiles)
    {
        Stats = stats;
        ConvName = convName;
        Filters = filters;
        ActivationTiles = activationTiles;
    }

    /// <summary>The layer's name.</summary>
    public string Name => Stats.Name;

    /// <summary>The indices of its dead channels.</summary>
    public IReadOnlyList<int> DeadChannels => Stats.DeadChannels;

    /// <summary>The layer's statistics.</summary>
    public LayerStats Stats { get; }

    /// <summary>The convolution whose filters produce these channels (the layer itself or the nearest Conv2d before it), if found.</summary>
    public string? ConvName { get; }

    /// <summary>The filters of the dead channels (null when there are none or no conv was found).</summary>
    public FilterGrid? Filters { get; }

    /// <summary>The dead channels' activation maps on an example input (null when there are none or no example).</summary>
    public Mosaic? ActivationTiles { get; }
}

/// <summary>The result of <see cref="DeadFilters"/>.Find: dead channels per layer, renderable as HTML.</summary>
public sealed class DeadFiltersReport : IHtmlView
{
    internal DeadFiltersReport(IReadOnlyList<DeadFilterLayer> layers, ActivationStatsReport stats, TrainingMonitor? history = null)
    {
        Layers = layers;
        Stats = stats;
        History = history;
    }

    /// <summary>The monitor that watched the training, if given with <see cref="WithHistory"/>: it makes the hint specific.</summary>
    public TrainingMonitor? History { get; }

    /// <summary>
    /// The same report, told the training's history: channels the monitor saw alive earlier died during training (a
    /// learning rate too high); channels dead at its first record were dead from the start (initialisation, bias).
    /// </summary>
    public DeadFiltersReport WithHistory(TrainingMonitor monitor)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        return new DeadFiltersReport(Layers, Stats, monitor);
    }

    /// <summary>Why these channels are dead and what to try, from what is known: the history when given, else both usual causes.</summary>
    public string Hint
    {
        get
        {
            if (DeadCount == 0) return "No dead channels.";
            var entries = History?.Entries;
            if (entries is not { Count: > 0 }) return DeadFilters.Hint;
            var first = entries[0];
            var parts = new List<string>();
            foreach (var l in Layers.Where(l => l.DeadChannels.Count > 0))
            {
                if (!first.DeadCounts.TryGetValue(l.Name, out int atStart))
                {
                    parts.Add($"The monitor did not watch {l.Name}. {DeadFilters.Hint}");
                    continue;
                }
                int died = Math.Max(0, l.DeadChannels.Count - atStart);
                string step = first.Step.ToString("G", CultureInfo.InvariantCulture);
                if (died > 0)
                    parts.Add($"{l.Name}: {Words.Count(died, "channel")} of its {l.DeadChannels.Count} dead {DeadFilters.DiedDuringTraining}");
                int fromStart = Math.Min(atStart, l.DeadChannels.Count);
                if (fromStart > 0)
                    parts.Add($"{l.Name}: {Words.Count(fromStart, "channel")} {(fromStart == 1 ? "was" : "were")} " +
                        DeadFilters.DeadFromTheStart.Replace("the monitor's first record", $"the monitor's first record (step {step})"));
            }
            return string.Join(" ", parts);
        }
    }

    /// <summary>Every checked layer (also those without dead channels), in model order.</summary>
    public IReadOnlyList<DeadFilterLayer> Layers { get; }

    /// <summary>The statistics the report is built from.</summary>
    public ActivationStatsReport Stats { get; }

    /// <summary>The checked layer called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No checked layer has that name (the message lists them).</exception>
    public DeadFilterLayer this[string name] =>
        Layers.FirstOrDefault(l => l.Name == name)
        ?? throw new KeyNotFoundException($"No checked layer is named '{name}'. Checked: {string.Join(", ", Layers.Select(l => l.Name))}.");

    /// <summary>Total number of dead channels.</summary>
    public int DeadCount => Layers.Sum(l => l.DeadChannels.Count);

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture,
            $"{Words.Count(DeadCount, "dead channel")} in {Layers.Count(l => l.DeadChannels.Count > 0)} of {Words.Count(Layers.Count, "layer")} over {Words.Count(Stats.Inputs, "input")} (threshold {Stats.Threshold:G4})");

    /// <summary>HTML: a summary, then per layer with dead channels their indices, filters and empty maps, and the hint.</summary>
    public string ToHtml()
    {
        var sb = new StringBuilder("<div class=\"convvis-dead-filters\">");
        sb.Append("<p><b>").Append(Html.Escape(ToString())).Append("</b></p>");
        sb.Append("<table><tr><th>layer</th><th>channels</th><th>dead</th><th>nearly dead</th></tr>");
        foreach (var l in Layers)
        {
            sb.Append("<tr><td style=\"text-align:left\">").Append(Html.Escape(l.Name)).Append("</td>")
              .Append(CultureInfo.InvariantCulture, $"<td>{l.Stats.Channels.Count}</td>")
              .Append("<td>").Append(ActivationStatsReport.IndexList(l.DeadChannels)).Append("</td>")
              .Append("<td>").Append(ActivationStatsReport.IndexList(l.Stats.NearlyDeadChannels)).Append("</td></tr>");
        }
        sb.Append("</table>");
        foreach (var l in Layers.Where(l => l.DeadChannels.Count > 0))
        {
            sb.Append("<details open><summary>").Append(Html.Escape(l.Name))
              .Append(CultureInfo.InvariantCulture, $": {l.DeadChannels.Count} dead of {Words.Count(l.Stats.Channels.Count, "channel")} — channels ")
              .Append(Html.Escape(DeadFilters.ShortList(l.DeadChannels))).Append("</summary>");
            if (l.Filters is not null) sb.Append(l.Filters.ToHtml());
            else sb.Append("<p>No convolution producing these channels was found, so no filters are shown.</p>");
            if (l.ActivationTiles is not null) sb.Append(l.ActivationTiles.ToHtml());
            sb.Append("</details>");
        }
        if (DeadCount > 0) sb.Append("<p class=\"convvis-hint\">").Append(Html.Escape(Hint)).Append("</p>");
        else sb.Append("<p>No dead channels.</p>");
        return sb.Append("</div>").ToString();
    }
}
