using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Onnx;

/// <summary>
/// ONNX Clip with constant bounds as a layer (ReLU6 in MobileNets is a Clip(0, 6), and users want to
/// hook it). TorchSharp 0.107's <c>nn.Hardtanh</c> returns its input unchanged (its native call's
/// result is dropped), so this clamps explicitly.
/// </summary>
internal sealed class Clip : nn.Module<Tensor, Tensor>
{
    public Clip(float min, float max) : base(nameof(Clip))
    {
        Min = min;
        Max = max;
    }

    public float Min { get; }

    public float Max { get; }

    public override Tensor forward(Tensor input) =>
        float.IsFinite(Min) && float.IsFinite(Max) ? input.clamp(Min, Max)
        : float.IsFinite(Min) ? input.clamp_min(Min)
        : float.IsFinite(Max) ? input.clamp_max(Max)
        : input.alias();
}
