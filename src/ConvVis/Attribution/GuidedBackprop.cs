using ConvVis.AttributionCore;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// Guided backpropagation (Springenberg et al. 2015, "Striving for Simplicity"): the input gradient where every ReLU
/// passes the gradient back only where its forward input was positive AND the incoming gradient is positive.
/// </summary>
/// <remarks>
/// Every <c>nn.ReLU</c> module (in-place or not, reused or not) gets a custom backward while the call runs. A ReLU
/// applied as a function inside a module's forward (<c>functional.relu</c>, <c>relu_()</c> — TorchVision's ResNet blocks
/// end with one) cannot be reached: it keeps its ordinary gradient. The result then carries a warning
/// (detected when a layer's input is non-negative with exact zeros without coming from a ReLU module, or when
/// the model has no ReLU modules at all). The map has the input's shape and sign.
/// </remarks>
public sealed class GuidedBackprop : ModifiedReluAttribution
{
    /// <summary>Creates a guided-backprop explainer of <paramref name="model"/>.</summary>
    public GuidedBackprop(nn.Module<Tensor, Tensor> model) : base(model, ReluBackwardRule.Guided) { }

    /// <inheritdoc/>
    public override string Name => "Guided backprop";
}
