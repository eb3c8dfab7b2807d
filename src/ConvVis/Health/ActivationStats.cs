using ConvVis.Capture;
using ConvVis.Health;
using ConvVis.Internal;
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
    /// <summary>Scans <paramref name="batches"/> with default options.</summary>
    /// <param name="model">The model; it is called with each batch.</param>
    /// <param name="batches">Input batches [N, ...] (created lazily or not; the ones created while enumerating are disposed after use).</param>
    /// <param name="layers">Layer names, globs or type names (see <see cref="ModelLayers.Select"/>); none: every leaf layer.</param>
    public static ActivationStatsReport Collect(nn.Module<Tensor, Tensor> model, IEnumerable<Tensor> batches, params string[] layers) =>
        Collect(model, batches, new StatsOptions(), layers);

    /// <summary>Scans a whole input tensor [N, ...] in batches of <see cref="StatsOptions.BatchSize"/>.</summary>
    /// <param name="model">The model.</param>
    /// <param name="inputs">All inputs, [N, ...].</param>
    /// <param name="options">Batch size, threshold, histogram bins, batch limit, progress, cancellation.</param>
    /// <param name="layers">Layer names, globs or type names; none: every leaf layer.</param>
    public static ActivationStatsReport Collect(nn.Module<Tensor, Tensor> model, Tensor inputs, StatsOptions options, params string[] layers)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(options);
        return Collect(model, SplitBatches(inputs, options.BatchSize), options, layers);
    }

    /// <summary>Scans the images of a <see cref="LabeledImages"/> set in batches of <see cref="StatsOptions.BatchSize"/>.</summary>
    /// <param name="model">The model.</param>
    /// <param name="data">The images (labels are not used).</param>
    /// <param name="options">Batch size, threshold, histogram bins, batch limit, progress, cancellation.</param>
    /// <param name="layers">Layer names, globs or type names; none: every leaf layer.</param>
    public static ActivationStatsReport Collect(nn.Module<Tensor, Tensor> model, LabeledImages data, StatsOptions options, params string[] layers)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Collect(model, data.Images, options, layers);
    }

    /// <summary>Lazily made views of <paramref name="inputs"/> along dimension 0 (made inside the scan's per-batch scope), with a known count for progress.</summary>
    internal static IReadOnlyCollection<Tensor> SplitBatches(Tensor inputs, int batchSize)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "BatchSize must be at least 1.");
        if (inputs.dim() == 0) throw new ArgumentException("The inputs are a scalar; give a batch [N, ...].", nameof(inputs));
        return new TensorBatches(inputs, batchSize);
    }

    sealed class TensorBatches(Tensor inputs, int batchSize) : IReadOnlyCollection<Tensor>
    {
        public int Count => (int)((inputs.shape[0] + batchSize - 1) / batchSize);

        public IEnumerator<Tensor> GetEnumerator()
        {
            long n = inputs.shape[0];
            for (long start = 0; start < n; start += batchSize)
                yield return inputs.narrow(0, start, Math.Min(batchSize, n - start));
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>Scans the batches of a TorchSharp <c>DataLoader</c> (dictionaries; the input is under <see cref="StatsOptions.InputKey"/>).</summary>
    /// <param name="model">The model.</param>
    /// <param name="batches">A <c>DataLoader</c> or any sequence of dictionaries of tensors.</param>
    /// <param name="layers">Layer names, globs or type names; none: every leaf layer.</param>
    public static ActivationStatsReport Collect(nn.Module<Tensor, Tensor> model, IEnumerable<Dictionary<string, Tensor>> batches, params string[] layers) =>
        Collect(model, batches, new StatsOptions(), layers);

    /// <summary>Scans the batches of a TorchSharp <c>DataLoader</c> (dictionaries; the input is under <see cref="StatsOptions.InputKey"/>).</summary>
    /// <param name="model">The model.</param>
    /// <param name="batches">A <c>DataLoader</c> or any sequence of dictionaries of tensors.</param>
    /// <param name="options">Threshold, histogram bins, batch limit, progress, cancellation.</param>
    /// <param name="layers">Layer names, globs or type names; none: every leaf layer.</param>
    public static ActivationStatsReport Collect(nn.Module<Tensor, Tensor> model, IEnumerable<Dictionary<string, Tensor>> batches, StatsOptions options, params string[] layers)
    {
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentNullException.ThrowIfNull(options);
        return Scan(model, batches, b => b.TryGetValue(options.InputKey, out var t) ? t
            : throw new ArgumentException(
                $"A batch has no tensor under the key '{options.InputKey}' (it has: {string.Join(", ", b.Keys)}). Set StatsOptions.InputKey.",
                nameof(batches)), options, layers);
    }

    /// <summary>Scans the batches of a TorchSharp <c>DataLoader</c> over a <c>TensorDataset</c> (lists of tensors; the first is the input).</summary>
    /// <param name="model">The model.</param>
    /// <param name="batches">An <c>IterableDataLoader</c> or any sequence of tensor lists.</param>
    /// <param name="options">Threshold, histogram bins, batch limit, progress, cancellation.</param>
    /// <param name="layers">Layer names, globs or type names; none: every leaf layer.</param>
    public static ActivationStatsReport Collect(nn.Module<Tensor, Tensor> model, IEnumerable<IList<Tensor>> batches, StatsOptions options, params string[] layers) =>
        Scan(model, batches, b => b.Count > 0 ? b[0] : throw new ArgumentException("A batch is an empty list of tensors.", nameof(batches)), options, layers);

    /// <summary>Scans (images, labels) batches, e.g. <see cref="LabeledImages.LabeledBatches"/>; the labels are not used.</summary>
    /// <param name="model">The model.</param>
    /// <param name="batches">Pairs of input batch and labels.</param>
    /// <param name="options">Threshold, histogram bins, batch limit, progress, cancellation.</param>
    /// <param name="layers">Layer names, globs or type names; none: every leaf layer.</param>
    public static ActivationStatsReport Collect(nn.Module<Tensor, Tensor> model, IEnumerable<(Tensor Images, Tensor Labels)> batches, StatsOptions options, params string[] layers) =>
        Scan(model, batches, b => b.Images, options, layers);

    /// <summary>Scans <paramref name="batches"/>.</summary>
    /// <param name="model">The model; it is called with each batch.</param>
    /// <param name="batches">Input batches [N, ...].</param>
    /// <param name="options">Threshold, histogram bins, batch limit, progress, cancellation.</param>
    /// <param name="layers">Layer names, globs or type names (see <see cref="ModelLayers.Select"/>); none: every leaf layer.</param>
    /// <exception cref="ArgumentException">A layer pattern matches nothing (the message names the closest layer), or a layer cannot be hooked.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; the model is left as it was.</exception>
    public static ActivationStatsReport Collect(nn.Module<Tensor, Tensor> model, IEnumerable<Tensor> batches, StatsOptions options, params string[] layers) =>
        Scan(model, batches, b => b, options, layers);

    static ActivationStatsReport Scan<TBatch>(nn.Module<Tensor, Tensor> model, IEnumerable<TBatch> batches, Func<TBatch, Tensor> input,
        StatsOptions options, string[] layers)
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
        int? total = KnownCount(batches);
        if (options.MaxBatches is int max) total = total is int t ? Math.Min(t, max) : max;

        options.CancellationToken.ThrowIfCancellationRequested();
        using (var hooks = new HookSet())
        using (ModelStateGuard.ForInference(model, HealthLayers.CycleAdvice))
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
                var x = input(e.Current);
                model.call(x); // the output is freed with the scope (never dispose it directly: it may be the input)
                done++;
                inputs += x.dim() == 0 ? 1 : x.shape[0];
                options.Progress?.Report(new ScanProgress(done, total, inputs));
            }
            return new ActivationStatsReport(accumulators.Select(a => a.ToStats(options.NearlyDeadFraction)).ToArray(),
                done, inputs, options.Threshold, options.NearlyDeadFraction);
        }
    }

    static int? KnownCount<T>(IEnumerable<T> batches) => batches switch
    {
        ICollection<T> c => c.Count,
        IReadOnlyCollection<T> c => c.Count,
        TorchSharp.Modules.DataLoader d => (int)d.Count,
        TorchSharp.Modules.IterableDataLoader d => (int)d.Count,
        _ => null,
    };
}
