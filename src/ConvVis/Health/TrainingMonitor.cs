using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using ConvVis.Capture;
using ConvVis.Health;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// Follows a network's health across training: call <see cref="Record"/> once per epoch (or every N
/// steps) and it measures, on a fixed probe batch, the sparsity and dead channels of the monitored
/// layers, the filter noise of every convolution, weight and activation histograms, next to the
/// loss and accuracy you pass. <see cref="ToHtml"/> shows line charts; <see cref="SaveHtml"/> writes a
/// self-contained report for console programs; <see cref="Updated"/> lets a notebook refresh a live display.
/// </summary>
/// <example>
/// <code>
/// var monitor = new TrainingMonitor(net, probe: testImages.narrow(0, 0, 256));
/// for (int epoch = 1; epoch &lt;= 10; epoch++)
/// {
///     double loss = TrainOneEpoch(net);
///     monitor.Record(epoch, loss: loss, accuracy: Evaluate(net));
/// }
/// monitor.SaveHtml("training.html");
/// </code>
/// </example>
public sealed class TrainingMonitor : IHtmlView, IDisposable
{
    readonly nn.Module<Tensor, Tensor> model;
    readonly Tensor? probe;
    readonly string[] layers;
    readonly List<TrainingMonitorEntry> entries = [];

