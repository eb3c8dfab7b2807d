using ConvVis.Onnx.Proto;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace ConvVis.Onnx;

/// <summary>
/// Turns each ONNX node into a step of the imported module: layers with weights or a hookable meaning
/// (Conv, BatchNormalization, activations, pooling, Gemm, Flatten, Dropout, Softmax) become registered
/// TorchSharp modules; elementwise and shape operators run as plain tensor code. Everything that can
/// be checked is checked here, at load time, so an unsupported model fails before the first forward.
/// </summary>
internal sealed partial class OnnxNodeCompiler : IDisposable
{
    private readonly OnnxModel _model;
    private readonly long _opset;
    private readonly string _source;
    private readonly Dictionary<string, TensorProto> _initializers = new();
    private readonly Dictionary<string, Tensor> _constants = new();
    private readonly HashSet<string> _consumed = new();
    private readonly Dictionary<string, int> _uses = new();
    private readonly HashSet<string> _graphOutputs = new();
    private readonly HashSet<string> _aliases = new();   // constants that are another constant under a new name (Identity)

    private NodeProto _node = new();
    private OnnxAttributes _attrs = null!;
    private int _index;

    private readonly IReadOnlyDictionary<string, string[]>? _names;

    public OnnxNodeCompiler(OnnxModel model, long opset, GraphProto graph, string source, IReadOnlyDictionary<string, string[]>? names = null)
    {
        _names = names;
        _model = model;
        _opset = opset;
        _source = source;
        foreach (var t in graph.Initializers) _initializers[t.Name] = t;
        foreach (var n in graph.Nodes)
            foreach (var i in n.Inputs)
            {
                _consumed.Add(i);
                _uses[i] = _uses.GetValueOrDefault(i) + 1;
            }
        foreach (var o in graph.Outputs)
        {
            _consumed.Add(o.Name);
            _graphOutputs.Add(o.Name);
        }
    }

    /// <summary>Frees the load-time copies of the initializers (the layers hold their own copies).</summary>
    public void Dispose()
    {
        foreach (var t in _constants.Values) t.Dispose();
        _constants.Clear();
    }

    private string NodeLabel => $"{_node.OpType} node '{(_node.Name.Length > 0 ? _node.Name : _node.Outputs.FirstOrDefault() ?? "?")}' (#{_index}, opset {_opset})";

    public void Compile(NodeProto node, int index)
    {
        _node = node;
        _index = index;
        _attrs = new OnnxAttributes(node);
        try
        {
            CompileNode();
        }
        catch (Exception e) when (e is not (InvalidDataException or NotSupportedException or OperationCanceledException))
        {
            // A check we did not think of: still a load failure that names the file and the node, never a raw
            // ArgumentException or native error from building the layer.
            throw Invalid(e.Message.TrimEnd('.'), e);
        }
    }

    private void CompileNode()
    {
        var node = _node;
        if (node.Domain is not ("" or "ai.onnx"))
            throw Unsupported($"operator domain '{node.Domain}' is not supported (only the default ONNX domain is)");
        if (node.Outputs.Count == 0 || node.Outputs[0].Length == 0)
            throw new InvalidDataException($"'{_source}' is not a valid ONNX model: {NodeLabel} has no output.");

        if (!ByName.TryGetValue(node.OpType, out var op))
            throw Unsupported($"operator {node.OpType} is not supported. Supported: {SupportedList}");
        op.Compile(this);

        string? unread = _attrs.Unread.FirstOrDefault();
        if (unread is not null)
            throw Unsupported($"attribute '{unread}' is not supported");
    }

    // ---------- plumbing ----------

    private NotSupportedException Unsupported(string what) =>
        new($"Cannot import '{_source}': {NodeLabel}: {what}.");

    private InvalidDataException Invalid(string what, Exception? inner = null) =>
        new($"'{_source}' is not a valid ONNX model: {NodeLabel}: {what}.", inner);

    private static string Dims(Tensor t) => "[" + string.Join(", ", t.shape) + "]";

