using ConvVis.Capture;
using ConvVis.Health;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// Finds dead filters: channels whose activation is never above a threshold for any input of a
/// dataset (CS231n: "activation maps that are all zero for many different inputs ... can indicate
/// dead filters, and can be a symptom of high learning rates"). For every layer with dead channels
/// the report shows their indices, their filters (from the convolution that produces them) and
/// their empty activation maps on an example input, with a hint about the usual causes.
/// </summary>
public static class DeadFilters
{
    /// <summary>Scans <paramref name="data"/> and reports the dead channels of each layer.</summary>
    /// <param name="model">The model.</param>
    /// <param name="data">The data: a tensor [N, ...] or <see cref="LabeledImages"/> (implicitly, in batches of 64), or <see cref="InputBatches.From(IEnumerable{Tensor})"/> of any other form.</param>
    /// <param name="options">The threshold (a channel is dead when none of its values is above it; default 0), batch limit, progress, cancellation.</param>
    /// <param name="layers">Layers to check (names, globs, types); none: every ReLU-like module, or every Conv2d if there is none.</param>
    public static DeadFiltersReport Find(nn.Module<Tensor, Tensor> model, InputBatches data, StatsOptions? options = null, params string[] layers)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(layers);
        options ??= new StatsOptions();
        var chosen = layers.Length > 0 ? layers : HealthLayers.Default(model);
        if (chosen.Length == 0) throw new ArgumentException("The model has no ReLU-like or Conv2d modules; name the layers to check.", nameof(layers));
        Tensor? example = null;
        try
        {
            var stats = ActivationStats.Collect(model, data.Observe(b => example ??= FirstSample(b.Inputs)), options, chosen);
            return FromStats(model, stats, example);
        }
        finally
        {
            example?.Dispose();
        }
    }

    /// <summary>
    /// Builds the report from statistics already collected (e.g. by <see cref="ActivationStats.Collect(nn.Module{Tensor, Tensor}, InputBatches, string[])"/>).
    /// </summary>
    /// <param name="model">The model the statistics are from.</param>
    /// <param name="stats">The statistics.</param>
    /// <param name="example">An input [1, ...] to show the (empty) activation maps of the dead channels on; null: no maps.</param>
    public static DeadFiltersReport FromStats(nn.Module<Tensor, Tensor> model, ActivationStatsReport stats, Tensor? example = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stats);
        var all = ModelLayers.All(model);
        var withDead = stats.Layers.Where(l => l.DeadChannels.Count > 0).ToList();
        var maps = new Dictionary<string, Tensor>();
        using var recorder = example is not null && withDead.Count > 0
            ? RecordExample(model, example, withDead.Select(l => l.Name).ToArray()) : null;
        var layers = new List<DeadFilterLayer>();
        foreach (var l in stats.Layers)
        {
            var (convName, conv) = SourceConv(all, l);
            FilterGrid? filters = null;
            Mosaic? tiles = null;
            if (l.DeadChannels.Count > 0)
            {
                if (conv?.weight is { } w && w.dim() == 4)
                {
                    using var scope = NewDisposeScope();
                    using var idx = tensor(l.DeadChannels.Select(i => (long)i).ToArray());
                    filters = FilterGrid.Of(w.detach().index_select(0, idx),
                        new FilterGridOptions { Title = $"{convName}: filters of the dead channels {ShortList(l.DeadChannels)}", MaxFilters = 64 });
                }
                if (recorder is not null && recorder[l.Name] is { } a && a.dim() == 4)
                {
                    tiles = Mosaic.Of(a, new MosaicOptions
                    {
                        Channels = l.DeadChannels.ToArray(),
                        MaxChannels = 64,
                        Title = $"{l.Name}: activation maps of the dead channels on an example input",
                    });
                }
            }
            layers.Add(new DeadFilterLayer(l, convName, filters, tiles));
        }
        return new DeadFiltersReport(layers, stats);
    }

    /// <summary>Why filters usually die, and what to try, when nothing is known of the layers' history.</summary>
    public const string Hint =
        "A channel that never fires gets no gradient and cannot recover. If these channels were alive earlier in training, " +
        "the usual cause is a learning rate that is too high (a large update pushed the filter's weights or bias so far negative " +
        "that its ReLU never fires again): try a lower learning rate or warm-up. If the net is untrained, or they were dead from " +
        "the start, the cause is the initialisation or a large negative bias: try Kaiming/He initialisation, batch normalisation, " +
        "or LeakyReLU. A TrainingMonitor that watched the training tells which: report.WithHistory(monitor).";

    /// <summary>The hint for channels a <see cref="TrainingMonitor"/> saw alive earlier: they died during training.</summary>
    internal const string DiedDuringTraining =
        "died during training (the monitor saw them alive earlier): the mark of a learning rate that is too high, where a large " +
        "update pushes a filter's weights or bias so far negative that its ReLU never fires again and gets no gradient to recover. " +
        "Try a lower learning rate or warm-up, LeakyReLU, batch normalisation, or re-initialising the dead filters.";

    /// <summary>The hint for channels that were already dead at the monitor's first record.</summary>
    internal const string DeadFromTheStart =
        "already dead at the monitor's first record, before training could change them: the cause is the initialisation " +
        "or a large negative bias, not the learning rate. Try Kaiming/He initialisation, zero biases, batch normalisation or LeakyReLU.";

    static ActivationRecorder RecordExample(nn.Module<Tensor, Tensor> model, Tensor example, string[] names)
    {
        var recorder = ActivationRecorder.Attach(model, names);
        try
        {
            using var mode = new ModelModeGuard(model);
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            model.call(example);
            return recorder;
        }
        catch
        {
            recorder.Dispose();
            throw;
        }
    }

    /// <summary>A copy of the first input of a batch that outlives the scan's per-batch scope; null for an empty batch.</summary>
    static Tensor? FirstSample(Tensor batch) =>
        batch.dim() > 0 && batch.shape[0] > 0 ? batch.narrow(0, 0, 1).detach().clone().DetachFromDisposeScope() : null;

    /// <summary>The conv whose output channels the layer shows: itself, or the nearest Conv2d before it with as many output channels.</summary>
    static (string? Name, Conv2d? Conv) SourceConv(IReadOnlyList<(string Name, nn.Module Module)> all, LayerStats layer)
    {
        int index = -1;
        for (int i = 0; i < all.Count; i++) if (all[i].Name == layer.Name) { index = i; break; }
        if (index < 0) return (null, null);
        for (int i = index; i >= 0; i--)
        {
            if (all[i].Module is Conv2d c)
                return c.out_channels == layer.Channels.Count ? (all[i].Name, c) : (null, null);
        }
        return (null, null);
    }

    internal static string ShortList(IReadOnlyList<int> indices) =>
        string.Join(", ", indices.Take(16)) + (indices.Count > 16 ? $", … ({indices.Count} in all)" : "");
}
