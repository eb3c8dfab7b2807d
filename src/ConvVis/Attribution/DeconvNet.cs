using ConvVis.Attributions.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// DeconvNet reconstruction (Zeiler and Fergus 2014, "Visualizing and Understanding Convolutional Networks", in the
/// gradient form of Springenberg et al.): the input gradient where every ReLU passes back only the positive part of
/// the incoming gradient, whatever its forward input was (no forward mask). Max-pooling switches are kept, as in the paper.
/// </summary>
/// <remarks>Same reach as <see cref="GuidedBackprop"/>: ReLU modules only; ReLUs applied as functions are warned about.</remarks>
public sealed class DeconvNet : ModifiedReluAttribution
{
    /// <summary>Creates a DeconvNet explainer of <paramref name="model"/>.</summary>
    public DeconvNet(nn.Module<Tensor, Tensor> model) : base(model, ReluBackwardRule.Deconv, "DeconvNet") { }
}