    /// <summary>Requires a 1-D constant of <paramref name="size"/> values (a bias, a BatchNorm statistic).</summary>
    private void RequireVector(Tensor t, long size, string role)
    {
        if (t.dim() != 1 || t.shape[0] != size)
            throw Invalid($"{role} has shape {Dims(t)}, but it must be a vector of {size} values");
    }

    /// <summary>A constant that must hold exactly one value (a Clip bound, a Dropout ratio).</summary>
    private Tensor Scalar(int k, string role)
    {
        var t = Const(k, role);
        if (t.numel() != 1)
            throw Invalid($"input {k} ({role}) must be a single value, but has shape {Dims(t)}");
        return t;
    }

    /// <summary>The slot a runtime value lives in; a constant becomes a registered buffer.</summary>
    public int RuntimeSlot(string name, string user)
    {
        if (name.Length == 0) return -1;
        if (_model.TryGetSlot(name, out int slot)) return slot;
        if (IsConstant(name))
        {
            // A constant read at run time (an Add operand, MatMul weights) becomes a buffer, so .to(device) moves it.
            return _model.AddConstantSlot(name, ConstantTensor(name).clone());
        }
        throw new InvalidDataException($"'{_source}' is not a valid ONNX model: {user} reads value '{name}', which no earlier node produces and which is neither a graph input nor an initializer.");
    }

    private int In(int k) => k < _node.Inputs.Count ? RuntimeSlot(_node.Inputs[k], NodeLabel) : -1;

    private bool HasInput(int k) => k < _node.Inputs.Count && _node.Inputs[k].Length > 0;

    private bool IsConstant(string name) =>
        name.Length > 0 && (_constants.ContainsKey(name) || _initializers.ContainsKey(name));

    private bool InputIsConstant(int k) => HasInput(k) && IsConstant(_node.Inputs[k]);

