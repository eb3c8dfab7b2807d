using ConvVis.Onnx;
using ConvVis.Onnx.Proto;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// An ONNX image CNN imported as a TorchSharp module. Its layers (Conv2d, BatchNorm2d, ReLU, pooling,
/// Linear, ...) are real registered submodules, named after the ONNX nodes, so hooks, activation
/// capture, summaries, filter grids and attribution work on it as on a hand-written network.
/// </summary>
/// <remarks>
/// <para><c>forward</c> walks the ONNX nodes in their (topological) order,
/// runs every layer through <c>call()</c> so forward hooks fire, and computes elementwise and shape
/// operators (Add, Mul, Concat, Reshape, Pad, ...) directly. Intermediate tensors are freed as soon as
/// their last consumer ran, except those that take part in autograd (they are kept so that gradients
/// and hooks that kept them keep working; a dispose scope frees them).</para>
/// <para>Layer names: a node <c>/layer1/layer1.0/conv1/Conv</c> (PyTorch export) becomes the module
/// <c>layer1.0.conv1</c>; other node names are used as they are, with '/' and '.' as scope separators
/// and other punctuation mapped to '_'. <see cref="LayerNames"/> maps every ONNX node to its module.</para>
/// <para>Operators (default domain, opsets 7 to 21): see <see cref="SupportedOperators"/>. Parametric operators and
/// activations (Conv, ConvTranspose, BatchNormalization, LayerNormalization, PRelu, HardSwish, Gelu, ...) become layers;
/// elementwise and shape operators (Add, Transpose, Slice, ReduceMean, ...) are computed in the graph, and those whose
/// inputs are all constants are computed once at load time. Anything else fails at load time with a
/// <see cref="NotSupportedException"/> naming the operator, the node and the opset.</para>
/// <para>A graph whose batch dimension is fixed to 1 still runs batches: a Reshape to a constant shape
/// whose first entry is 1 keeps the batch size of its input when the model's input batch is not 1.</para>
/// </remarks>
public sealed class OnnxModel : nn.Module<Tensor, Tensor>
{
    private readonly List<OnnxStep> _steps = new();
    private readonly Dictionary<string, int> _slots = new();
    private readonly List<(int Slot, string Buffer)> _constSlots = new();
    private readonly List<int> _inputSlots = new();
    private readonly List<int> _outputSlots = new();
    private readonly Dictionary<string, string> _layerNames = new();
    private readonly List<OnnxValueInfo> _inputs = new();
    private readonly List<OnnxValueInfo> _outputs = new();
    private int[][] _freeAfter = Array.Empty<int[]>();
    private bool _batchFixedToOne;

    private OnnxModel(string name) : base(name) { }

    /// <summary>
    /// The colour order of the model's image input (default RGB; the pretrained CNTK ResNet-18 is BGR). Filter pictures of
    /// its colour layers (<see cref="ModelFilters"/>, <c>#!filters</c>) follow it.
    /// </summary>
    public ColorOrder InputColorOrder { get; set; } = ColorOrder.Rgb;

    /// <summary>The graph's inputs (initializers excluded), with their declared shapes.</summary>
    public IReadOnlyList<OnnxValueInfo> Inputs => _inputs;

    /// <summary>The graph's outputs; <c>forward</c> returns the first, <see cref="Run"/> all.</summary>
    public IReadOnlyList<OnnxValueInfo> Outputs => _outputs;

    /// <summary>The version of the default ONNX operator set the file imports.</summary>
    public long OpsetVersion { get; private set; }

    /// <summary>The tool that wrote the file (ModelProto.producer_name and version).</summary>
    public string Producer { get; private set; } = "";

    /// <summary>For every ONNX node that became a layer: node name (or first output name when the
    /// node has none) to module name as listed by <c>named_modules()</c>.</summary>
    public IReadOnlyDictionary<string, string> LayerNames => _layerNames;

