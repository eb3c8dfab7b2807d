using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Onnx;

/// <summary>
/// ONNX HardSigmoid, <c>max(0, min(1, alpha·x + beta))</c>, as a layer. PyTorch's <c>nn.Hardsigmoid</c> is the
/// case alpha = 1/6, beta = 1/2 (MobileNet v3's squeeze-excitation gate and, before opset 14, half of its
/// HardSwish); Keras exports use alpha = 0.2, so the coefficients are kept.
/// </summary>
internal sealed class HardSigmoid : nn.Module<Tensor, Tensor>
{
    public HardSigmoid(float alpha, float beta) : base(nameof(HardSigmoid))
    {
        Alpha = alpha;
        Beta = beta;
    }

    public float Alpha { get; }

    public float Beta { get; }

    public override Tensor forward(Tensor input)
    {
        using var scaled = input * Alpha;
        using var shifted = scaled + Beta;
        return shifted.clamp(0, 1);
    }
}
