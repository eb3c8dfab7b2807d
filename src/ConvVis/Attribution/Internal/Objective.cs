using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Attributions.Internal;

/// <summary>The per-sample score an attribution explains: one class output, or a unit of a layer.</summary>
internal static class Objective
{
    /// <summary>
    /// Runs the model on <paramref name="x"/> (through <c>call()</c>, so hooks fire) and returns the target score of
    /// each row, [N], still in the autograd graph.
    /// </summary>
    public static Tensor Scores(nn.Module<Tensor, Tensor> model, Tensor x, AttributionTarget target)
    {
        long n = x.shape[0];
        if (!target.IsUnit)
        {
            var y = model.call(x);
            if (y.dim() == 0 || y.shape[0] != n)
                throw new InvalidOperationException($"The model output has shape [{string.Join(", ", y.shape)}]; expected [N, classes] with N = {n}. For a net without a classifier use AttributionTarget.Unit(layer, channel).");
            var logits = y.reshape(n, -1);
            long classes = logits.shape[1];
            var idx = new long[n];
            for (int i = 0; i < n; i++)
            {
                int c = target.ClassOf(i);
                if (c >= classes)
                    throw new ArgumentException($"Class index {c} (sample {i}) is out of range: the model has {classes} outputs (0..{classes - 1}).");
                idx[i] = c;
            }
            using var index = torch.tensor(idx, device: logits.device).unsqueeze(1);
            return logits.gather(1, index).squeeze(1);
        }

        var layer = LayerLookup.Find(model, target.Layer!);
        Tensor? activation = null;
        // Keep the layer's own output and hand a clone downstream, so an in-place op after the layer
        // (ReLU(inplace: true)) cannot overwrite the activation we take the objective from.
        var hook = layer.register_forward_hook((_, _, output) =>
        {
            activation = KeptOutput.Keep(output);
            return output.clone();
        });
        try { model.call(x); }
        finally
        {
            hook.remove();
            if (activation is not null) activation = KeptOutput.Adopt(activation);
        }
        if (activation is null)
            throw new InvalidOperationException($"Layer '{target.Layer}' did not run through call() during the forward pass (a module run with forward() fires no hooks), so its unit cannot be the target.");
        return UnitScore(activation, target);
    }

    /// <summary>The unit objective from a layer activation [N, C, H, W] (or [N, C]).</summary>
    public static Tensor UnitScore(Tensor activation, AttributionTarget target)
    {
        long channels = activation.dim() >= 2 ? activation.shape[1] : 0;
        if (target.Channel >= channels)
            throw new ArgumentException($"Channel {target.Channel} is out of range: layer '{target.Layer}' has {channels} channels (output shape [{string.Join(", ", activation.shape)}]).");
        var map = activation.select(1, target.Channel);      // [N, H, W] or [N]
        if (target.Position is { } p)
        {
            if (map.dim() != 3)
                throw new ArgumentException($"A position needs a spatial layer output [N, C, H, W]; layer '{target.Layer}' gives [{string.Join(", ", activation.shape)}].");
            if (p.Y >= map.shape[1] || p.X >= map.shape[2])
                throw new ArgumentException($"Position ({p.Y}, {p.X}) is outside the {map.shape[1]}x{map.shape[2]} feature map of layer '{target.Layer}'.");
            return map.select(1, p.Y).select(1, p.X);
        }
        return map.dim() == 1 ? map : map.reshape(map.shape[0], -1).mean([1L]);
    }

    /// <summary>The gradient of the target scores with respect to the input, and the scores (detached).</summary>
    public static (Tensor Gradient, Tensor Scores) InputGradient(nn.Module<Tensor, Tensor> model, Tensor x, AttributionTarget target)
    {
        var xi = x.detach().requires_grad_(true);
        var scores = Scores(model, xi, target);
        var grad = torch.autograd.grad([scores.sum()], [xi])[0];
        return (grad, scores.detach());
    }

    /// <summary>The target scores without a graph.</summary>
    public static Tensor ScoresNoGrad(nn.Module<Tensor, Tensor> model, Tensor x, AttributionTarget target)
    {
        using var _ = torch.no_grad();
        return Scores(model, x, target).detach();
    }

    public static double[] ToArray(Tensor t) => t.detach().to(ScalarType.Float64).cpu().data<double>().ToArray();
}
