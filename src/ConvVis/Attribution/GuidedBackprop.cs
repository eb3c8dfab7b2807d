using ConvVis.Attributions.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// Guided backpropagation (Springenberg et al. 2015, "Striving for Simplicity"): the input gradient where every ReLU
/// passes the gradient back only where its forward input was positive AND the incoming gradient is positive.
/// </summary>
/// <remarks>
/// Reaches ReLU modules only (see <see cref="ModifiedReluAttribution"/>): a ReLU applied as a function inside a module's
/// forward (TorchVision's ResNet blocks end with one) keeps its ordinary gradient, and the result then carries a warning
/// (detected when a layer's input is non-negative with exact zeros without coming from a ReLU module, or when the model
/// has no ReLU modules at all). The map has the input's shape and sign.
/// </remarks>
public sealed class GuidedBackprop : ModifiedReluAttribution
{
    /// <summary>Creates a guided-backprop explainer of <paramref name="model"/>.</summary>
    public GuidedBackprop(nn.Module<Tensor, Tensor> model) : base(model, ReluBackwardRule.Guided, "Guided backprop") { }
}
