using ConvVis.Onnx.Proto;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Onnx;

// Activations that exporters write as several elementwise nodes become one layer again, so that capture and
// hooks see them under the name the network gave them:
//   GELU      x * 0.5 * (1 + erf(x / sqrt 2))   (PyTorch before opset 20: Div, Erf, Add, Mul, Mul)
//   HardSwish x * HardSigmoid(x)                 (PyTorch before opset 14)
// A chain is fused only when each intermediate value has exactly one reader and is no graph output, so no
// other node can observe the difference.
internal sealed partial class OnnxNodeCompiler
{
    private Dictionary<string, List<int>>? _readers;
    private Dictionary<string, NodeProto>? _constantNodes;

    /// <summary>Compiles the chain that starts at node <paramref name="index"/> as one activation layer when it
    /// is one; returns the indices of the nodes it replaced (empty when it is not such a chain).</summary>
    public int[] TryFuseActivation(IReadOnlyList<NodeProto> nodes, int index)
    {
        var n = nodes[index];
        if (n.OpType is not ("Div" or "Mul" or "HardSigmoid") || n.Outputs.Count != 1 || n.Inputs.Count < 1) return Array.Empty<int>();
        if (_readers is null)
        {
            _readers = new Dictionary<string, List<int>>();
            for (int i = 0; i < nodes.Count; i++)
                foreach (var input in nodes[i].Inputs)
                {
                    if (!_readers.TryGetValue(input, out var list)) _readers[input] = list = new List<int>();
                    list.Add(i);
                }
            _constantNodes = nodes.Where(c => c.OpType == "Constant" && c.Outputs.Count == 1).GroupBy(c => c.Outputs[0]).ToDictionary(g => g.Key, g => g.First());
        }
        return n.OpType == "HardSigmoid" ? TryHardSwish(nodes, index) : TryGelu(nodes, index);
    }

    private int[] TryHardSwish(IReadOnlyList<NodeProto> nodes, int index)
    {
        var sigmoid = nodes[index];
        if (sigmoid.Attributes.Any(a => a.Name is not ("alpha" or "beta"))) return Array.Empty<int>();
        float alpha = sigmoid.Attributes.FirstOrDefault(a => a.Name == "alpha")?.F ?? 0.2f;
        float beta = sigmoid.Attributes.FirstOrDefault(a => a.Name == "beta")?.F ?? 0.5f;
        if (Math.Abs(alpha - 1f / 6) > 1e-6 || Math.Abs(beta - 0.5f) > 1e-6) return Array.Empty<int>();
        string x = sigmoid.Inputs[0];
        int mul = OnlyReader(nodes, sigmoid.Outputs[0], "Mul");
        if (mul < 0 || OtherOperand(nodes[mul], sigmoid.Outputs[0]) != x) return Array.Empty<int>();
        CompileFused(sigmoid, index, x, nodes[mul].Outputs[0], "HardSwish", nn.Hardswish());
        return new[] { index, mul };
    }

    private int[] TryGelu(IReadOnlyList<NodeProto> nodes, int index)
    {
        // x / sqrt(2) or x * (1 / sqrt(2)), then Erf, Add 1, Mul x, Mul 0.5.
        var first = nodes[index];
        if (first.Inputs.Count != 2) return Array.Empty<int>();
        string x;
        if (first.OpType == "Div" && IsScalar(first.Inputs[1], MathF.Sqrt(2))) x = first.Inputs[0];
        else if (first.OpType == "Mul" && IsScalar(first.Inputs[1], 1 / MathF.Sqrt(2))) x = first.Inputs[0];
        else if (first.OpType == "Mul" && IsScalar(first.Inputs[0], 1 / MathF.Sqrt(2))) x = first.Inputs[1];
        else return Array.Empty<int>();
        int erf = OnlyReader(nodes, first.Outputs[0], "Erf");
        if (erf < 0) return Array.Empty<int>();
        int add = OnlyReader(nodes, nodes[erf].Outputs[0], "Add");
        if (add < 0 || !IsScalar(OtherOperand(nodes[add], nodes[erf].Outputs[0]), 1)) return Array.Empty<int>();
        int mulX = OnlyReader(nodes, nodes[add].Outputs[0], "Mul");
        if (mulX < 0 || OtherOperand(nodes[mulX], nodes[add].Outputs[0]) != x) return Array.Empty<int>();
        int half = OnlyReader(nodes, nodes[mulX].Outputs[0], "Mul");
        if (half < 0 || !IsScalar(OtherOperand(nodes[half], nodes[mulX].Outputs[0]), 0.5f)) return Array.Empty<int>();
        CompileFused(nodes[erf], erf, x, nodes[half].Outputs[0], "Gelu", nn.GELU());
        return new[] { index, erf, add, mulX, half };
    }

    /// <summary>The node that reads <paramref name="value"/> when it is the only reader, of type <paramref name="op"/>, and the value is no graph output.</summary>
    private int OnlyReader(IReadOnlyList<NodeProto> nodes, string value, string op)
    {
        if (_graphOutputs.Contains(value) || !_readers!.TryGetValue(value, out var readers) || readers.Count != 1) return -1;
        var node = nodes[readers[0]];
        return node.OpType == op && node.Outputs.Count == 1 && node.Domain is "" or "ai.onnx" && node.Attributes.Count == 0 ? readers[0] : -1;
    }

    private static string OtherOperand(NodeProto node, string value) =>
        node.Inputs.Count != 2 ? "" : node.Inputs[0] == value ? node.Inputs[1] : node.Inputs[1] == value ? node.Inputs[0] : "";

    /// <summary>True when <paramref name="name"/> is a one-element constant (initializer or Constant node) equal to <paramref name="expected"/> to float precision.</summary>
    private bool IsScalar(string name, float expected)
    {
        TensorProto? proto = _initializers.TryGetValue(name, out var init) ? init
            : _constantNodes!.TryGetValue(name, out var c) ? c.Attributes.FirstOrDefault(a => a.Name == "value")?.T : null;
        if (proto is null || proto.Dims.Aggregate(1L, (a, b) => a * b) != 1) return false;
        try
        {
            using var t = OnnxTensors.ToTensor(proto, name);
            return t.is_floating_point() && Math.Abs(t.item<float>() - expected) <= 1e-5f * Math.Abs(expected);
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException)
        {
            return false;   // the node compiles on its own and reports the problem there
        }
    }

    private void CompileFused(NodeProto named, int index, string input, string output, string op, nn.Module<Tensor, Tensor> layer)
    {
        // One node standing for the chain: named after the node the exporter named after the activation's module.
        _node = new NodeProto { Name = named.Name, OpType = op, Inputs = { input }, Outputs = { output } };
        _index = index;
        _attrs = new OnnxAttributes(_node);
        Layer(layer, path: OnnxLayerNames.PathFor(named, index));
    }
}
