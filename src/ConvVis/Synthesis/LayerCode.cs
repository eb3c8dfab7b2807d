using ConvVis.Attributions.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Synthesis;

/// <summary>
/// A layer's output for an input, in the autograd graph (through <c>call()</c>, so hooks fire). The forward pass stops
/// at the layer: nothing after it is computed, so the code of an early layer costs only the layers before it.
/// </summary>
internal static class LayerCode
{
    // Thrown by the hook to leave the forward pass once the layer has run; caught below, never seen by the user. A
    // cancellation, so that models which wrap a failing layer's exception with its name (OnnxModel) let it through.
    private sealed class Reached : OperationCanceledException;

    public static Tensor Of(nn.Module<Tensor, Tensor> model, string layer, Tensor x)
    {
        var module = LayerLookup.Find(model, layer);
        Tensor? code = null;
        var hook = module.register_forward_hook((_, _, output) =>
        {
            code = KeptOutput.Keep(output);
            throw new Reached();
        });
        try { model.call(x); }
        catch (Reached) { }
        finally { hook.remove(); }
        return code is not null ? KeptOutput.Adopt(code) : throw new InvalidOperationException($"Layer '{layer}' did not run through call() during the forward pass (a module run with forward() fires no hooks), so its output cannot be used.");
    }
}
