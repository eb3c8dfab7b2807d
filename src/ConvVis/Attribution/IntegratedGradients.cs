using ConvVis.AttributionCore;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>The quadrature rule of <see cref="IntegratedGradients"/> along the path from the baseline to the input.</summary>
public enum IntegrationRule
{
    /// <summary>Gauss–Legendre nodes and weights on [0, 1] (Captum's default): exact for polynomial paths of degree &lt; 2·steps.</summary>
    GaussLegendre,
    /// <summary>Trapezoid rule on <c>steps</c> equally spaced points including both ends (α = 0 and α = 1).</summary>
    RiemannTrapezoid,
}

/// <summary>
/// Integrated gradients (Sundararajan, Taly and Yan 2017, "Axiomatic Attribution for Deep Networks"):
/// (x − x′) · ∫₀¹ ∂F(x′ + α(x − x′))/∂x dα, with baseline x′ (zeros by default). The scaled copies of all images go
/// through the model in batches of <see cref="BatchSize"/>. The result reports per sample the completeness error
/// <see cref="Attribution.ConvergenceDelta"/> = Σ attributions − (F(x) − F(x′)), which shrinks as <see cref="Steps"/> grows.
/// </summary>
public sealed class IntegratedGradients : AttributionMethod
{
    /// <summary>Creates an integrated-gradients explainer of <paramref name="model"/>.</summary>
    public IntegratedGradients(nn.Module<Tensor, Tensor> model) : base(model) { }

    /// <summary>Points on the path (gradient evaluations per image); default 50.</summary>
    public int Steps { get; init; } = 50;

    /// <summary>The quadrature rule; default <see cref="IntegrationRule.GaussLegendre"/>.</summary>
    public IntegrationRule Rule { get; init; } = IntegrationRule.GaussLegendre;

    /// <summary>
    /// The baseline x′: null for zeros, or a tensor broadcastable to the input ([C, H, W], [1, C, H, W] or [N, C, H, W];
    /// e.g. a blurred image or the dataset mean). Not disposed by this class.
    /// </summary>
    public Tensor? Baseline { get; init; }

    /// <summary>Scaled copies per forward/backward batch; default 32.</summary>
    public int BatchSize { get; init; } = 32;

    /// <inheritdoc/>
    public override string Name => "Integrated gradients";

    private protected override Tensor Compute(Tensor x, AttributionTarget target, AttributionContext context,
        IProgress<WorkProgress>? progress, CancellationToken cancellationToken)
    {
        if (Steps < 1) throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "Integrated gradients needs at least one step.");
        if (Rule == IntegrationRule.RiemannTrapezoid && Steps < 2)
            throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "The trapezoid rule needs at least two points (both ends).");
        RowBatches.CheckBatchSize(BatchSize);

        int n = (int)x.shape[0];
        var baseline = BaselineFor(x);
        var delta = x - baseline;
        var (alphas, weights) = Rule == IntegrationRule.GaussLegendre ? Quadrature.GaussLegendre(Steps) : Quadrature.Trapezoid(Steps);
        var gradSum = torch.zeros_like(x);
        long total = (long)n * Steps;
        var ones = Enumerable.Repeat(1L, (int)x.dim() - 1).ToArray();

        RowBatches.Run(Name, total, BatchSize, progress, cancellationToken, (start, count) =>
        {
            var rows = RowBatches.Images(start, count, Steps);
            var a = new double[count];
            var w = new double[count];
            for (int i = 0; i < count; i++)
            {
                a[i] = alphas[(start + i) % Steps];
                w[i] = weights[(start + i) % Steps];
            }
            var index = torch.tensor(rows.Select(r => (long)r).ToArray(), device: x.device);
            var alpha = torch.tensor(a, dtype: x.dtype, device: x.device).reshape([count, .. ones]);
            var weight = torch.tensor(w, dtype: x.dtype, device: x.device).reshape([count, .. ones]);
            var scaled = baseline.index_select(0, index) + alpha * delta.index_select(0, index);
            var (grad, _) = Objective.InputGradient(Model, scaled, target.ForRows(rows));
            gradSum.index_add_(0, index, grad * weight, 1.0);
        });

        var attributions = delta * gradSum;
        var ends = Objective.ScoresNoGrad(Model, torch.cat([x, baseline]), target.ForRows([.. Enumerable.Range(0, n), .. Enumerable.Range(0, n)]));
        var fx = ends[..n];
        var fb = ends[n..];
        var error = attributions.reshape(n, -1).sum(1) - (fx - fb);
        context.TargetScores = Objective.ToArray(fx);
        context.BaselineScores = Objective.ToArray(fb);
        context.ConvergenceDelta = Objective.ToArray(error);
        return attributions;
    }

    private Tensor BaselineFor(Tensor x)
    {
        if (Baseline is null) return torch.zeros_like(x);
        var b = Baseline.detach().to(x.dtype, x.device);
        try
        {
            return b.expand(x.shape).contiguous();
        }
        catch (Exception e)
        {
            throw new ArgumentException($"The baseline has shape [{string.Join(", ", Baseline.shape)}], which does not broadcast to the input [{string.Join(", ", x.shape)}]. Give [C, H, W], [1, C, H, W] or [N, C, H, W].", e);
        }
    }
}