    private Tensor ConstantTensor(string name)
    {
        if (!_constants.TryGetValue(name, out var t))
        {
            try
            {
                t = OnnxTensors.ToTensor(_initializers[name], $"initializer '{name}'");
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"'{_source}' is not a valid ONNX model: {e.Message} (read by {NodeLabel}).", e);
            }
            catch (NotSupportedException e)
            {
                throw new NotSupportedException($"Cannot import '{_source}': {e.Message} (read by {NodeLabel}).", e);
            }
            _constants[name] = t;
        }
        return t;
    }

    /// <summary>A constant input the operator needs at load time (weights, shapes, bounds).</summary>
    private Tensor Const(int k, string role)
    {
        if (!InputIsConstant(k))
            throw Unsupported($"input {k} ({role}) must be a constant (an initializer or a Constant node), but '{(k < _node.Inputs.Count ? _node.Inputs[k] : "")}' is computed at run time");
        return ConstantTensor(_node.Inputs[k]);
    }

    private long[] ConstLongs(int k, string role) => Const(k, role).to_type(ScalarType.Int64).data<long>().ToArray();

    private int Out()
    {
        for (int k = 1; k < _node.Outputs.Count; k++)
            if (_node.Outputs[k].Length > 0 && _consumed.Contains(_node.Outputs[k]))
                throw Unsupported($"output {k} ('{_node.Outputs[k]}') is used, but only the first output of {_node.OpType} is supported");
        if (_model.TryGetSlot(_node.Outputs[0], out _))
            throw new InvalidDataException($"'{_source}' is not a valid ONNX model: value '{_node.Outputs[0]}' is produced twice ({NodeLabel}).");
        return _model.NewSlot(_node.Outputs[0]);
    }

    private string NodeKey => _node.Name.Length > 0 ? _node.Name : _node.Outputs[0];

    /// <summary>A plain computed step over the first <paramref name="arity"/> inputs.</summary>
    private void Plain(int arity, Func<Tensor?[], Tensor> run)
    {
        if (TryFold(arity, run)) return;
        var inputs = Enumerable.Range(0, arity).Select(In).ToArray();
        if (arity > 0 && inputs[0] < 0)
            throw new InvalidDataException($"'{_source}' is not a valid ONNX model: {NodeLabel} has no input.");
        _model.AddStep(new OnnxStep(_node.OpType, NodeKey, inputs, new[] { Out() }, (a, c) => new[] { run(a) }));
    }

    /// <summary>A computed node whose inputs are all constants is computed once, at load time, and its output is
    /// a constant too. So an Identity of an initializer (PyTorch's exporter shares one initializer between several
    /// nodes that way, e.g. the zero biases of an untrained network) is as constant as the initializer itself, and
    /// a Conv reading it gets its weights at load time.</summary>
    private bool TryFold(int arity, Func<Tensor?[], Tensor> run)
    {
        var present = Enumerable.Range(0, Math.Min(arity, _node.Inputs.Count)).Where(HasInput).ToList();
        if (present.Count == 0 || !present.All(InputIsConstant) || _node.Outputs.Count != 1)
            return false;
        var args = new Tensor?[arity];
        foreach (int k in present) args[k] = ConstantTensor(_node.Inputs[k]);
        var value = run(args);
        // An Identity-like result is the argument itself: give the constant its own handle.
        if (Array.Exists(args, a => ReferenceEquals(a, value)))
        {
            value = value.alias();
            _aliases.Add(_node.Outputs[0]);
        }
        _constants[_node.Outputs[0]] = value;
        return true;
    }

    private delegate Tensor OnnxRunContextUse(Tensor?[] args, OnnxRunContext context);

    private void PlainWithContext(int arity, OnnxRunContextUse run)
    {
        if (TryFold(arity, a => run(a, new OnnxRunContext(null)))) return;
        var inputs = Enumerable.Range(0, arity).Select(In).ToArray();
        _model.AddStep(new OnnxStep(_node.OpType, NodeKey, inputs, new[] { Out() }, (a, c) => new[] { run(a, c) }));
    }

    /// <summary>A registered layer called through <c>call()</c> so hooks fire; optional pre-processing of its input.</summary>
    private void Layer(nn.Module<Tensor, Tensor> layer, int rank = 0, Func<Tensor, Tensor>? before = null, Func<Tensor, Tensor, Tensor>? after = null, string[]? path = null)
    {
        int input = In(0);
        if (input < 0)
            throw new InvalidDataException($"'{_source}' is not a valid ONNX model: {NodeLabel} has no input.");
        int output = Out();
        string name = _model.AddLayer(NodeKey,
            _names is not null && _names.TryGetValue(NodeKey, out var given) ? given : path ?? OnnxLayerNames.PathFor(_node, _index), layer);
        string op = _node.OpType;
        _model.AddStep(new OnnxStep(op, NodeKey, new[] { input }, new[] { output }, (a, _) =>
        {
            var x = a[0]!;
            if (rank > 0 && x.dim() != rank)
                throw new ArgumentException($"Layer '{name}' ({op}) expects a {rank}-D input but got shape [{string.Join(", ", x.shape)}].");
            if (before is null && after is null) return new[] { layer.call(x) };
            using var prepared = before is null ? x.alias() : before(x);
            if (after is null) return new[] { layer.call(prepared) };
            using var y = layer.call(prepared);
            return new[] { after(x, y) };
        }));
    }

    /// <summary>Layers whose weights come from the file are built on the meta device (no memory, no random
    /// initialisation, which for a VGG's 100M-weight classifier takes longer than reading the file), then
    /// given the file's tensors with <see cref="Adopt"/>.</summary>
    private static readonly Device Unallocated = new(DeviceType.META);

    /// <summary>A layer parameter made from a loaded constant without copying it: it shares the tensor read from
    /// the file (the one copy of the weights), unless another node reads the same constant, which then gets its own
    /// copy so that editing one layer's weights never changes another's.</summary>
    private Parameter Adopt(Tensor value, string constantName)
    {
        bool shared = (_uses.TryGetValue(constantName, out int uses) && uses > 1) || _aliases.Contains(constantName);
        using var data = shared ? value.clone() : value.alias();
        return new Parameter(data.detach(), requires_grad: true);
    }

    private static void Assign(Tensor? target, Tensor value)
    {
        if (target is null) return;
        using var _ = torch.no_grad();
        target.copy_(value.reshape(target.shape));
    }

    private long Axis(string name, long fallback) => _attrs.Int(name, fallback);

    private static long Normalize(long axis, long rank) => axis < 0 ? axis + rank : axis;
}
