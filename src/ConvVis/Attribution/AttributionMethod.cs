using ConvVis.AttributionCore;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// Base of every attribution technique: <c>Attribute(input, target)</c> on a batch [N, C, H, W].
/// Every call leaves the model as it was: train/eval mode is not changed (call <c>model.eval()</c> first, as in Captum;
/// a warning says when the model is in training mode), parameters' <c>requires_grad</c> and <c>.grad</c>, buffers
/// (batch-norm statistics) and hooks are restored even when the forward throws, and no autograd graph is kept.
/// </summary>
/// <remarks>
/// The model is run through <c>call()</c>, so hooks fire. During a call the model's parameters have
/// <c>requires_grad</c> off and, for guided backprop / DeconvNet / Grad-CAM, hooks installed: do not run two
/// attributions (or training) on the same model at the same time from different threads.
/// </remarks>
public abstract class AttributionMethod
{
    /// <summary>Creates a method that explains <paramref name="model"/>.</summary>
    protected private AttributionMethod(nn.Module<Tensor, Tensor> model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
    }

    /// <summary>The explained model.</summary>
    public nn.Module<Tensor, Tensor> Model { get; }

    /// <summary>The technique's name, used in captions.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// Explains the model's <paramref name="target"/> on every sample of <paramref name="input"/> [N, C, H, W]
    /// (a single [C, H, W] image is treated as a batch of one).
    /// </summary>
    /// <param name="input">The images; not modified, its grad state untouched.</param>
    /// <param name="target">A class (per batch or per sample) or a unit; an int converts to a class target.</param>
    /// <param name="progress">Reports rows done / total (useful for occlusion, SmoothGrad, integrated gradients).</param>
    /// <param name="cancellationToken">Stops between batches with <see cref="OperationCanceledException"/>; the model is restored.</param>
    public Attribution Attribute(Tensor input, AttributionTarget target,
        IProgress<WorkProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        if (input.dim() < 2)
            throw new ArgumentException($"Expected an input batch [N, C, H, W] (or one image [C, H, W]); got shape [{string.Join(", ", input.shape)}].", nameof(input));
        if (!input.is_floating_point())
            throw new ArgumentException($"Expected a floating-point input; got {input.dtype}. Convert it with input.to(torch.float32).", nameof(input));
        cancellationToken.ThrowIfCancellationRequested();

        using var scope = torch.NewDisposeScope();
        var x = input.detach();
        if (x.dim() == 3 && RequiresImageBatch) x = x.unsqueeze(0);
        target.Validate(x.shape[0]);

        var context = new AttributionContext(Name);
        if (ModelState.AnyTraining(Model))
            context.Warn("The model is in training mode: dropout and batch normalisation make the attribution random and batch-dependent. Call model.eval() first.");

        Tensor values;
        using (new ModelState(Model))
        using (var correction = DifferentiatesTheModel ? ConvGradientCorrection.Install(Model) : null)
        using (torch.enable_grad())
        {
            if (correction is { FaultyLayers.Count: > 0 } && FaultWarned.TryAdd(Model, new object()))
                context.Warn($"{ConvGradientFault.Explanation} Corrected here: {string.Join(", ", correction.FaultyLayers.Select(n => $"'{n}'"))}.");
            values = Compute(x, target, context, progress, cancellationToken);
        }
        return new Attribution(Name, values.detach().DetachFromDisposeScope(), x.clone().DetachFromDisposeScope(), target, context.Warnings)
        {
            TargetScores = context.TargetScores,
            ConvergenceDelta = context.ConvergenceDelta,
            BaselineScores = context.BaselineScores,
            NoiseSigma = context.NoiseSigma,
            OcclusionWindows = context.OcclusionWindows,
        };
    }

    /// <summary>
    /// True when the method differentiates through the model; its conv layers then get the float64 backward where this
    /// machine's libtorch computes wrong float32 gradients (<see cref="ConvGradientCorrection"/>).
    /// </summary>
    private protected virtual bool DifferentiatesTheModel => true;

    // The fault is explained once per model (in the first affected attribution's warnings), not on every call.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<nn.Module, object> FaultWarned = new();

    /// <summary>True when a 3-D input is one image (to be given a batch dimension).</summary>
    private protected virtual bool RequiresImageBatch => true;

    /// <summary>Computes the map for the batch <paramref name="x"/> (detached); runs inside the caller's dispose scope and model-state guard.</summary>
    private protected abstract Tensor Compute(Tensor x, AttributionTarget target, AttributionContext context,
        IProgress<WorkProgress>? progress, CancellationToken cancellationToken);

    /// <summary>Lets wrappers (SmoothGrad) run an inner method on their own batches.</summary>
    internal Tensor ComputeFor(Tensor x, AttributionTarget target, AttributionContext context, CancellationToken cancellationToken)
        => Compute(x, target, context, null, cancellationToken);
}
