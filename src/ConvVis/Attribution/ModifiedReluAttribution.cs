using ConvVis.AttributionCore;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// Base of the methods that are the input gradient with every ReLU module's backward replaced by a rule
/// (<see cref="GuidedBackprop"/>, <see cref="DeconvNet"/>), as Captum's <c>ModifiedReluGradientAttribution</c>.
/// Every <c>nn.ReLU</c> module (in-place or not, reused or not) gets the rule while the call runs; a ReLU applied as a
/// function (<c>functional.relu</c>, <c>relu_()</c>) cannot be reached and keeps its ordinary gradient, which the
/// result's warnings then say. Closed: the two rules are the subclasses.
/// </summary>
public abstract class ModifiedReluAttribution : AttributionMethod
{
    private readonly ModifiedReluGradient _gradient;

    private protected ModifiedReluAttribution(nn.Module<Tensor, Tensor> model, ReluBackwardRule rule) : base(model)
        => _gradient = new ModifiedReluGradient(rule);

    private protected override Tensor Compute(Tensor x, AttributionTarget target, AttributionContext context,
        IProgress<WorkProgress>? progress, CancellationToken cancellationToken)
        => _gradient.Compute(Model, x, target, context);
}
