using ConvVis.AttributionCore;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// Guided Grad-CAM (Selvaraju et al. 2017): guided backprop × Grad-CAM upsampled to the input, [N, C, H, W] —
/// fine detail from guided backprop, class-discriminative localisation from Grad-CAM.
/// </summary>
public sealed class GuidedGradCam : AttributionMethod
{
    private readonly GradCam _gradCam;
    private readonly ModifiedReluGradient _guided = new(ReluBackwardRule.Guided);

    /// <summary>Guided Grad-CAM of <paramref name="model"/> with Grad-CAM taken at <paramref name="layer"/>.</summary>
    public GuidedGradCam(nn.Module<Tensor, Tensor> model, string layer) : base(model) => _gradCam = new GradCam(model, layer);

    /// <summary>The Grad-CAM layer.</summary>
    public string Layer => _gradCam.Layer;

    /// <inheritdoc/>
    public override string Name => $"Guided Grad-CAM ({Layer})";

    private protected override Tensor Compute(Tensor x, AttributionTarget target, AttributionContext context,
        IProgress<WorkProgress>? progress, CancellationToken cancellationToken)
    {
        var cam = GradCam.UpsampleTo(_gradCam.LowResolution(x, target, context), x);
        var guided = _guided.Compute(Model, x, target, context);
        return guided * cam;
    }
}
