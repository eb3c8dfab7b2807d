using ConvVis.Capture;
using ConvVis.Health;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// Activation statistics over a dataset: per layer and channel the sparsity (fraction of zeros),
/// the fraction at or below a threshold, mean, std, min, max, a histogram, and the dead and nearly
/// dead channels.
/// </summary>
/// <remarks>
/// The scan streams: each batch runs under <c>no_grad</c> in its own dispose scope and is reduced
/// inside the layers' forward hooks to a few numbers per channel, so memory stays flat however many
/// batches there are (nothing is stored per input). The model is in eval mode during the scan and
/// every module's train/eval flag is restored after it; the hooks are removed also when the forward
/// pass throws or the scan is cancelled. Histogram ranges come from the first batch and grow by
/// doubling (exact, one pass; see <see cref="Histogram"/>).
/// </remarks>
public static class ActivationStats
{
    /// <summary>Scans <paramref name="data"/> with default options.</summary>
    /// <param name="model">The model; it is called with each batch.</param>
    /// <param name="data">The data: a tensor [N, ...] or <see cref="LabeledImages"/> (implicitly, in batches of 64), or <see cref="InputBatches.From(IEnumerable{Tensor})"/> of any other form.</param>
    /// <param name="layers">Layer names, globs or type names (see <see cref="ModelLayers.Select"/>); none: every leaf layer.</param>
    public static ActivationStatsReport Collect(nn.Module<Tensor, Tensor> model, InputBatches data, params string[] layers) =>
        Collect(model, data, new StatsOptions(), layers);

    /// <summary>Scans <paramref name="data"/>.</summary>
    /// <param name="model">The model; it is called with each batch.</param>
    /// <param name="data">The data: a tensor [N, ...] or <see cref="LabeledImages"/> (implicitly, in batches of 64), or <see cref="InputBatches.From(IEnumerable{Tensor})"/> of any other form (labels are not used).</param>
    /// <param name="options">Threshold, histogram bins, batch limit, progress, cancellation.</param>
    /// <param name="layers">Layer names, globs or type names (see <see cref="ModelLayers.Select"/>); none: every leaf layer.</param>
    /// <exception cref="ArgumentException">A layer pattern matches nothing (the message names the closest layer), or a layer cannot be hooked.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; the model is left as it was.</exception>
    public static ActivationStatsReport Collect(nn.Module<Tensor, Tensor> model, InputBatches data, StatsOptions options, params string[] layers) =>
        Scan(model, data, options, layers);

    static ActivationStatsReport Scan(nn.Module<Tensor, Tensor> model, InputBatches batches, StatsOptions options, string[] layers)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(layers);
        if (options.MaxBatches is < 0) throw new ArgumentOutOfRangeException(nameof(options), "MaxBatches must not be negative.");
        StatsOptions.CheckThreshold(options.Threshold, nameof(options));
        if (options.NearlyDeadFraction is < 0 or > 1 || double.IsNaN(options.NearlyDeadFraction)) throw new ArgumentOutOfRangeException(nameof(options), "NearlyDeadFraction must be in [0, 1].");
        int bins = Math.Max(2, options.HistogramBins + options.HistogramBins % 2);

        var selected = layers.Length == 0 ? ModelLayers.Leaves(model) : ModelLayers.Select(model, layers);
        var accumulators = new List<LayerAccumulator>();
        int? total = batches.Count;
        if (options.MaxBatches is int max) total = total is int t ? Math.Min(t, max) : max;

        options.CancellationToken.ThrowIfCancellationRequested();
        using (var hooks = new HookSet())
        using (new ModelModeGuard(model))
        using (no_grad())
        {
            foreach (var (name, module) in selected)
            {
                if (module is not nn.Module<Tensor, Tensor> hookable)
                    throw new ArgumentException(
                        $"Layer '{name}' ({ModelLayers.TypeName(module)}) does not map one tensor to one tensor, so its output cannot be summarised. Choose its tensor-to-tensor sublayers instead.",
                        nameof(layers));
                var acc = new LayerAccumulator(name, ModelLayers.TypeName(module), options.Threshold, bins);
                accumulators.Add(acc);
                hooks.AddForwardHook(hookable, (_, output) => acc.Add(output));
            }

            int done = 0;
            long inputs = 0;
            using var e = batches.GetEnumerator();
            while (options.MaxBatches is not int limit || done < limit)
            {
                options.CancellationToken.ThrowIfCancellationRequested();
                // Batches made while enumerating (a lazy sequence, a data loader) belong to this scope.
                using var scope = NewDisposeScope();
                if (!e.MoveNext()) break;
                var x = e.Current.Inputs;
                model.call(x); // the output is freed with the scope (never dispose it directly: it may be the input)
                done++;
                inputs += x.dim() == 0 ? 1 : x.shape[0];
                options.Progress?.Report(new WorkProgress("Activation scan", done, total, "batches") { Inputs = inputs });
            }
            return new ActivationStatsReport(accumulators.Select(a => a.ToStats(options.NearlyDeadFraction)).ToArray(),
                done, inputs, options.Threshold, options.NearlyDeadFraction);
        }
    }
}