    /// <summary>Creates a monitor.</summary>
    /// <param name="model">The model being trained.</param>
    /// <param name="probe">
    /// A fixed batch of inputs (e.g. 256 test images) for the activation statistics; the monitor keeps
    /// its own copy. Without it only filter noise, weight histograms, loss and accuracy are recorded.
    /// </param>
    /// <param name="layers">Layers whose activations to follow (names, globs or types); none: every ReLU
    /// (or LeakyReLU) module, or every Conv2d if the model has no activation modules.</param>
    public TrainingMonitor(nn.Module<Tensor, Tensor> model, Tensor? probe = null, params string[] layers)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(layers);
        this.model = model;
        this.probe = probe?.detach().clone().DetachFromDisposeScope();
        this.layers = layers.Length > 0 ? layers : HealthLayers.Default(model);
        if (this.probe is not null && layers.Length > 0) ModelLayers.Select(model, layers); // fail early on a bad name
    }

    /// <summary>Name of the step axis in charts (default "epoch").</summary>
    public string StepName { get; init; } = "epoch";

    /// <summary>The activity threshold for sparsity and dead channels (default 0).</summary>
    public float Threshold { get; init; }

    /// <summary>Bins of the weight and activation histograms (default 40).</summary>
    public int HistogramBins { get; init; } = 40;

    /// <summary>Raised after every <see cref="Record"/> (on the caller's thread).</summary>
    public event Action<TrainingMonitor>? Updated;

    /// <summary>Everything recorded so far, in order.</summary>
    public IReadOnlyList<TrainingMonitorEntry> Entries => entries;

    /// <summary>The layers whose activations are followed.</summary>
    public IReadOnlyList<string> MonitoredLayers => layers;

    /// <summary>Measures the model now and adds an entry.</summary>
    /// <param name="step">Epoch or step number (the x axis).</param>
    /// <param name="loss">Optional training loss.</param>
    /// <param name="accuracy">Optional accuracy in [0, 1].</param>
    /// <returns>The new entry.</returns>
    public TrainingMonitorEntry Record(double step, double? loss = null, double? accuracy = null)
    {
        var sparsity = new Dictionary<string, double>();
        var dead = new Dictionary<string, int>();
        var activations = new Dictionary<string, Histogram>();
        if (probe is not null && layers.Length > 0)
        {
            var stats = ActivationStats.Collect(model, InputBatches.From(new[] { probe }), new StatsOptions { Threshold = Threshold, HistogramBins = HistogramBins }, layers);
            foreach (var l in stats.Layers)
            {
                sparsity[l.Name] = l.Sparsity;
                dead[l.Name] = l.DeadChannels.Count;
                activations[l.Name] = l.Histogram;
            }
        }
        var noise = FilterNoise.OfAll(model).ToDictionary(p => p.Key, p => p.Value.LayerScore);
        var weights = new Dictionary<string, Histogram>();
        foreach (var (name, module) in ModelLayers.All(model))
        {
            Tensor? w = module switch { Conv2d c => c.weight, Linear l => l.weight, _ => null };
            if (w is not null) weights[name] = WeightHistogram(w, HistogramBins);
        }
        var entry = new TrainingMonitorEntry(step, loss, accuracy, sparsity, dead, noise, weights, activations);
        entries.Add(entry);
        Updated?.Invoke(this);
        return entry;
    }

    /// <summary>
    /// Line charts (loss, accuracy, sparsity, dead channels and filter noise per layer) and the weight
    /// and activation histograms of the first and latest entry, as an HTML fragment (needs a global
    /// Plotly: <see cref="PlotlyJs.ScriptTag"/>).
    /// </summary>
    public string ToHtml()
    {
        var sb = new StringBuilder("<div class=\"convvis-training-monitor\">");
        if (entries.Count == 0)
            return sb.Append("<p>Training monitor: nothing recorded yet (call Record after each epoch).</p></div>").ToString();
        var x = entries.Select(e => e.Step).ToArray();
        sb.Append(CultureInfo.InvariantCulture, $"<p>Training monitor: {Words.Count(entries.Count, "record")}, last {HealthHtml.Escape(StepName)} {x[^1]:G6}.</p>");
        // Small charts side by side (two or three to a row), not ten full-width charts stacked 3,000 px tall.
        sb.Append("<div class=\"convvis-monitor-grid\" style=\"display:flex;flex-wrap:wrap;gap:4px 12px\">");
        string step = StepName;
        if (entries.Any(e => e.Loss is not null))
            sb.Append(ChartHtml.Fragment(ChartBuilder.Lines("Loss", [new ChartSeries("loss", x, entries.Select(e => e.Loss ?? double.NaN).ToArray())], step, "loss", ChartWidth, ChartHeight)));
        if (entries.Any(e => e.Accuracy is not null))
            sb.Append(ChartHtml.Fragment(ChartBuilder.Lines("Accuracy", [new ChartSeries("accuracy", x, entries.Select(e => e.Accuracy ?? double.NaN).ToArray())], step, "accuracy", ChartWidth, ChartHeight)));
        AppendPerLayer(sb, "Sparsity (fraction of zeros on the probe batch)", "fraction of zeros", e => e.Sparsity);
        AppendPerLayer(sb, "Dead channels", "dead channels", e => e.DeadCounts.ToDictionary(p => p.Key, p => (double)p.Value));
        AppendPerLayer(sb, $"Filter noise (above {FilterNoiseReport.DefaultThreshold} looks noisy)", "noise score", e => e.FilterNoise);
        AppendHistograms(sb, "weights", e => e.WeightHistograms);
        AppendHistograms(sb, "activations", e => e.ActivationHistograms);
        return sb.Append("</div></div>").ToString();
    }

    /// <summary>A complete, self-contained HTML page (plotly.js embedded, no network needed).</summary>
    public string ToStandaloneHtml() => ChartHtml.Page("Training monitor", ToHtml());

    /// <summary>Writes <see cref="ToStandaloneHtml"/> to a file.</summary>
    /// <param name="path">The file to write.</param>
    public void SaveHtml(string path) => File.WriteAllText(path, ToStandaloneHtml());

    const int ChartWidth = 440, ChartHeight = 240;

    void AppendPerLayer(StringBuilder sb, string title, string yTitle, Func<TrainingMonitorEntry, IReadOnlyDictionary<string, double>> pick)
    {
        var names = entries.SelectMany(e => pick(e).Keys).Distinct().ToArray();
        if (names.Length == 0) return;
        var series = names.Select(n => new ChartSeries(n, entries.Select(e => e.Step).ToArray(),
            entries.Select(e => pick(e).TryGetValue(n, out var v) ? v : double.NaN).ToArray()));
        sb.Append(ChartHtml.Fragment(ChartBuilder.Lines(title, series, StepName, yTitle, ChartWidth, ChartHeight)));
    }

    void AppendHistograms(StringBuilder sb, string what, Func<TrainingMonitorEntry, IReadOnlyDictionary<string, Histogram>> pick)
    {
        var first = entries[0];
        var last = entries[^1];
        foreach (var name in pick(last).Keys)
        {
            var series = new List<ChartSeries>();
            foreach (var e in entries.Count > 1 ? new[] { first, last } : new[] { last })
            {
                if (!pick(e).TryGetValue(name, out var h)) continue;
                var centers = Enumerable.Range(0, h.Counts.Count).Select(h.Center).ToArray();
                series.Add(new ChartSeries($"{StepName} {e.Step.ToString("G6", CultureInfo.InvariantCulture)}", centers, h.Counts.Select(c => (double)c).ToArray()));
            }
            sb.Append(ChartHtml.Fragment(ChartBuilder.Lines($"{name}: {what}", series, "value", "count", ChartWidth, ChartHeight)));
        }
    }

    /// <summary>Frees the monitor's copy of the probe batch.</summary>
    public void Dispose() => probe?.Dispose();

    static Histogram WeightHistogram(Tensor weight, int bins)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var w = MemoryMarshal.Cast<byte, float>(weight.detach().to(ScalarType.Float32).cpu().contiguous().bytes);
        float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
        foreach (float v in w) { if (v < lo) lo = v; if (v > hi) hi = v; }
        if (!(hi > lo)) { lo -= 0.5f; hi += 0.5f; }
        var counts = new long[bins];
        double width = (hi - (double)lo) / bins;
        foreach (float v in w) counts[Math.Clamp((int)((v - lo) / width), 0, bins - 1)]++;
        return new Histogram(lo, hi, counts);
    }
}
