using System.Globalization;
using ConvVis.Attributions.Internal;
using ConvVis.Synthesis;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// Activation maximisation: an input optimised to maximise a class score (class visualisation, Simonyan et al. 2014)
/// or a unit of a layer (Erhan et al. 2009, Yosinski et al. 2015, Olah et al. 2017), under the regularisers and
/// transforms of <see cref="ActivationMaximizationOptions"/> (presets: CS231n, Simonyan, Yosinski, Lucid).
/// <code>
/// var result = new ActivationMaximization(net, ActivationMaximizationOptions.Cs231n) { Space = space }
///     .Run(AttributionTarget.Classes(0, 1, 2), [3, 1, 28, 28]);
/// </code>
/// The model is left as it was (mode, <c>requires_grad</c>, <c>.grad</c>, hooks); during the run it is in eval mode
/// and its conv layers get the float64 backward where this machine's float32 one is wrong. Deterministic for a seed.
/// </summary>
public sealed class ActivationMaximization
{
    /// <summary>Creates the optimiser for <paramref name="model"/> with <paramref name="options"/> (default <see cref="ActivationMaximizationOptions.Cs231n"/>).</summary>
    public ActivationMaximization(nn.Module<Tensor, Tensor> model, ActivationMaximizationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        Options = options ?? ActivationMaximizationOptions.Cs231n;
    }

    /// <summary>The model whose class or unit is maximised.</summary>
    public nn.Module<Tensor, Tensor> Model { get; }

    /// <summary>The regularisers, transforms and step rule.</summary>
    public ActivationMaximizationOptions Options { get; }

    /// <summary>How pictures map to the model's input (default: the model takes pictures in [0, 1]).</summary>
    public ImageSpace Space { get; init; } = ImageSpace.Unit;

    /// <summary>Class names for captions (optional): "class 3 (Dress)".</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>Receives the pictures every <see cref="ActivationMaximizationOptions.SnapshotEvery"/> steps, for a live display.</summary>
    public IProgress<SynthesisSnapshot>? Snapshots { get; init; }

