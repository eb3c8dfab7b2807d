using System.Runtime.InteropServices;
using ConvVis.Onnx.Proto;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Tests.Onnx;

/// <summary>Builds a small ONNX graph in memory (with the library's protobuf writer) for one operator test.</summary>
internal sealed class OnnxTestGraph
{
    private readonly ModelProto _model = new() { IrVersion = 7, ProducerName = "ConvVis.Tests" };
    private readonly Random _random = new(1234);

    public OnnxTestGraph(long opset)
    {
        _model.OpsetImport.Add(("", opset));
        _model.Graph.Name = "test";
    }

    public GraphProto Graph => _model.Graph;

    public OnnxTestGraph Input(string name, params long[] dims)
    {
        _model.Graph.Inputs.Add(new ValueInfoProto { Name = name, ElemType = OnnxDataType.Float, Shape = dims.Select(d => new DimProto(d < 0 ? null : d, d < 0 ? "N" : null)).ToList() });
        return this;
    }

    public OnnxTestGraph Output(string name)
    {
        _model.Graph.Outputs.Add(new ValueInfoProto { Name = name, ElemType = OnnxDataType.Float });
        return this;
    }

    /// <summary>A float initializer with random values (raw_data, or float_data when <paramref name="typed"/>).</summary>
    public OnnxTestGraph Weights(string name, long[] dims, bool typed = false, float scale = 1f)
    {
        long n = dims.Aggregate(1L, (a, b) => a * b);
        var values = Enumerable.Range(0, (int)n).Select(_ => (float)(_random.NextDouble() * 2 - 1) * scale).ToArray();
        return Floats(name, dims, values, typed);
    }

    public OnnxTestGraph Floats(string name, long[] dims, float[] values, bool typed = false)
    {
        var t = new TensorProto { Name = name, DataType = OnnxDataType.Float, Dims = dims.ToList() };
        if (typed) t.FloatData = values.ToList();
        else { t.RawData = MemoryMarshal.AsBytes(values.AsSpan()).ToArray(); t.HasRawData = true; }
        _model.Graph.Initializers.Add(t);
        return this;
    }

    public OnnxTestGraph Longs(string name, params long[] values)
    {
        _model.Graph.Initializers.Add(new TensorProto { Name = name, DataType = OnnxDataType.Int64, Dims = new List<long> { values.Length }, Int64Data = values.ToList() });
        return this;
    }

    public OnnxTestGraph Node(string op, string[] inputs, string[] outputs, string name = "", params AttributeProto[] attributes)
    {
        _model.Graph.Nodes.Add(new NodeProto { OpType = op, Name = name, Inputs = inputs.ToList(), Outputs = outputs.ToList(), Attributes = attributes.ToList() });
        return this;
    }

    public byte[] ToBytes()
    {
        var w = new ProtoWriter();
        _model.Write(w);
        return w.ToArray();
    }

    public static AttributeProto Int(string name, long v) => new() { Name = name, Type = OnnxAttributeType.Int, I = v };
    public static AttributeProto Float(string name, float v) => new() { Name = name, Type = OnnxAttributeType.Float, F = v };
    public static AttributeProto Ints(string name, params long[] v) => new() { Name = name, Type = OnnxAttributeType.Ints, Ints = v.ToList() };
    public static AttributeProto Str(string name, string v) => new() { Name = name, Type = OnnxAttributeType.String, S = System.Text.Encoding.UTF8.GetBytes(v) };
}

/// <summary>Runs ONNX models in ONNX Runtime (the reference) and compares with the imported module.</summary>
internal static class OnnxReference
{
    /// <summary>
    /// Runs <paramref name="g"/> in ONNX Runtime and as the imported module on one random input of
    /// <paramref name="shape"/>, asserts that they agree within <paramref name="tolerance"/>, and returns the module.
    /// </summary>
    public static ConvVis.OnnxModel Check(OnnxTestGraph g, long[] shape, double tolerance = 1e-5)
    {
        byte[] bytes = g.ToBytes();
        var input = RandomInput(shape, seed: 7);
        var expected = Run(bytes, input, shape);
        var model = ConvVis.OnnxModel.Load(new MemoryStream(bytes), "test.onnx");
        AssertClose(expected, RunImported(model, input, shape), tolerance);
        return model;
    }

    /// <summary><see cref="Check"/>, then disposes the module.</summary>
    public static void CheckAndDispose(OnnxTestGraph g, long[] shape, double tolerance = 1e-5) => Check(g, shape, tolerance).Dispose();

    public static float[] RandomInput(long[] shape, int seed)
    {
        var r = new Random(seed);
        return Enumerable.Range(0, (int)shape.Aggregate(1L, (a, b) => a * b)).Select(_ => (float)(r.NextDouble() * 4 - 2)).ToArray();
    }

    /// <summary>Runs the model in ONNX Runtime on one float input; returns the first output and its shape.</summary>
    public static (float[] Values, long[] Shape) Run(InferenceSession session, float[] input, long[] shape)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var options = new RunOptions();
        var inputName = session.InputMetadata.Keys.First();
        using var results = session.Run(options, new Dictionary<string, OrtValue> { [inputName] = value }, new[] { session.OutputMetadata.Keys.First() });
        var output = results[0];
        return (output.GetTensorDataAsSpan<float>().ToArray(), output.GetTensorTypeAndShape().Shape);
    }

    public static (float[] Values, long[] Shape) Run(byte[] model, float[] input, long[] shape)
    {
        using var session = new InferenceSession(model);
        return Run(session, input, shape);
    }

    /// <summary>Runs the imported module on the same input.</summary>
    public static (float[] Values, long[] Shape) RunImported(nn.Module<Tensor, Tensor> model, float[] input, long[] shape)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var x = torch.tensor(input, shape);
        var y = model.call(x).contiguous();
        return (MemoryMarshal.Cast<byte, float>(y.bytes).ToArray(), y.shape);
    }

    /// <summary>Asserts same shape and values equal to float precision: max |a-b| ≤ tol · max(1, max |b|).</summary>
    public static void AssertClose((float[] Values, long[] Shape) expected, (float[] Values, long[] Shape) actual, double tolerance = 1e-5)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        double maxAbs = 1, maxDiff = 0;
        for (int i = 0; i < expected.Values.Length; i++)
        {
            maxAbs = Math.Max(maxAbs, Math.Abs(expected.Values[i]));
            maxDiff = Math.Max(maxDiff, Math.Abs(expected.Values[i] - actual.Values[i]));
        }
        Assert.True(maxDiff <= tolerance * maxAbs, $"max |difference| {maxDiff:g4} exceeds {tolerance:g2} x {maxAbs:g4}");
    }
}