    /// <summary>Every operator the importer supports and what it becomes, in the order of the README's table; any
    /// other operator fails at load time with a <see cref="NotSupportedException"/> that lists these.</summary>
    public static IReadOnlyList<OnnxSupportedOperator> SupportedOperators { get; } =
        OnnxNodeCompiler.Operators.Select(o => new OnnxSupportedOperator(o.Name, o.Becomes)).ToList();

    /// <summary>Loads an ONNX model file.</summary>
    /// <param name="path">Path of the .onnx file.</param>
    /// <returns>The model in evaluation mode.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid ONNX model (corrupt, truncated, or larger than <see cref="MaxFileBytes"/>).</exception>
    /// <exception cref="NotSupportedException">The graph uses an operator, attribute or opset the importer does not support.</exception>
    public static OnnxModel Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"ONNX model file '{path}' does not exist.", path);
        return FromFile(path);
    }

    /// <summary>Loads a file through a memory map (weights copied once, from the page cache into the tensors);
    /// devices and pipes, whose length is unknown, are read as streams up to <see cref="MaxFileBytes"/>.</summary>
    internal static OnnxModel FromFile(string path, Func<GraphProto, IReadOnlyDictionary<string, string[]>>? naming = null)
    {
        var info = new FileInfo(path);
        if (info.Length == 0)
        {
            using var stream = File.OpenRead(path);
            return FromBytes(ReadBounded(stream, path), path, naming);
        }
        if (info.Length > MaxFileBytes)
            throw new InvalidDataException(TooBig(path, MaxFileBytes));
        using var mapped = new MappedFile(path, info.Length);
        return FromBytes(mapped.Memory, path, naming);
    }

    private static string TooBig(string source, long limit) =>
        $"'{source}' is larger than the limit of {limit} bytes for an ONNX model (OnnxModel.MaxFileBytes); it is not a model this importer can load (protobuf caps a model at 2 GiB; larger models keep their weights in external files, which are not supported).";

    /// <summary>The largest model <see cref="Load(string)"/> and <see cref="Load(Stream, string)"/> read: 2 GiB by
    /// default, protobuf's own limit for a message and so the largest single-file ONNX model there is (VGG-19 is
    /// 548 MB); a longer file or stream is refused before it is read to the end. Can be lowered (to refuse large uploads,
    /// say), not raised.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive or exceeds 2 GiB.</exception>
    public static long MaxFileBytes
    {
        get => _maxFileBytes;
        set
        {
            if (value <= 0 || value > ProtobufLimit)
                throw new ArgumentOutOfRangeException(nameof(value), value, $"OnnxModel.MaxFileBytes must be between 1 and {ProtobufLimit} (2 GiB, protobuf's limit).");
            _maxFileBytes = value;
        }
    }

    // 2 GiB less what .NET allows in one array (Array.MaxLength); protobuf itself stops at 2^31 - 1.
    private const long ProtobufLimit = 0x7FFFFFC7;
    private static long _maxFileBytes = ProtobufLimit;

    /// <summary>Reads a file or stream into one array, refusing more than <see cref="MaxFileBytes"/> before reading it all.</summary>
    private static byte[] ReadBounded(Stream stream, string source)
    {
        long limit = MaxFileBytes;
        string tooBig = TooBig(source, limit);
        if (stream.CanSeek && stream.Length > 0)
        {
            long size = stream.Length - stream.Position;
            if (size > limit) throw new InvalidDataException(tooBig);
            var exact = new byte[size];
            stream.ReadExactly(exact);
            return exact;
        }
        // Unknown length (a pipe, /dev/zero, a network stream): read in chunks up to the limit.
        using var copy = new MemoryStream();
        var chunk = new byte[1 << 20];
        int n;
        while ((n = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, limit + 1 - copy.Length))) > 0)
        {
            copy.Write(chunk, 0, n);
            if (copy.Length > limit) throw new InvalidDataException(tooBig);
        }
        return copy.ToArray();
    }

    /// <summary>Loads an ONNX model from a stream (read to its end).</summary>
    /// <param name="stream">The serialized ModelProto.</param>
    /// <param name="sourceName">A name for error messages, e.g. the file name.</param>
    /// <returns>The model in evaluation mode.</returns>
    /// <exception cref="InvalidDataException">The data is not a valid ONNX model, or longer than <see cref="MaxFileBytes"/>
    /// (checked while reading, so an endless stream fails at the limit).</exception>
    /// <exception cref="NotSupportedException">The graph uses an operator, attribute or opset the importer does not support.</exception>
    public static OnnxModel Load(Stream stream, string sourceName = "stream")
    {
        ArgumentNullException.ThrowIfNull(stream);
        return FromBytes(ReadBounded(stream, sourceName), sourceName);
    }

    internal static OnnxModel FromBytes(ReadOnlyMemory<byte> bytes, string source, Func<GraphProto, IReadOnlyDictionary<string, string[]>>? naming = null)
    {
        ModelProto proto;
        try
        {
            if (bytes.Length == 0) throw new InvalidDataException("the file is empty");
            proto = ModelProto.Parse(new ProtoReader(bytes));
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{source}' is not a valid ONNX model: {e.Message}.", e);
        }
        // Everything created while building goes into this scope; the model's own parameters and buffers
        // are taken out of it, the temporaries are freed with it (also when the caller has a scope open).
        using var scope = torch.NewDisposeScope();
        var model = new OnnxModel(Path.GetFileNameWithoutExtension(source));
        try
        {
            model.Build(proto, source, naming?.Invoke(proto.Graph));
            foreach (var (_, p) in model.named_parameters()) p.DetachFromDisposeScope();
            foreach (var (_, b) in model.named_buffers()) b.DetachFromDisposeScope();
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return model;
    }

    // Children are registered explicitly while building; no reflection over fields.
    /// <inheritdoc />
    protected override void RegisterComponents() { }

    private void Build(ModelProto proto, string source, IReadOnlyDictionary<string, string[]>? names)
    {
        var opset = proto.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(-1).Max();
        if (opset < 0)
            throw new InvalidDataException($"'{source}' is not a valid ONNX model: it imports no version of the default operator set (ai.onnx).");
        if (opset < 7 || opset > 21)
            throw new NotSupportedException($"'{source}' uses ONNX opset {opset}; the importer supports opsets 7 to 21. Re-export the model with an opset in that range (e.g. torch.onnx.export(..., opset_version=17)).");
        OpsetVersion = opset;
        Producer = (proto.ProducerName + " " + proto.ProducerVersion).Trim();
        var graph = proto.Graph;

        CheckUniqueValueNames(graph, source);
        var initializerNames = new HashSet<string>(graph.Initializers.Select(t => t.Name));
        foreach (var input in graph.Inputs.Where(i => !initializerNames.Contains(i.Name)))
        {
            _inputs.Add(ToInfo(input));
            int slot = NewSlot(input.Name);
            _inputSlots.Add(slot);
        }
        if (_inputs.Count == 0)
            throw new InvalidDataException($"'{source}' is not a valid ONNX model: its graph has no input.");
        _batchFixedToOne = _inputs[0].Shape is { Count: > 0 } s && s[0].Size == 1;

        using var compiler = new OnnxNodeCompiler(this, opset, graph, source, names);
        var fused = new HashSet<int>();
        for (int i = 0; i < graph.Nodes.Count; i++)
        {
            if (fused.Contains(i)) continue;
            var chain = compiler.TryFuseActivation(graph.Nodes, i);
            if (chain.Length > 0) fused.UnionWith(chain);
            else compiler.Compile(graph.Nodes[i], i);
        }

        foreach (var output in graph.Outputs)
        {
            if (output.Name.Length == 0)
                throw new InvalidDataException($"'{source}' is not a valid ONNX model: graph output #{_outputs.Count} has an empty name.");
            _outputs.Add(ToInfo(output));
            _outputSlots.Add(compiler.RuntimeSlot(output.Name, $"graph output '{output.Name}'"));
        }
        if (_outputs.Count == 0)
            throw new InvalidDataException($"'{source}' is not a valid ONNX model: its graph has no output.");
        ComputeFreeing();
        eval();
    }

    /// <summary>ONNX values are named once (SSA): two graph inputs, two initializers, or a node output that
    /// reuses an input's or initializer's name would silently read the wrong tensor, so they are refused.</summary>
    private static void CheckUniqueValueNames(GraphProto graph, string source)
    {
        var defined = new Dictionary<string, string>();
        void Define(string name, string what)
        {
            if (name.Length == 0) return;
            if (defined.TryGetValue(name, out var first))
                throw new InvalidDataException($"'{source}' is not a valid ONNX model: value name '{name}' is defined twice ({first}, then {what}); every graph input, initializer and node output needs its own name.");
            defined[name] = what;
        }
        var initializers = new HashSet<string>();
        foreach (var t in graph.Initializers)
        {
            Define(t.Name, $"initializer '{t.Name}'");
            initializers.Add(t.Name);
        }
        // Before IR version 4 every initializer is also listed as a graph input (its default value): that is one value.
        foreach (var input in graph.Inputs.Where(i => !initializers.Contains(i.Name)))
            Define(input.Name, $"graph input '{input.Name}'");
        var inputNames = new HashSet<string>();
        foreach (var input in graph.Inputs)
            if (!inputNames.Add(input.Name))
                throw new InvalidDataException($"'{source}' is not a valid ONNX model: value name '{input.Name}' is defined twice (graph input '{input.Name}' is listed twice); every graph input needs its own name.");
        for (int i = 0; i < graph.Nodes.Count; i++)
        {
            var node = graph.Nodes[i];
            foreach (var output in node.Outputs)
                Define(output, $"an output of {node.OpType} node '{(node.Name.Length > 0 ? node.Name : output)}' (#{i})");
        }
    }

    private static OnnxValueInfo ToInfo(ValueInfoProto v) =>
        new(v.Name, v.ElemType.ToString(), v.Shape?.Select(d => new OnnxDimension(d.Value, d.Param)).ToList());

    internal int NewSlot(string valueName)
    {
        int slot = _slots.Count;
        _slots[valueName] = slot;
        return slot;
    }

    internal bool TryGetSlot(string valueName, out int slot) => _slots.TryGetValue(valueName, out slot);

    internal int AddConstantSlot(string valueName, Tensor value)
    {
        string buffer = "const_" + OnnxLayerNames.Sanitize(valueName);
        while (_constSlots.Any(c => c.Buffer == buffer)) buffer += "_";
        register_buffer(buffer, value);
        int slot = NewSlot(valueName);
        _constSlots.Add((slot, buffer));
        return slot;
    }

    internal void AddStep(OnnxStep step) => _steps.Add(step);

    /// <summary>Registers <paramref name="layer"/> under its path, creating scopes as needed; returns the dotted name.</summary>
    internal string AddLayer(string nodeKey, string[] path, nn.Module layer)
    {
        nn.Module parent = this;
        int depth = 0;
        // Walk/create scopes; if a scope name is already a layer, fall back to a flat name.
        for (; depth < path.Length - 1; depth++)
        {
            var child = parent.named_children().FirstOrDefault(c => c.name == path[depth]).module;
            if (child is null)
            {
                child = new OnnxScope(path[depth]);
                parent.register_module(path[depth], child);
            }
            else if (child is not OnnxScope)
            {
                path = new[] { string.Join("_", path) };
                parent = this;
                depth = 0;
                break;
            }
            parent = child;
        }
        string leaf = path[^1];
        var taken = new HashSet<string>(parent.named_children().Select(c => c.name));
        string unique = leaf;
        for (int k = 1; taken.Contains(unique); k++) unique = $"{leaf}_{k}";
        parent.register_module(unique, layer);
        string full = string.Join(".", path.Take(path.Length - 1).Append(unique));
        _layerNames[nodeKey] = full;
        return full;
    }

    private void ComputeFreeing()
    {
        var lastUse = new Dictionary<int, int>();
        for (int i = 0; i < _steps.Count; i++)
            foreach (int s in _steps[i].Inputs)
                if (s >= 0) lastUse[s] = i;
        var keep = new HashSet<int>(_outputSlots.Concat(_inputSlots).Concat(_constSlots.Select(c => c.Slot)));
        var free = Enumerable.Range(0, _steps.Count).Select(_ => new List<int>()).ToArray();
        foreach (var (slot, step) in lastUse)
            if (!keep.Contains(slot)) free[step].Add(slot);
        // Outputs of a step that nobody reads (e.g. an unused Dropout mask) are freed at once.
        for (int i = 0; i < _steps.Count; i++)
            foreach (int s in _steps[i].Outputs)
                if (!lastUse.ContainsKey(s) && !keep.Contains(s)) free[i].Add(s);
        _freeAfter = free.Select(f => f.ToArray()).ToArray();
    }

    /// <summary>Runs the graph on its single input and returns its first output.</summary>
    /// <param name="input">The input, e.g. <c>[N,3,224,224]</c>.</param>
    /// <returns>The first graph output.</returns>
    public override Tensor forward(Tensor input)
    {
        if (_inputSlots.Count != 1)
            throw new InvalidOperationException($"This ONNX graph has {_inputSlots.Count} inputs ({string.Join(", ", _inputs.Select(i => i.Name))}); call Run(...) with one tensor per input.");
        var outputs = Execute(new[] { input });
        for (int i = 1; i < outputs.Length; i++) outputs[i].Dispose();
        return outputs[0];
    }

    /// <summary>Runs the graph on all its inputs (in the order of <see cref="Inputs"/>) and returns all outputs (in the order of <see cref="Outputs"/>).</summary>
    /// <param name="inputs">One tensor per graph input.</param>
    /// <returns>One tensor per graph output.</returns>
    public Tensor[] Run(params Tensor[] inputs)
    {
        if (inputs.Length != _inputSlots.Count)
            throw new ArgumentException($"This ONNX graph has {_inputSlots.Count} inputs ({string.Join(", ", _inputs.Select(i => i.Name))}) but {inputs.Length} tensors were given.", nameof(inputs));
        return Execute(inputs);
    }

    private Tensor[] Execute(Tensor[] inputs)
    {
        var slots = new Tensor?[_slots.Count];
        var owned = new bool[_slots.Count];
        foreach (var (slot, buffer) in _constSlots) slots[slot] = get_buffer(buffer);
        for (int i = 0; i < inputs.Length; i++) slots[_inputSlots[i]] = inputs[i];
        var context = new OnnxRunContext(
            _batchFixedToOne && inputs[0].dim() > 0 && inputs[0].shape[0] != 1 ? inputs[0].shape[0] : null);
        try
        {
            for (int i = 0; i < _steps.Count; i++)
            {
                var step = _steps[i];
                var args = new Tensor?[step.Inputs.Length];
                for (int k = 0; k < args.Length; k++)
                    args[k] = step.Inputs[k] < 0 ? null : slots[step.Inputs[k]];
                Tensor[] results;
                try
                {
                    results = step.Run(args, context);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Name the node and the shapes: a bare libtorch message rarely says where it came from.
                    string shapes = string.Join(", ", args.Select(a => a is null ? "(none)" : "[" + string.Join(", ", a.shape) + "]"));
                    throw new InvalidOperationException($"ONNX node '{step.Node}' ({step.OpType}) failed on inputs {shapes}: {e.Message}", e);
                }
                for (int k = 0; k < step.Outputs.Length; k++)
                {
                    var r = results[k];
                    // A result that is one of its arguments (Identity-like) gets its own handle so freeing one never frees the other.
                    if (Array.Exists(args, a => ReferenceEquals(a, r))) r = r.alias();
                    slots[step.Outputs[k]] = r;
                    owned[step.Outputs[k]] = true;
                }
                foreach (int s in _freeAfter[i])
                {
                    var t = slots[s];
                    slots[s] = null;
                    if (t is not null && owned[s] && !t.requires_grad) t.Dispose();
                }
            }
            return _outputSlots.Select(s => owned[s] ? slots[s]! : slots[s]!.alias()).ToArray();
        }
        catch
        {
            for (int s = 0; s < slots.Length; s++)
                if (owned[s]) slots[s]?.Dispose();
            throw;
        }
    }
}
