using static TorchSharp.torch;

namespace ConvVis.Onnx;

/// <summary>Per-forward facts the operators need.</summary>
/// <param name="Batch">The actual batch size when the file fixes it to 1 and the input's differs; otherwise null.</param>
internal sealed record OnnxRunContext(long? Batch);

/// <summary>One compiled ONNX node: which slots it reads and writes and how to compute its outputs.</summary>
internal sealed class OnnxStep
{
    public OnnxStep(string opType, string node, int[] inputs, int[] outputs, Func<Tensor?[], OnnxRunContext, Tensor[]> run)
    {
        OpType = opType;
        Node = node;
        Inputs = inputs;
        Outputs = outputs;
        Run = run;
    }

    public string OpType { get; }
    public string Node { get; }
    public int[] Inputs { get; }
    public int[] Outputs { get; }
    public Func<Tensor?[], OnnxRunContext, Tensor[]> Run { get; }
}
