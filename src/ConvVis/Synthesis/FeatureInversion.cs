using System.Globalization;
using ConvVis.Synthesis;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// Feature inversion (Mahendran and Vedaldi 2015, "Understanding Deep Image Representations by Inverting Them"): a
/// picture reconstructed from a layer's code alone, by matching the code under total-variation and norm regularisers
/// (<see cref="FeatureInversionOptions"/>). What survives in the reconstruction is what the layer keeps of the image.
/// <code>
/// var inverted = new FeatureInversion(model, "layer2.1.relu2") { Space = ImageSpace.From(resnet.Normalization) }.Run(x);
/// </code>
/// The model is left as it was; deterministic for a seed.
/// </summary>
public sealed class FeatureInversion
{
    /// <summary>Creates an inversion of <paramref name="layer"/>'s code in <paramref name="model"/>.</summary>
    public FeatureInversion(nn.Module<Tensor, Tensor> model, string layer, FeatureInversionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(layer);
        Model = model;
        Layer = layer;
        Options = options ?? new FeatureInversionOptions();
    }

    /// <summary>The model.</summary>
    public nn.Module<Tensor, Tensor> Model { get; }

    /// <summary>The layer whose code is inverted.</summary>
    public string Layer { get; }

    /// <summary>The objective's weights and the optimiser.</summary>
    public FeatureInversionOptions Options { get; }

    /// <summary>How pictures map to the model's input (default: the model takes pictures in [0, 1]).</summary>
    public ImageSpace Space { get; init; } = ImageSpace.Unit;

    /// <summary>Receives the pictures every <see cref="FeatureInversionOptions.SnapshotEvery"/> steps, for a live display.</summary>
    public IProgress<SynthesisSnapshot>? Snapshots { get; init; }

