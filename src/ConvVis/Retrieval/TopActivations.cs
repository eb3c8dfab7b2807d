using System.Runtime.InteropServices;
using ConvVis.Capture;
using ConvVis.Health;
using ConvVis.Internal;
using ConvVis.Retrieval;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// The inputs of a data set that excite each unit (channel) of a layer most, with the receptive-field patch around
/// each one's maximum: the "max-activating images and patches" of Zeiler and Fergus and of the CS231n notes.
/// </summary>
/// <remarks>
/// One streaming pass: each batch runs under <c>no_grad</c> in its own dispose scope, the layer's output is reduced in
/// a forward hook to one value (and the maximum's location) per input and unit, and each unit keeps a bounded heap of
/// its k best; an image is copied out only while it is among some unit's k best, so memory does not grow with the data
/// set. The model is in eval mode during the scan and every module's mode is restored after it; the hook is removed
/// also on an exception or cancellation.
/// </remarks>
public static class TopActivations
{
    /// <summary>The top <paramref name="k"/> inputs of each of <paramref name="channels"/> of <paramref name="layer"/>, ranked by their maximum.</summary>
    /// <param name="model">The model; it is called with each batch.</param>
    /// <param name="layer">The layer's dotted name.</param>
    /// <param name="channels">The channels (units) to rank for; null: all.</param>
    /// <param name="data">Image batches [N, C, H, W] (a tensor, <see cref="LabeledImages"/>, batches, a DataLoader).</param>
    /// <param name="k">Inputs per unit.</param>
    public static TopActivationsResult Find(nn.Module<Tensor, Tensor> model, string layer, IReadOnlyList<int>? channels, InputBatches data, int k = 9) =>
        Find(model, layer, channels, data, new TopActivationsOptions { K = k });

    /// <summary>The top inputs of each of <paramref name="channels"/> of <paramref name="layer"/>.</summary>
    /// <param name="model">The model; it is called with each batch.</param>
    /// <param name="layer">The layer's dotted name.</param>
    /// <param name="channels">The channels (units) to rank for; null: all.</param>
    /// <param name="data">Image batches [N, C, H, W] (a tensor, <see cref="LabeledImages"/>, batches, a DataLoader).</param>
    /// <param name="options">k, ranking, batch limit, class names, progress, cancellation.</param>
    /// <exception cref="ArgumentException">No such layer (the message names the closest), a channel outside the layer's range (the message gives it), or the inputs are not image batches.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; the model is left as it was.</exception>
    public static TopActivationsResult Find(nn.Module<Tensor, Tensor> model, string layer, IReadOnlyList<int>? channels, InputBatches data, TopActivationsOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(layer);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        if (options.K < 1) throw new ArgumentOutOfRangeException(nameof(options), options.K, "K must be at least 1.");
        if (options.MaxBatches is < 0) throw new ArgumentOutOfRangeException(nameof(options), "MaxBatches must not be negative.");
        var target = ModelLayers.Get(model, layer) as nn.Module<Tensor, Tensor> ?? throw new ArgumentException(
            $"Layer '{layer}' does not map one tensor to one tensor, so its units cannot be ranked; pick a convolution or activation layer.", nameof(layer));
        var token = options.CancellationToken;
        token.ThrowIfCancellationRequested();
        int? total = data.Count;
        if (options.MaxBatches is int max) total = total is int t ? Math.Min(t, max) : max;

        if (options.MaxChannels is < 1) throw new ArgumentOutOfRangeException(nameof(options), options.MaxChannels, "MaxChannels must be at least 1 (or null for all).");
        var scan = new Scan(layer, channels, options.K, options.Ranking, options.MaxChannels);
        using var hooks = new HookSet();
        using var mode = ModelStateGuard.ForInference(model, "Remove the registration that makes the model contain itself.");
        using var noGrad = no_grad();
        int done = 0;
        long inputs = 0;
        using var e = data.GetEnumerator();
        while (options.MaxBatches is not int limit || done < limit)
        {
            token.ThrowIfCancellationRequested();
            // Batches made while enumerating (a lazy sequence, a data loader) belong to this scope.
            using var scope = NewDisposeScope();
            if (!e.MoveNext()) break;
            var batch = e.Current;
            var x = batch.Inputs;
            if (x.dim() != 4)
                throw new ArgumentException($"TopActivations needs image batches [N, C, H, W]; batch {done} has shape [{string.Join(", ", x.shape)}].", nameof(data));
            if (done == 0)
            {
                scan.TraceField(model, x.shape);
                hooks.AddForwardHook(target, (_, output) => scan.Add(output));
            }
            scan.Begin(x, batch.Labels, inputs);
            model.call(x); // the output is freed with the scope
            if (!scan.Seen)
                throw new ArgumentException($"Layer '{layer}' did not run in the forward pass (a module called through forward() instead of call() fires no hook), so its units cannot be ranked.", nameof(layer));
            done++;
            inputs += x.shape[0];
            options.Progress?.Report(new WorkProgress("Top activations", done, total, "batches") { Inputs = inputs });
        }
        return scan.Result(inputs, done, options.ClassNames);
    }

