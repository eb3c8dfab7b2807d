using System.Runtime.InteropServices;
using ConvVis.Capture;
using ConvVis.Health;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// The "CNN codes" of a data set: one layer's activations for every input, one row [D] per input, with the inputs'
/// labels when the data has them. The input of <see cref="TSne.Embed(Codes, TSneOptions?)"/>.
/// </summary>
/// <remarks>
/// The scan streams like <see cref="ActivationStats"/>: each batch runs under <c>no_grad</c> in its own dispose scope,
/// the model is in eval mode during the scan and every module gets its own train/eval flag back afterwards, and the
/// hook is removed also when the forward pass throws or the scan is cancelled. Only the codes (float32) are kept.
/// </remarks>
public sealed class Codes : IDisposable
{
    Tensor? _values;

    Codes(Tensor values, long[]? labels, string layer, long[] layerShape, CodePooling pooling)
    {
        _values = values;
        Labels = labels;
        Layer = layer;
        LayerShape = layerShape;
        Pooling = pooling;
    }

    /// <summary>The codes, [N, D] float32 on the CPU (owned by this object: dispose it, or clone what you keep).</summary>
    /// <exception cref="ObjectDisposedException">The codes were disposed.</exception>
    public Tensor Values => _values ?? throw new ObjectDisposedException(nameof(Codes), "These codes were disposed.");

    /// <summary>The label of every input, [N]; null when the data had no labels.</summary>
    public IReadOnlyList<long>? Labels { get; }

    /// <summary>Number of inputs (rows).</summary>
    public int Count => (int)Values.shape[0];

    /// <summary>Numbers per input (columns).</summary>
    public int Dimensions => (int)Values.shape[1];

    /// <summary>The layer the codes come from.</summary>
    public string Layer { get; }

    /// <summary>The shape of the layer's output for one input (without the batch dimension), before pooling.</summary>
    public IReadOnlyList<long> LayerShape { get; }

    /// <summary>How the layer's output became one row.</summary>
    public CodePooling Pooling { get; }