    /// <summary>Reconstructs each image of <paramref name="input"/> (model input [N, C, H, W] or [C, H, W]) from its code.</summary>
    /// <param name="input">The images whose code is the target; not modified.</param>
    /// <param name="progress">Steps done / total.</param>
    /// <param name="cancellationToken">Stops between steps with <see cref="OperationCanceledException"/>; the model is restored.</param>
    public SynthesisResult Run(Tensor input, IProgress<WorkProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = Options;
        o.Validate();
        if (input.dim() is not (3 or 4))
            throw new ArgumentException($"Expected model input [N, C, H, W] (or one image [C, H, W]); got [{string.Join(", ", input.shape)}].", nameof(input));
        if (!input.is_floating_point())
            throw new ArgumentException($"Expected a floating-point input; got {input.dtype}. Convert it with input.to(torch.float32).", nameof(input));
        cancellationToken.ThrowIfCancellationRequested();
        string method = $"feature inversion of {Layer}";

        using var scope = NewDisposeScope();
        var x0 = (input.dim() == 3 ? input.unsqueeze(0) : input).detach();
        long[] shape = x0.shape;
        int n = (int)shape[0];
        var random = new Random(o.Seed);
        var generator = new Generator((ulong)o.Seed);
        using var guard = new SynthesisGuard(Model);

        Tensor target;
        using (no_grad()) target = LayerCode.Of(Model, Layer, x0).detach().clone();
        var targetNorm2 = target.reshape(n, -1).pow(2).sum(1).clamp_min(1e-20);

        using var fourier = o.Parameterization == ImageParameterization.Fourier ? new FourierParameterization(shape, generator) : null;
        var pixels = fourier is null ? (rand(shape, generator: generator) * 0.2 + 0.4).requires_grad_(true) : null;
        var variable = fourier?.Variable ?? pixels!;
        using var adam = new AdamState(variable);
        Tensor Picture() => fourier?.Picture() ?? pixels!;

        // Relative error per image of the code of model input x: ‖φ(x) − φ₀‖ / ‖φ₀‖.
        double[] RelativeErrors(Tensor x)
        {
            using var s = NewDisposeScope();
            using var _ = no_grad();
            var diff = (LayerCode.Of(Model, Layer, x) - target).reshape(n, -1).pow(2).sum(1);
            return (diff / targetNorm2).sqrt().to(ScalarType.Float64).data<double>().ToArray();
        }
        var initial = RelativeErrors(Space.ToModel(Picture()).detach());

        var history = new List<double[]>(o.Steps);
        for (int step = 0; step < o.Steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var stepScope = NewDisposeScope();
            var picture = Picture();
            var (dy, dx) = Jitter.Offset(random, o.Jitter);
            // The code of a rolled image is compared with the rolled code only where the layer keeps the geometry, so jitter
            // shifts the picture and shifts it back: the optimisation sees every alignment without moving the target.
            var code = LayerCode.Of(Model, Layer, Space.ToModel(Jitter.Roll(picture, dy, dx)));
            if (dy != 0 || dx != 0) code = UnrollCode(code, dy, dx, shape);
            var perImage = (code - target).reshape(n, -1).pow(2).sum(1) / targetNorm2;
            var loss = perImage.sum();
            if (o.TotalVariation > 0) loss = loss + TotalVariation(picture) * o.TotalVariation;
            if (o.NormWeight > 0) loss = loss + (picture - 0.5).abs().pow(o.NormPower).reshape(n, -1).mean([1L]).sum() * o.NormWeight;
            var gradient = torch.autograd.grad([loss], [variable])[0];
            history.Add(perImage.detach().sqrt().to(ScalarType.Float64).data<double>().ToArray());
            using (no_grad())
            {
                variable.sub_(adam.Step(gradient, o.LearningRate));
                pixels?.clamp_(0, 1);
            }
            progress?.Report(new WorkProgress(method, step + 1, o.Steps, "steps"));
            if (Snapshots is not null && ((step + 1) % o.SnapshotEvery == 0 || step + 1 == o.Steps))
            {
                using var _ = no_grad();
                Snapshots.Report(new SynthesisSnapshot(method, step + 1, o.Steps, history[^1], ImageGrid.Of(Picture().clamp(0, 1), new ImageGridOptions { Title = method })));
            }
        }

        Tensor pictures, modelInput;
        using (no_grad())
        {
            pictures = Picture().detach().clamp(0, 1);
            modelInput = Space.ToModel(pictures);
        }
        var final = RelativeErrors(modelInput);
        var captions = Enumerable.Range(0, n).Select(i => string.Create(CultureInfo.InvariantCulture,
            $"image {i}: relative error of the {Layer} code {SynthesisResult.Number(initial[i])} → {SynthesisResult.Number(final[i])} after {o.Steps} steps")).ToArray();
        return new SynthesisResult(method, pictures.MoveToOuterDisposeScope(), modelInput.MoveToOuterDisposeScope(), captions, history, guard.Warnings.ToArray())
        {
            CodeRelativeErrors = final,
            InitialCodeRelativeErrors = initial,
        };
    }

    /// <summary>The mean squared difference of vertically and horizontally neighbouring pixels, summed over the batch.</summary>
    internal static Tensor TotalVariation(Tensor x)
    {
        long n = x.shape[0];
        var dy = (x[.., .., 1.., ..] - x[.., .., ..^1, ..]).pow(2).reshape(n, -1).mean([1L]);
        var dx = (x[.., .., .., 1..] - x[.., .., .., ..^1]).pow(2).reshape(n, -1).mean([1L]);
        return (dy + dx).sum();
    }

    // A spatial code [N, C, h, w] of an image rolled by (dy, dx) is rolled back by the same shift in code units
    // (the layer's stride, from the image and code sizes); codes without space are left as they are.
    private static Tensor UnrollCode(Tensor code, int dy, int dx, long[] imageShape)
    {
        if (code.dim() != 4) return code;
        long sy = Math.Max(1, imageShape[2] / code.shape[2]), sx = Math.Max(1, imageShape[3] / code.shape[3]);
        int cy = (int)(dy / sy), cx = (int)(dx / sx);
        return cy == 0 && cx == 0 ? code : code.roll([-cy, -cx], [2, 3]);
    }
}
