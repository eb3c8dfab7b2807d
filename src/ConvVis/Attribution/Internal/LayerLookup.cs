using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Attributions.Internal;

/// <summary>Finds a hookable layer (one tensor in, one tensor out) by its dotted name, through the shared <see cref="ModelLayers.Get"/>.</summary>
internal static class LayerLookup
{
    public static nn.Module<Tensor, Tensor> Find(nn.Module model, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var m = ModelLayers.Get(model, name);
        return m as nn.Module<Tensor, Tensor> ?? throw new ArgumentException(
            $"Layer '{name}' is a {ModelLayers.TypeName(m)}, which does not map one tensor to one tensor, so it cannot be hooked. Pick a layer such as a convolution or an activation.", nameof(name));
    }
}
