using System.Globalization;
using ConvVis.Capture;
using ConvVis.Rendering;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ConvVis;

/// <summary>
/// Records the outputs of chosen layers while a model runs, through forward hooks.
/// <code>
/// using var rec = ActivationRecorder.Attach(model, "conv1", "layer*.relu");
/// model.call(x);
/// Tensor a = rec["conv1"];
/// </code>
/// </summary>
/// <remarks>
/// <para>Each capture is <c>output.detach()</c> copied (cloned, or copied to the CPU) and detached from every
/// dispose scope, so in-place operations after the layer (<c>ReLU(inplace: true)</c>, <c>relu_()</c>, <c>add_()</c>)
/// and the model's own dispose scopes can neither change nor free it.</para>
/// <para>Hooks fire only when a module runs through <c>module.call(x)</c>; a module run with <c>forward(x)</c>
/// records nothing, and <see cref="NotFired"/> says so. A module called several times keeps every call
/// (<see cref="Calls"/>).</para>
/// <para><b>Passes.</b> Each <c>model.call(x)</c> of the model the recorder was attached to starts a fresh recording and
/// frees the previous pass's activations, so a loop over batches keeps one batch in memory; set
/// <see cref="CaptureOptions.KeepEveryPass"/> to accumulate instead.</para>
/// <para><b>Ownership.</b> The recorder owns every tensor it stores: tensors returned by the indexer and by
/// <see cref="Calls"/> stay valid until the next forward pass of the model (unless <see cref="CaptureOptions.KeepEveryPass"/>),
/// <see cref="Clear"/> or <see cref="Dispose"/>, which free them; do not dispose them yourself. To keep tensors beyond the recorder, take them with <see cref="TakeAll"/>,
/// <see cref="Detach"/> or <see cref="DetachCalls"/>: the recorder forgets them and you dispose them.</para>
/// <para><see cref="Dispose"/> removes every hook this recorder added, whether or not a forward pass threw.</para>
/// <para><b>Memory.</b> When a capture and every view of it have been freed, its memory serves the next capture of the
/// same size, of this recorder or another: fresh memory for every pass made capture cost up to 2.7 times the forward
/// pass on some virtual machines. Up to 1 GiB of it is kept, and all of it is given back after 5 seconds without captures.</para>
/// </remarks>
public sealed class ActivationRecorder : IDisposable
{
    readonly List<(string Name, Module<Tensor, Tensor> Module)> _layers;
    readonly Dictionary<string, List<Tensor>> _stored = [];
    readonly Dictionary<string, List<long[]>> _shapes = [];
    readonly Dictionary<string, int> _fired = [];
    readonly HashSet<string> _taken = [];
    readonly HookSet _hooks = new();
    readonly CaptureOptions _options;
    bool _disposed;
    string? _stoppedAt; // the layer whose capture hit the memory budget, until Clear()

    ActivationRecorder(Module model, List<(string, Module<Tensor, Tensor>)> layers, CaptureOptions options)
    {
        _layers = layers;
        _options = options;
        // A call of the model itself marks the start of a forward pass (a model run with forward() gives no such mark,
        // and then calls accumulate as with KeepEveryPass).
        if (!options.KeepEveryPass && model is Module<Tensor, Tensor> root)
            _hooks.AddForwardPreHook(root, _ => Reset());
        foreach (var (name, module) in layers)
        {
            _stored[name] = [];
            _shapes[name] = [];
            _fired[name] = 0;
            _hooks.AddForwardHook(module, (_, output) => Record(name, output));
        }
    }

    /// <summary>
    /// Attaches forward hooks to the layers matching <paramref name="layers"/> (exact names, globs such as
    /// <c>layer*.relu</c>, or type names such as <c>Conv2d</c>; see <see cref="ModelLayers.Select"/>), or to every leaf
    /// layer when none is given. Stores activations on the CPU, whole batches, within a 2 GiB budget.
    /// </summary>
    /// <param name="model">The model to observe; run it with <c>model.call(x)</c>.</param>
    /// <param name="layers">Layer names, globs or type names; none means every leaf layer.</param>
    /// <returns>A recorder; dispose it to remove the hooks and free what it stored.</returns>
    /// <exception cref="ArgumentException">A pattern matches no layer, or a matched layer does not map one tensor to one tensor.</exception>
    public static ActivationRecorder Attach(Module model, params string[] layers) => Attach(model, new CaptureOptions(), layers);

