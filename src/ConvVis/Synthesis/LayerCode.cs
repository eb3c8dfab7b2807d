using ConvVis.AttributionCore;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Synthesis;

/// <summary>A layer's output for an input, in the autograd graph (through <c>call()</c>, so hooks fire).</summary>
internal static class LayerCode
{
    public static Tensor Of(nn.Module<Tensor, Tensor> model, string layer, Tensor x)
    {
        var module = LayerLookup.Find(model, layer);
        Tensor? code = null;
        // Keep the layer's own output and hand a clone downstream, so an in-place op after the layer cannot change it.
        var hook = module.register_forward_hook((_, _, output) =>
        {
            code = output;
            return output.clone();
        });
        try { model.call(x); }
        finally { hook.remove(); }
        return code ?? throw new InvalidOperationException($"Layer '{layer}' did not run through call() during the forward pass (a module run with forward() fires no hooks), so its code cannot be inverted.");
    }
}