    /// <summary>The state of one scan: the heaps, the images they refer to, the current batch.</summary>
    sealed class Scan(string layer, IReadOnlyList<int>? channels, int k, UnitRanking ranking, int? maxChannels)
    {
        int[] _channels = [];
        UnitHeap[] _heaps = [];
        readonly Dictionary<long, (StoredImage Image, long? Label, int Uses)> _images = [];
        ReceptiveField? _field;
        string? _fieldProblem;
        bool _spatial;
        Tensor? _batch;
        long[]? _labels;
        long _first;

        public bool Seen { get; private set; }

        public void TraceField(nn.Module<Tensor, Tensor> model, long[] shape)
        {
            try
            {
                _field = ReceptiveField.Of(model, layer, 1, shape[1], shape[2], shape[3]);
            }
            catch (NotSupportedException ex)
            {
                _fieldProblem = ex.Message;
            }
        }

        public void Begin(Tensor x, Tensor? labels, long first)
        {
            _batch = x;
            _labels = labels is null ? null : labels.to(ScalarType.Int64).cpu().data<long>().ToArray();
            _first = first;
            Seen = false;
        }

        public void Add(Tensor output)
        {
            if (Seen) return; // a module called twice in one pass: the first call is the layer's output
            Seen = true;
            if (output.dim() is not (2 or 4))
                throw new ArgumentException($"Layer '{layer}' gives shape [{string.Join(", ", output.shape)}]; TopActivations ranks channels of [N, C, H, W] maps or [N, C] vectors.");
            if (_heaps.Length == 0)
            {
                _spatial = output.dim() == 4;
                Choose((int)output.shape[1]);
            }
            using var scope = NewDisposeScope();
            var sel = output.detach();
            // A run of consecutive channels is a view (narrow); only a scattered choice needs a copy.
            bool run = _channels.Select((c, i) => c - i).Distinct().Count() == 1;
            sel = run ? sel.narrow(1, _channels[0], _channels.Length)
                : sel.index_select(1, tensor(_channels.Select(c => (long)c).ToArray(), device: output.device));
            if (sel.dtype != ScalarType.Float32) sel = sel.to(ScalarType.Float32);
            long n = sel.shape[0];
            int units = _channels.Length, width = _spatial ? (int)output.shape[3] : 1;
            Tensor score, where;
            if (_spatial)
            {
                var flat = sel.flatten(2);
                var (maxima, argmax) = flat.max(2);
                score = ranking == UnitRanking.Max ? maxima : flat.mean([2]);
                where = argmax;
            }
            else
            {
                score = sel;
                where = zeros([n, units], ScalarType.Int64);
            }
            var values = MemoryMarshal.Cast<byte, float>(score.cpu().contiguous().bytes).ToArray();
            var places = MemoryMarshal.Cast<byte, long>(where.cpu().contiguous().bytes).ToArray();
            for (int i = 0; i < n; i++)
            {
                long id = _first + i;
                for (int u = 0; u < units; u++)
                {
                    float v = values[i * units + u];
                    if (!_heaps[u].Admits(v, id)) continue;
                    long p = places[i * units + u];
                    Keep(id, i);
                    if (_heaps[u].Add(new Candidate(v, id, (int)(p / width), (int)(p % width))) is Candidate pushedOut) Release(pushedOut.Index);
                }
            }
        }

        void Choose(int available)
        {
            var list = channels?.ToArray() ?? Enumerable.Range(0, Math.Min(available, maxChannels ?? available)).ToArray();
            if (list.Length == 0) throw new ArgumentException("The channel list is empty; give at least one channel.", nameof(channels));
            foreach (int c in list)
                if (c < 0 || c >= available)
                    throw new ArgumentException($"Channel {c} is out of range: layer '{layer}' has {available} channels (0-{available - 1}).", nameof(channels));
            if (list.Distinct().Count() != list.Length) throw new ArgumentException("A channel is listed twice.", nameof(channels));
            _channels = list;
            _heaps = list.Select(_ => new UnitHeap(k)).ToArray();
        }

        void Keep(long id, int row)
        {
            if (_images.TryGetValue(id, out var kept)) { _images[id] = kept with { Uses = kept.Uses + 1 }; return; }
            _images[id] = (StoredImage.Of(_batch![row]), _labels?[row], 1);
        }

        void Release(long id)
        {
            var kept = _images[id];
            if (kept.Uses == 1) _images.Remove(id);
            else _images[id] = kept with { Uses = kept.Uses - 1 };
        }

        public TopActivationsResult Result(long inputs, int batches, IReadOnlyList<string>? classNames)
        {
            var units = _channels.Select((c, u) => new UnitTopActivations(c, _heaps[u].Sorted().Select(cand =>
            {
                var (image, label, _) = _images[cand.Index];
                PatchRegion? region = _spatial && _field is { } f ? PatchRegion.Clip(f.Region(cand.Y, cand.X), image.Height, image.Width) : null;
                return new TopActivation(cand.Index, cand.Value, label, _spatial ? cand.Y : null, _spatial ? cand.X : null, image, region);
            }).ToArray())).ToArray();
            return new TopActivationsResult(layer, ranking, k, units, _field, _fieldProblem, inputs, batches, classNames);
        }
    }
}
