using ConvVis.AttributionCore;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// SmoothGrad (Smilkov et al. 2017): the mean of an inner method's maps over noisy copies of each image,
/// x + N(0, σ²) with σ = <see cref="NoiseLevel"/> × (max(x) − min(x)) per image. Wraps any gradient method
/// (<see cref="Saliency"/>, <see cref="GuidedBackprop"/>, <see cref="DeconvNet"/>, <see cref="IntegratedGradients"/>, ...).
/// The noisy copies of all images go through the model in batches of <see cref="BatchSize"/>.
/// </summary>
public sealed class SmoothGrad : AttributionMethod
{
    /// <summary>SmoothGrad over <paramref name="inner"/> (its model is explained).</summary>
    public SmoothGrad(AttributionMethod inner) : base((inner ?? throw new ArgumentNullException(nameof(inner))).Model)
        => Inner = inner;

    /// <summary>SmoothGrad over a default <see cref="Saliency"/> of <paramref name="model"/>.</summary>
    public SmoothGrad(nn.Module<Tensor, Tensor> model) : this(new Saliency(model)) { }

    /// <summary>The wrapped method.</summary>
    public AttributionMethod Inner { get; }

    /// <summary>σ as a fraction of each image's value range (paper: 10–20 %); default 0.15.</summary>
    public double NoiseLevel { get; init; } = 0.15;

    /// <summary>Noisy copies per image; default 25.</summary>
    public int Samples { get; init; } = 25;

    /// <summary>Noisy copies per forward/backward batch; default 32.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Seed of the noise, for reproducible maps; null draws from torch's global generator.</summary>
    public long? Seed { get; init; }

    /// <inheritdoc/>
    public override string Name => $"SmoothGrad ({Inner.Name})";

    private protected override Tensor Compute(Tensor x, AttributionTarget target, AttributionContext context,
        IProgress<WorkProgress>? progress, CancellationToken cancellationToken)
    {
        if (Samples < 1) throw new ArgumentOutOfRangeException(nameof(Samples), Samples, "SmoothGrad needs at least one noisy sample.");
        if (NoiseLevel < 0) throw new ArgumentOutOfRangeException(nameof(NoiseLevel), NoiseLevel, "The noise level must be zero or positive.");

        int n = (int)x.shape[0];
        long total = (long)n * Samples;
        var flat = x.reshape(n, -1);
        var sigma = (flat.amax([1L]) - flat.amin([1L])) * NoiseLevel; // [N]
        using var generator = Seed is { } seed ? new torch.Generator((ulong)seed, x.device) : null;
        var inner = new AttributionContext(Inner.Name);
        Tensor? sum = null;

        RowBatches.Run(Name, total, BatchSize, progress, cancellationToken, (start, count) =>
        {
            var rows = RowBatches.Images(start, count, Samples);
            var index = torch.tensor(rows.Select(r => (long)r).ToArray(), device: x.device);
            var clean = x.index_select(0, index);
            var noise = torch.randn(clean.shape, dtype: clean.dtype, device: clean.device, generator: generator);
            var noisy = clean + noise * sigma.index_select(0, index).reshape([count, .. Enumerable.Repeat(1L, (int)x.dim() - 1)]);
            var maps = Inner.ComputeFor(noisy, target.ForRows(rows), inner, cancellationToken);
            if (sum is null)
                sum = torch.zeros([n, .. maps.shape.Skip(1)], dtype: maps.dtype, device: maps.device).MoveToOuterDisposeScope();
            sum.index_add_(0, index, maps.detach(), 1.0);
        });
        context.WarnAll(inner.Warnings);
        context.NoiseSigma = Objective.ToArray(sigma);
        return sum!.div_(Samples);
    }
}
