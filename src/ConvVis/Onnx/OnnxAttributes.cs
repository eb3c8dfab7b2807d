using System.Text;
using ConvVis.Onnx.Proto;

namespace ConvVis.Onnx;

/// <summary>
/// A node's attributes with bookkeeping of which ones the operator read: an attribute that no
/// operator implementation asked for is one the importer does not understand, and loading fails
/// naming it rather than silently computing something else.
/// </summary>
internal sealed class OnnxAttributes
{
    private readonly Dictionary<string, AttributeProto> _all;
    private readonly HashSet<string> _read = new();

    public OnnxAttributes(NodeProto node)
    {
        _all = new Dictionary<string, AttributeProto>();
        foreach (var a in node.Attributes) _all[a.Name] = a;
    }

    public bool Has(string name)
    {
        _read.Add(name);
        return _all.ContainsKey(name);
    }

    public long Int(string name, long fallback) => Get(name) is { } a ? a.I : fallback;

    public float Float(string name, float fallback) => Get(name) is { } a ? a.F : fallback;

    public string String(string name, string fallback) => Get(name) is { } a ? Encoding.UTF8.GetString(a.S) : fallback;

    public long[]? Ints(string name) => Get(name)?.Ints.ToArray();

    public float[]? Floats(string name) => Get(name)?.Floats.ToArray();

    public TensorProto? Tensor(string name) => Get(name)?.T;

    /// <summary>Marks attributes that are valid but have no effect at inference time.</summary>
    public void Ignore(params string[] names)
    {
        foreach (var n in names) _read.Add(n);
    }

    public IEnumerable<string> Unread => _all.Keys.Where(k => !_read.Contains(k));

    private AttributeProto? Get(string name)
    {
        _read.Add(name);
        return _all.TryGetValue(name, out var a) ? a : null;
    }
}