    /// <summary>
    /// Optimises a batch of <paramref name="inputShape"/> ([N, C, H, W], or [C, H, W] for one image) for
    /// <paramref name="target"/> (a class, one class per image, or a unit).
    /// </summary>
    /// <param name="target">What to maximise; an int converts to a class.</param>
    /// <param name="inputShape">The shape of the model input to make.</param>
    /// <param name="progress">Steps done / total.</param>
    /// <param name="cancellationToken">Stops between steps with <see cref="OperationCanceledException"/>; the model is restored.</param>
    public SynthesisResult Run(AttributionTarget target, long[] inputShape,
        IProgress<WorkProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(inputShape);
        var o = Options;
        o.Validate();
        long[] shape = inputShape.Length switch
        {
            3 => [1, .. inputShape],
            4 => inputShape,
            _ => throw new ArgumentException($"Give the input shape as [N, C, H, W] (or [C, H, W] for one image); got [{string.Join(", ", inputShape)}].", nameof(inputShape)),
        };
        if (shape.Any(s => s < 1)) throw new ArgumentException($"Every dimension of the input shape must be positive; got [{string.Join(", ", shape)}].", nameof(inputShape));
        target.Validate(shape[0]);
        cancellationToken.ThrowIfCancellationRequested();
        int n = (int)shape[0];
        string method = $"{(target.IsUnit ? "unit" : "class")} visualisation ({o.Name})";

        using var scope = NewDisposeScope();
        var random = new Random(o.Seed);
        var generator = new Generator((ulong)o.Seed);
        using var guard = new SynthesisGuard(Model);
        using var fourier = o.Parameterization == ImageParameterization.Fourier ? new FourierParameterization(shape, generator, o.InitialStd) : null;
        var pixels = fourier is null ? (randn(shape, generator: generator) * o.InitialStd).requires_grad_(true) : null;
        if (pixels is not null && o.ClampToValidRange) using (no_grad()) pixels.copy_(Space.Clamp(pixels));
        var variable = fourier?.Variable ?? pixels!;
        using var adam = o.StepRule == SynthesisStep.Adam ? new AdamState(variable) : null;

        Tensor ModelInput() => fourier is null ? pixels! : Space.ToModel(fourier.Picture());
        double[] initial;
        using (no_grad()) initial = Objective.ToArray(Scores(ModelInput(), target));

        int jitter = o.ReferenceSide is int side && o.Jitter > 0 ? Math.Max(1, (int)Math.Round(o.Jitter * (double)Math.Max(shape[2], shape[3]) / side)) : o.Jitter;
        double stepLength = o.ReferenceSide is int reference
            ? o.LearningRate * Math.Sqrt(shape[1] * shape[2] * shape[3] / (3.0 * reference * reference))
            : o.LearningRate;
        var history = new List<double[]>(o.Steps);
        for (int step = 0; step < o.Steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var stepScope = NewDisposeScope();
            var (dy, dx) = Jitter.Offset(random, jitter);
            var affine = RandomAffine.Sample(random, o.Scales, o.MaxRotationDegrees, o.TransformShift);
            var x = RandomAffine.Apply(Jitter.Roll(ModelInput(), dy, dx), affine);
            var scores = Scores(x, target);
            var objective = scores.sum();
            if (o.L2 > 0) objective = objective - pixels!.pow(2).sum() * o.L2;
            var gradient = torch.autograd.grad([objective], [variable])[0];
            history.Add(Objective.ToArray(scores));
            using (no_grad())
            {
                variable.add_(o.StepRule switch
                {
                    SynthesisStep.Gradient => gradient * o.LearningRate,
                    SynthesisStep.Adam => adam!.Step(gradient, o.LearningRate),
                    _ => gradient * (stepLength / PerImageNorm(gradient)),
                });
                if (pixels is not null)
                {
                    if (o.Decay > 0) pixels.mul_(1 - o.Decay);
                    if (o.ClampToValidRange) pixels.copy_(Space.Clamp(pixels));
                    if (o.BlurEvery > 0 && step % o.BlurEvery == 0) pixels.copy_(GaussianBlur.Apply(pixels, o.BlurSigma));
                    if (o.NormClipPercentile > 0 || o.ContributionClipPercentile > 0)
                        PixelClipping.Apply(pixels, gradient, o.NormClipPercentile, o.ContributionClipPercentile);
                }
            }
            progress?.Report(new WorkProgress(method, step + 1, o.Steps, "steps"));
            if (Snapshots is not null && ((step + 1) % o.SnapshotEvery == 0 || step + 1 == o.Steps))
            {
                using var _ = no_grad();
                Snapshots.Report(new SynthesisSnapshot(method, step + 1, o.Steps, history[^1], ImageGrid.Of(Space.ToPicture(ModelInput()).clamp(0, 1), new ImageGridOptions { Title = method })));
            }
        }

        Tensor input, pictures;
        double[] final;
        using (no_grad())
        {
            input = ModelInput().detach().clone();
            final = Objective.ToArray(Scores(input, target));
            pictures = Space.ToPicture(input).clamp(0, 1);
        }
        var captions = Enumerable.Range(0, n).Select(i => string.Create(CultureInfo.InvariantCulture,
            $"{Describe(target, i)}: score {SynthesisResult.Number(initial[i])} → {SynthesisResult.Number(final[i])} after {o.Steps} steps")).ToArray();
        return new SynthesisResult(method, pictures.MoveToOuterDisposeScope(), input.MoveToOuterDisposeScope(), captions, history, guard.Warnings.ToArray())
        {
            InitialScores = initial,
            FinalScores = final,
        };
    }

    private string Describe(AttributionTarget target, int i) =>
        !target.IsUnit && ClassNames is { } names && target.ClassOf(i) < names.Count ? $"{target.Describe(i)} ({names[target.ClassOf(i)]})" : target.Describe(i);

    // A unit's objective needs the model only up to its layer, so the forward pass stops there.
    private Tensor Scores(Tensor x, AttributionTarget target) =>
        target.IsUnit ? Objective.UnitScore(LayerCode.Of(Model, target.Layer!, x), target) : Objective.Scores(Model, x, target);

    /// <summary>‖g‖₂ of each image, shaped [N, 1, …] to broadcast over g (tiny values floored so a zero gradient gives a zero step).</summary>
    internal static Tensor PerImageNorm(Tensor g) =>
        g.reshape(g.shape[0], -1).norm(1, keepdim: true).clamp_min(1e-12).reshape([g.shape[0], .. Enumerable.Repeat(1L, (int)g.dim() - 1)]);
}
