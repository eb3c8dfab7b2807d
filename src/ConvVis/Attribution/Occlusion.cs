using ConvVis.AttributionCore;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// Occlusion (Zeiler and Fergus 2014): slide a window over the image, replace it with a baseline, and record how much
/// the target score drops, F(x) − F(x with the window occluded). Each pixel gets the mean drop over the windows that
/// cover it (as Captum). Windows span all channels, so the map [N, C, H, W] is equal across channels.
/// </summary>
/// <remarks>
/// Windows start at 0, stride, 2·stride, ... and a last one is added flush with the far edge when the stride does not
/// reach it, so every pixel is covered. The perturbed copies of all images are built batch by batch and run through
/// the model without a graph, <see cref="BatchSize"/> at a time, together with the unoccluded images (one extra row
/// per image, so no separate forward); progress counts these rows and cancellation is checked per batch.
/// </remarks>
public sealed class Occlusion : AttributionMethod
{
    /// <summary>Creates an occlusion explainer of <paramref name="model"/>.</summary>
    public Occlusion(nn.Module<Tensor, Tensor> model) : base(model) { }

    /// <summary>Window size (height, width) in pixels; default (8, 8).</summary>
    public (int Height, int Width) Window { get; init; } = (8, 8);

    /// <summary>Step between windows (height, width); default (4, 4).</summary>
    public (int Height, int Width) Stride { get; init; } = (4, 4);

    /// <summary>What replaces an occluded window; default the value 0.</summary>
    public OcclusionBaseline Baseline { get; init; } = OcclusionBaseline.Value(0);

    /// <summary>Occluded copies per forward batch; default 64.</summary>
    public int BatchSize { get; init; } = 64;

    /// <inheritdoc/>
    public override string Name => "Occlusion";

    /// <summary>The window start positions along one axis of length <paramref name="size"/>.</summary>
    internal static int[] Starts(long size, int window, int stride)
    {
        var starts = new List<int>();
        for (int s = 0; s + window <= size; s += stride) starts.Add(s);
        if (starts[^1] + window < size) starts.Add((int)size - window);
        return [.. starts];
    }

    /// <summary>Occlusion runs forward passes only: no gradient, so no conv correction.</summary>
    private protected override bool DifferentiatesTheModel => false;

    private protected override Tensor Compute(Tensor x, AttributionTarget target, AttributionContext context,
        IProgress<WorkProgress>? progress, CancellationToken cancellationToken)
    {
        if (x.dim() != 4) throw new ArgumentException($"Occlusion needs images [N, C, H, W]; got [{string.Join(", ", x.shape)}].");
        long height = x.shape[2], width = x.shape[3];
        if (Window.Height < 1 || Window.Width < 1 || Window.Height > height || Window.Width > width)
            throw new ArgumentOutOfRangeException(nameof(Window), $"The window {Window.Height}x{Window.Width} must be at least 1x1 and fit the {height}x{width} image.");
        if (Stride.Height < 1 || Stride.Width < 1)
            throw new ArgumentOutOfRangeException(nameof(Stride), $"The stride ({Stride.Height}, {Stride.Width}) must be at least 1 in both directions.");
        RowBatches.CheckBatchSize(BatchSize);

        int n = (int)x.shape[0];
        var ys = Starts(height, Window.Height, Stride.Height);
        var xs = Starts(width, Window.Width, Stride.Width);
        int windows = ys.Length * xs.Length;
        // Row slot 0 of each image is the image itself (its clean score rides in the same batches as the occluded
        // copies, instead of a separate small forward); slots 1..windows are the occluded copies.
        int slots = windows + 1;
        long total = (long)n * slots;

        Tensor baseline;
        using (torch.no_grad()) baseline = Baseline.For(x);
        var occludedScores = torch.zeros([n, 1, height, width], dtype: x.dtype, device: x.device); // Σ_w score_w · mask_w
        var clean = torch.zeros([n], dtype: x.dtype, device: x.device);
        var coverage = torch.zeros([1, 1, height, width], dtype: x.dtype, device: x.device);
        foreach (var y0 in ys)
            foreach (var x0 in xs)
                coverage[.., .., y0..(y0 + Window.Height), x0..(x0 + Window.Width)].add_(1);

        RowBatches.Run(Name, total, BatchSize, progress, cancellationToken, (start, count) =>
        {
            var rows = RowBatches.Images(start, count, slots);
            var cleanRows = new List<long>();
            using var noGrad = torch.no_grad();
            var mask = torch.zeros([count, 1, height, width], dtype: x.dtype, device: x.device);
            for (int i = 0; i < count; i++)
            {
                int slot = (int)((start + i) % slots);
                if (slot == 0) { cleanRows.Add(i); continue; }
                int w = slot - 1;
                int y0 = ys[w / xs.Length], x0 = xs[w % xs.Length];
                mask[i, .., y0..(y0 + Window.Height), x0..(x0 + Window.Width)].fill_(1);
            }
            var index = torch.tensor(rows.Select(r => (long)r).ToArray(), device: x.device);
            var images = x.index_select(0, index);
            var occluded = images.lerp(baseline.index_select(0, index), mask);
            var scores = Objective.Scores(Model, occluded, target.ForRows(rows)).detach();
            occludedScores.index_add_(0, index, mask * scores.reshape(count, 1, 1, 1), 1.0);
            if (cleanRows.Count > 0)
            {
                var at = torch.tensor(cleanRows.ToArray(), device: x.device);
                clean.index_copy_(0, index.index_select(0, at), scores.index_select(0, at));
            }
        });

        // Mean over covering windows of (clean − occluded) = clean − (Σ_w score_w · mask_w) / coverage.
        var attribution = clean.reshape(n, 1, 1, 1) - occludedScores / coverage;
        context.TargetScores = Objective.ToArray(clean);
        context.OcclusionWindows = windows;
        return attribution.expand(x.shape).contiguous();
    }
}
