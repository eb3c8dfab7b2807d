using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Onnx;

/// <summary>
/// Softmax as ONNX defined it before opset 13: the input is viewed as 2-D
/// <c>[prod(dims before axis), prod(dims from axis)]</c> and normalised over the second dimension
/// (so with the default axis 1 a <c>[N,C,H,W]</c> tensor is normalised over C·H·W, not over C).
/// </summary>
internal sealed class OnnxLegacySoftmax : nn.Module<Tensor, Tensor>
{
    private readonly long _axis;

    public OnnxLegacySoftmax(long axis) : base("Softmax") => _axis = axis;

    public override Tensor forward(Tensor input)
    {
        long axis = _axis < 0 ? _axis + input.dim() : _axis;
        long outer = 1;
        for (int i = 0; i < axis; i++) outer *= input.shape[i];
        using var flat = input.reshape(outer, -1);
        using var soft = flat.softmax(1);
        return soft.reshape(input.shape);
    }
}
