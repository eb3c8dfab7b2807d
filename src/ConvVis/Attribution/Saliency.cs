using ConvVis.AttributionCore;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>How <see cref="Saliency"/> turns the input gradient into a map.</summary>
public enum SaliencyMap
{
    /// <summary>Simonyan et al.: max over channels of |∂score/∂x|, one map per image, [N, 1, H, W].</summary>
    MaxAbsOverChannels,
    /// <summary>|∂score/∂x| per channel, [N, C, H, W] (Captum's <c>abs=True</c>).</summary>
    Absolute,
    /// <summary>The raw, signed gradient ∂score/∂x, [N, C, H, W].</summary>
    Signed,
}

/// <summary>
/// Saliency maps (Simonyan, Vedaldi and Zisserman 2014, "Deep Inside Convolutional Networks"): the gradient of the
/// target score with respect to the input pixels, from one forward and one backward pass.
/// </summary>
public sealed class Saliency : AttributionMethod
{
    /// <summary>Creates a saliency explainer of <paramref name="model"/>.</summary>
    public Saliency(nn.Module<Tensor, Tensor> model) : base(model) { }

    /// <summary>How the gradient becomes a map; default <see cref="SaliencyMap.MaxAbsOverChannels"/> (Simonyan).</summary>
    public SaliencyMap Map { get; init; } = SaliencyMap.MaxAbsOverChannels;

    /// <inheritdoc/>
    public override string Name => "Saliency";

    private protected override Tensor Compute(Tensor x, AttributionTarget target, AttributionContext context,
        IProgress<WorkProgress>? progress, CancellationToken cancellationToken)
    {
        var (grad, scores) = Objective.InputGradient(Model, x, target);
        context.TargetScores = Objective.ToArray(scores);
        return Reduce(grad, Map);
    }

    internal static Tensor Reduce(Tensor grad, SaliencyMap map) => map switch
    {
        SaliencyMap.Signed => grad,
        SaliencyMap.Absolute => grad.abs(),
        _ => grad.dim() >= 3 ? grad.abs().amax([1L], keepdim: true) : grad.abs(),
    };
}