    /// <summary>Like <see cref="Attach(Module, string[])"/>, with explicit <see cref="CaptureOptions"/>.</summary>
    /// <param name="model">The model to observe; run it with <c>model.call(x)</c>.</param>
    /// <param name="options">Device, sample limit and memory budget.</param>
    /// <param name="layers">Layer names, globs or type names; none means every leaf layer.</param>
    /// <returns>A recorder; dispose it to remove the hooks and free what it stored.</returns>
    /// <exception cref="ArgumentException">A pattern matches no layer, or a matched layer does not map one tensor to one tensor.</exception>
    public static ActivationRecorder Attach(Module model, CaptureOptions options, params string[] layers)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        layers ??= [];
        if (options.MaxSamples is <= 0)
            throw new ArgumentException($"CaptureOptions.MaxSamples must be at least 1 (or null for whole batches); it is {options.MaxSamples}.", nameof(options));
        if (options.MemoryBudgetBytes is <= 0)
            throw new ArgumentException($"CaptureOptions.MemoryBudgetBytes must be positive (or null for no limit); it is {options.MemoryBudgetBytes}.", nameof(options));

        var hookable = new List<(string, Module<Tensor, Tensor>)>();
        if (layers.Length == 0)
        {
            // Every leaf; leaves with other signatures (several inputs) cannot be captured as one tensor and are skipped.
            foreach (var (name, module) in ModelLayers.Leaves(model))
                if (module is Module<Tensor, Tensor> m) hookable.Add((name, m));
        }
        else
        {
            foreach (var (name, module) in ModelLayers.Select(model, layers))
            {
                if (module is not Module<Tensor, Tensor> m)
                    throw new ArgumentException(
                        $"Layer '{name}' ({ModelLayers.TypeName(module)}) does not take one tensor and return one tensor, so its output cannot be captured. " +
                        "Capture its submodules instead, or select layers by a narrower name or glob.", nameof(layers));
                hookable.Add((name, m));
            }
        }
        return new ActivationRecorder(model, hookable, options);
    }

    /// <summary>The names of the layers this recorder watches, in model order.</summary>
    public IReadOnlyList<string> Layers => _layers.Select(l => l.Name).ToList();

    /// <summary>Watched layers whose hook has not fired in the last forward pass (see <see cref="CaptureOptions.KeepEveryPass"/>).</summary>
    public IReadOnlyList<string> NotFired => _layers.Where(l => _fired[l.Name] == 0).Select(l => l.Name).ToList();

    /// <summary>Watched layers that fired more than once in the last forward pass: reused modules, each call kept (see <see cref="Calls"/>).</summary>
    public IReadOnlyList<string> FiredMoreThanOnce => _layers.Where(l => _fired[l.Name] > 1).Select(l => l.Name).ToList();

    /// <summary>
    /// A sentence that explains <see cref="NotFired"/>, or <c>null</c> when every watched layer fired. It reminds that a
    /// module run through <c>forward()</c> instead of <c>call()</c> fires no hook.
    /// </summary>
    public string? NotFiredExplanation
    {
        get
        {
            var missing = NotFired;
            if (missing.Count == 0) return null;
            string budget = _stoppedAt is null ? "" :
                $"The memory budget stopped a forward pass at layer '{_stoppedAt}', so later layers may not have run. ";
            return $"{missing.Count} of {_layers.Count} requested layers never fired: {string.Join(", ", missing.Take(LayerNameHints.MaxListed))}" +
                   (missing.Count > LayerNameHints.MaxListed ? $", ... and {missing.Count - LayerNameHints.MaxListed} more. " : ". ") +
                   budget + ForwardBypassHint;
        }
    }

    /// <summary>How many times a watched layer fired in the last forward pass (or since <see cref="Clear"/> with <see cref="CaptureOptions.KeepEveryPass"/>).</summary>
    /// <param name="name">A watched layer's name.</param>
    /// <returns>The number of calls seen.</returns>
    public int CallCount(string name) => _fired[CheckName(name)];

    /// <summary>Bytes of activations currently stored (and counted against the memory budget).</summary>
    public long StoredBytes { get; private set; }

    /// <summary>
    /// The last (or only) stored activation of layer <paramref name="name"/>. The recorder owns it: it stays valid until
    /// the next forward pass, <see cref="Clear"/> or <see cref="Dispose"/>; use <see cref="Detach"/> to keep it longer.
    /// </summary>
    /// <param name="name">A watched layer's name.</param>
    /// <exception cref="ArgumentException">The recorder does not watch that layer (the message names the closest one).</exception>
    /// <exception cref="InvalidOperationException">The layer never fired, or its activations were taken.</exception>
    public Tensor this[string name]
    {
        get
        {
            var calls = _stored[CheckName(name)];
            if (calls.Count == 0) throw NothingStored(name);
            return calls[^1];
        }
    }

    /// <summary>
    /// Every stored call of layer <paramref name="name"/>, in call order (a module used twice in forward has two). Owned by
    /// the recorder, like the indexer's result. Empty when the layer has not fired.
    /// </summary>
    /// <param name="name">A watched layer's name.</param>
    /// <returns>The stored outputs, index 0 first.</returns>
    public IReadOnlyList<Tensor> Calls(string name) => _stored[CheckName(name)].ToArray();

    /// <summary>The full output shape of each call of layer <paramref name="name"/> (before <see cref="CaptureOptions.MaxSamples"/> cut the batch).</summary>
    /// <param name="name">A watched layer's name.</param>
    /// <returns>One shape per call seen since attaching (or since <see cref="Clear"/>).</returns>
    public IReadOnlyList<long[]> OutputShapes(string name) => _shapes[CheckName(name)].ToArray();

    /// <summary>
    /// Hands every stored activation to the caller, who now owns (and must dispose) them; the recorder keeps its hooks and
    /// records later calls afresh. Layers with nothing stored are left out.
    /// </summary>
    /// <returns>Layer name to its calls, in call order.</returns>
    public Dictionary<string, Tensor[]> TakeAll()
    {
        ThrowIfDisposed();
        var result = new Dictionary<string, Tensor[]>();
        foreach (var (name, _) in _layers)
            if (_stored[name].Count > 0) result[name] = DetachCalls(name);
        return result;
    }

    /// <summary>
    /// Hands the last (or only) activation of <paramref name="name"/> to the caller, who now owns it; earlier calls of that
    /// layer are freed (use <see cref="DetachCalls"/> to keep them all).
    /// </summary>
    /// <param name="name">A watched layer's name.</param>
    /// <returns>The activation, now owned by the caller.</returns>
    public Tensor Detach(string name)
    {
        var calls = DetachCalls(name);
        if (calls.Length == 0) throw NothingStored(name);
        for (int i = 0; i < calls.Length - 1; i++) calls[i].Dispose();
        return calls[^1];
    }

    /// <summary>Hands every stored call of <paramref name="name"/> to the caller, who now owns (and must dispose) them.</summary>
    /// <param name="name">A watched layer's name.</param>
    /// <returns>The calls in order; empty when nothing is stored.</returns>
    public Tensor[] DetachCalls(string name)
    {
        var calls = _stored[CheckName(name)];
        var result = calls.ToArray();
        foreach (var t in result) StoredBytes -= Bytes(t);
        if (result.Length > 0) _taken.Add(name);
        calls.Clear();
        return result;
    }

    /// <summary>Frees every stored activation and forgets which layers fired; the hooks stay attached.</summary>
    public void Clear()
    {
        ThrowIfDisposed();
        Reset();
    }

    void Reset()
    {
        FreeStored();
        foreach (var (name, _) in _layers)
        {
            _shapes[name].Clear();
            _fired[name] = 0;
        }
        _taken.Clear();
        _stoppedAt = null;
    }

    /// <summary>Removes every hook of this recorder and frees the activations it still owns (not those taken by the caller).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _hooks.Dispose();
        FreeStored();
    }

    /// <summary>A one-line account: layers watched, calls and bytes stored, and layers that never fired.</summary>
    public override string ToString()
        => $"ActivationRecorder: {Words.Count(_layers.Count, "layer")}, {Words.Count(_stored.Values.Sum(c => c.Count), "activation")} stored ({N(StoredBytes)} bytes)" +
           (NotFiredExplanation is { } why ? ". " + why : ".");

    internal int HookCount => _hooks.Count;

    /// <summary>Where captures get their memory; null allocates each one afresh (the benchmarks compare the two).</summary>
    internal static CaptureBufferPool? BufferPool { get; set; } = CaptureBufferPool.Shared;

    const string ForwardBypassHint =
        "A TorchSharp module fires its forward hooks only when it runs through module.call(x); code that runs it with " +
        "module.forward(x) (for example a custom forward() calling submodule.forward) bypasses the hooks. Also check that the " +
        "forward pass uses that layer for this input, and that you ran the model after attaching.";

    void Record(string name, Tensor output)
    {
        _fired[name]++;
        _shapes[name].Add(output.shape);
        if (_disposed) return;

        long keep = output.dim() > 0 && _options.MaxSamples is int max ? Math.Min(max, output.shape[0]) : -1;
        long bytes = output.element_size() * (keep >= 0 && output.shape[0] > 0 ? output.numel() / output.shape[0] * keep : output.numel());
        if (_options.MemoryBudgetBytes is long budget && StoredBytes + bytes > budget)
        {
            _stoppedAt = name;
            throw new InvalidOperationException(
                $"Capturing layer '{name}' would exceed the capture memory budget: {N(StoredBytes)} bytes are stored already and its " +
                $"output {Shape(output.shape)} needs {N(bytes)} more (budget {N(budget)} bytes). The forward pass was stopped. " +
                "Capture fewer layers (e.g. ActivationRecorder.Attach(model, \"layer4.*\")), keep fewer samples per batch " +
                "(new CaptureOptions { MaxSamples = 8 }), call Clear() between batches, or raise CaptureOptions.MemoryBudgetBytes. " +
                "Dispose the recorder to remove its hooks.");
        }

        using var scope = NewDisposeScope();
        var view = output.detach();
        if (keep >= 0 && keep < output.shape[0]) view = view.narrow(0, 0, keep);
        var copy = _options.ToCpu && view.device_type != DeviceType.CPU ? view.to(DeviceType.CPU, copy: true) : Copy(view);
        _stored[name].Add(copy.DetachFromDisposeScope());
        StoredBytes += bytes;
    }

    /// <summary>
    /// A copy of <paramref name="view"/> that shares no memory with it; on the CPU into memory from
    /// <see cref="CaptureBufferPool"/>, because fresh memory for every pass costs page faults (see the pool). The copy is
    /// libtorch's: at 2 threads its parallel copy was faster than one memmove on this thread (capture / plain 0.99 against
    /// 1.74 in alternating passes; why is not established, see benchmarks/README.md), and equal at 1 thread.
    /// </summary>
    static Tensor Copy(Tensor view)
    {
        if (view.device_type != DeviceType.CPU || view.is_sparse) return view.clone();
        var copy = BufferPool?.NewLike(view) ?? empty(view.shape, view.dtype, view.device);
        return copy.copy_(view);
    }

    void FreeStored()
    {
        foreach (var calls in _stored.Values)
        {
            foreach (var t in calls) t.Dispose();
            calls.Clear();
        }
        StoredBytes = 0;
    }

    string CheckName(string name)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(name);
        if (_stored.ContainsKey(name)) return name;
        throw new ArgumentException(LayerNameHints.NoSuchName(name, Layers, $"This recorder does not watch a layer named '{name}'."), nameof(name));
    }

    Exception NothingStored(string name)
    {
        if (_taken.Contains(name) && _fired[name] > 0)
            return new InvalidOperationException($"Layer '{name}' fired, but its activations were handed over by TakeAll()/Detach() and no call has fired since.");
        if (_fired[name] > 0)
            return new InvalidOperationException($"Layer '{name}' fired, but its activations were freed by Clear().");
        return new InvalidOperationException($"Layer '{name}' never fired, so there is no activation to return. {ForwardBypassHint}");
    }

    void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    static long Bytes(Tensor t) => t.numel() * t.element_size();

    /// <summary>A count with thousands separators, the same in every culture.</summary>
    internal static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    internal static string Shape(long[] shape) => "[" + string.Join(", ", shape) + "]";
}
