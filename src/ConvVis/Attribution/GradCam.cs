using ConvVis.Attributions.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// Grad-CAM (Selvaraju et al. 2017): for a convolutional layer with activations A [N, K, h, w],
/// ReLU(Σ_k α_k A_k) with α_k the spatial mean of ∂score/∂A_k, upsampled bilinearly to the input size: [N, 1, H, W].
/// Not normalised (the renderer scales each map); <see cref="Upsample"/> = false keeps the layer's resolution.
/// </summary>
/// <remarks>
/// A forward hook on the layer (hooks fire only through <c>call()</c>) keeps a copy of its output as a graph leaf and
/// hands a clone downstream, so the gradient with respect to it comes from <c>torch.autograd.grad</c> and the backward
/// stops at the layer (the part of the net before it is not differentiated).
/// </remarks>
public sealed class GradCam : AttributionMethod
{
    /// <summary>Grad-CAM of <paramref name="model"/> at the layer named <paramref name="layer"/> (a dotted name from named_modules()).</summary>
    public GradCam(nn.Module<Tensor, Tensor> model, string layer) : base(model)
    {
        ArgumentException.ThrowIfNullOrEmpty(layer);
        LayerLookup.Find(model, layer); // fail now, with the list of valid names, rather than at the first call
        Layer = layer;
    }

    /// <summary>The explained layer.</summary>
    public string Layer { get; }

    /// <summary>Upsample the map to the input size (default true); false keeps the layer's h × w.</summary>
    public bool Upsample { get; init; } = true;

    /// <inheritdoc/>
    public override string Name => $"Grad-CAM ({Layer})";

    private protected override Tensor Compute(Tensor x, AttributionTarget target, AttributionContext context,
        IProgress<WorkProgress>? progress, CancellationToken cancellationToken)
    {
        var cam = LowResolution(x, target, context);
        return Upsample ? UpsampleTo(cam, x) : cam;
    }

    /// <summary>The map at the layer's resolution, [N, 1, h, w].</summary>
    internal Tensor LowResolution(Tensor x, AttributionTarget target, AttributionContext context)
    {
        var layer = LayerLookup.Find(Model, Layer);
        // The layer's output as a graph leaf, owned here and in no dispose scope: a model whose forward opens its own
        // scope would free it on return (see KeptOutput).
        Tensor? activation = null;
        var hook = layer.register_forward_hook((_, _, output) =>
        {
            activation = output.detach().requires_grad_(true).DetachFromDisposeScope();
            return activation.clone();
        });
        try
        {
            Tensor scores;
            try { scores = Objective.Scores(Model, x.detach(), target); }
            finally { hook.remove(); }
            if (activation is null)
                throw new InvalidOperationException($"Layer '{Layer}' did not run through call() during the forward pass (a module run with forward() fires no hooks); pick a layer the model calls with call().");
            if (activation.dim() != 4)
                throw new ArgumentException($"Grad-CAM needs a convolutional layer output [N, K, h, w]; layer '{Layer}' gives [{string.Join(", ", activation.shape)}].");
            var grads = torch.autograd.grad([scores.sum()], [activation], allow_unused: true);
            if (grads.Count == 0 || grads[0].IsInvalid)
                throw new InvalidOperationException($"The target ({target}) does not depend on layer '{Layer}' (e.g. a unit of an earlier layer), so Grad-CAM has no gradient there.");
            var alpha = grads[0].mean([2L, 3L], keepdim: true);           // [N, K, 1, 1]
            var cam = (alpha * activation.detach()).sum(1, keepdim: true).relu();
            context.TargetScores = Objective.ToArray(scores);
            return cam;
        }
        finally { activation?.Dispose(); }
    }

    internal static Tensor UpsampleTo(Tensor cam, Tensor x)
        => nn.functional.interpolate(cam, size: [x.shape[^2], x.shape[^1]], mode: InterpolationMode.Bilinear, align_corners: false);
}
