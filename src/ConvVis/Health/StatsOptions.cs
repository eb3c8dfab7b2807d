namespace ConvVis;

/// <summary>Options of the scans over data: <see cref="ActivationStats.Collect(TorchSharp.torch.nn.Module{TorchSharp.torch.Tensor, TorchSharp.torch.Tensor}, InputBatches, StatsOptions, string[])"/> and <see cref="DeadFilters"/>.</summary>
public sealed record StatsOptions
{
    /// <summary>A value above this is "active"; dead channels never exceed it. Default 0 (ReLU outputs).</summary>
    public float Threshold { get; init; }

    /// <summary>A channel active on fewer than this fraction of inputs (but not dead) is nearly dead. Default 0.01.</summary>
    public double NearlyDeadFraction { get; init; } = 0.01;

    /// <summary>Bins per histogram; an odd number is rounded up to even (the range grows by doubling). Default 50.</summary>
    public int HistogramBins { get; init; } = 50;

    /// <summary>Stop after this many batches (null: all).</summary>
    public int? MaxBatches { get; init; }

    /// <summary>Told after every batch.</summary>
    public IProgress<WorkProgress>? Progress { get; init; }

    /// <summary>Cancels the scan between batches (hooks are removed and the mode restored).</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>
    /// Refuses a NaN or infinite threshold: every comparison with NaN is false, so a NaN threshold would silently
    /// report every channel dead (and an infinite one every channel dead or none).
    /// </summary>
    internal static void CheckThreshold(float threshold, string name)
    {
        if (!float.IsFinite(threshold))
            throw new ArgumentOutOfRangeException(name, threshold, $"The threshold must be a finite number, e.g. 0 (ReLU outputs) or 0.01; it was {threshold}.");
    }
}