    /// <summary>Codes made from a tensor you already have, e.g. features computed elsewhere.</summary>
    /// <param name="values">[N, D] codes (copied to float32 on the CPU).</param>
    /// <param name="labels">One label per row, or null.</param>
    /// <exception cref="ArgumentException">The values are not [N, D] or the labels do not have N entries.</exception>
    public static Codes FromTensor(Tensor values, IReadOnlyList<long>? labels = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.dim() != 2)
            throw new ArgumentException($"Codes are [N, D] (one row per input) but the tensor has shape [{string.Join(", ", values.shape)}]; flatten it with t.flatten(1).", nameof(values));
        if (labels is not null && labels.Count != values.shape[0])
            throw new ArgumentException($"There are {values.shape[0]} rows but {labels.Count} labels; give one label per row.", nameof(labels));
        var copy = values.detach().to(ScalarType.Float32).cpu().contiguous().clone();
        return new Codes(copy, labels?.ToArray(), "", [values.shape[1]], CodePooling.Flatten);
    }

    /// <summary>The codes of <paramref name="layer"/> for every input of <paramref name="data"/>.</summary>
    /// <param name="model">The model; it is called with each batch.</param>
    /// <param name="layer">The exact name of one layer (see <see cref="ModelLayers.All"/>), a glob or type name matching exactly one.</param>
    /// <param name="data">The data: a tensor [N, ...], <see cref="LabeledImages"/>, batches or a data loader (labels are kept when every batch has them).</param>
    /// <param name="options">Pooling, input limit, progress and cancellation.</param>
    /// <exception cref="ArgumentException">The layer matches nothing or several layers, cannot be hooked, or never ran; or its output changes size between batches.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; the model is left as it was.</exception>
    public static Codes Of(nn.Module<Tensor, Tensor> model, string layer, InputBatches data, CodesOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(data);
        options ??= new CodesOptions();
        if (options.MaxInputs is < 1) throw new ArgumentOutOfRangeException(nameof(options), options.MaxInputs, "MaxInputs must be at least 1 (or null for the whole data set).");
        var matches = ModelLayers.Select(model, layer);
        if (matches.Count != 1)
            throw new ArgumentException(
                $"'{layer}' matches {matches.Count} layers ({string.Join(", ", matches.Take(8).Select(m => m.Name))}{(matches.Count > 8 ? ", ..." : "")}); codes come from one layer: give its exact name.",
                nameof(layer));
        var (name, module) = matches[0];
        if (module is not nn.Module<Tensor, Tensor> hookable)
            throw new ArgumentException($"Layer '{name}' ({ModelLayers.TypeName(module)}) does not map one tensor to one tensor; choose one of its sublayers.", nameof(layer));

        var rows = new List<float[]>();
        var labels = new List<long>();
        bool allLabelled = true;
        long[]? shape = null;
        int dims = -1;
        long inputs = 0;
        int batches = 0;
        int? total = data.Count;
        float[]? captured = null;
        int fired = 0;

        options.CancellationToken.ThrowIfCancellationRequested();
        using (var hooks = new HookSet())
        using (new ModelModeGuard(model))
        using (no_grad())
        {
            hooks.AddForwardHook(hookable, (_, output) =>
            {
                fired++;
                if (fired > 1)
                    throw new InvalidOperationException($"Layer '{name}' ran more than once in one forward pass (the module is reused), so its codes are ambiguous; register a separate module for each use.");
                var o = output.dim() >= 3 && options.Pooling == CodePooling.GlobalAveragePool
                    ? output.flatten(2).mean([2L])
                    : output.dim() >= 2 ? output.flatten(1) : output.reshape(-1, 1);
                shape ??= output.shape.Skip(1).ToArray();
                var f = o.detach().to(ScalarType.Float32).cpu().contiguous();
                captured = MemoryMarshal.Cast<byte, float>(f.bytes).ToArray();
                int d = (int)o.shape[1];
                if (dims < 0) dims = d;
                else if (dims != d)
                    throw new ArgumentException($"Layer '{name}' gave {d} numbers per input in batch {batches + 1} but {dims} before; give inputs of one size (or use Pooling = GlobalAveragePool).", nameof(data));
            });

            using var e = data.GetEnumerator();
            while (options.MaxInputs is not int max || inputs < max)
            {
                options.CancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                if (!e.MoveNext()) break;
                var batch = e.Current;
                var x = batch.Inputs;
                long n = batch.Count;
                if (options.MaxInputs is int limit && inputs + n > limit)
                {
                    n = limit - inputs;
                    x = x.narrow(0, 0, n);
                }
                fired = 0;
                captured = null;
                model.call(x);
                if (captured is null)
                    throw new ArgumentException(
                        $"Layer '{name}' did not run when the model was called. A module run through forward() instead of call() fires no hook: call submodules with .call(x) in the model's forward.",
                        nameof(layer));
                if (captured.Length != n * dims)
                    throw new ArgumentException($"Layer '{name}' gave {captured.Length / Math.Max(dims, 1)} rows for a batch of {n} inputs; its output must keep the batch dimension first.", nameof(layer));
                rows.Add(captured);
                if (batch.Labels is { } y && allLabelled)
                {
                    var l = y.narrow(0, 0, n).to(ScalarType.Int64).cpu().contiguous();
                    labels.AddRange(l.data<long>().ToArray());
                }
                else allLabelled = false;
                inputs += n;
                batches++;
                options.Progress?.Report(new WorkProgress("Codes", batches, total, "batches") { Inputs = inputs });
            }
        }
        if (inputs == 0) throw new ArgumentException("The data has no inputs; there are no codes to compute.", nameof(data));

        var all = new float[inputs * dims];
        long at = 0;
        foreach (var r in rows) { r.CopyTo(all, at); at += r.Length; }
        var values = tensor(all, [inputs, dims]);
        return new Codes(values, allLabelled ? labels.ToArray() : null, name, shape!, options.Pooling);
    }

    /// <summary>Frees the codes tensor.</summary>
    public void Dispose()
    {
        _values?.Dispose();
        _values = null;
    }
}
