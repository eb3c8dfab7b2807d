namespace ConvVis;

/// <summary>Options of <see cref="ActivationStats.Collect(TorchSharp.torch.nn.Module{TorchSharp.torch.Tensor, TorchSharp.torch.Tensor}, IEnumerable{TorchSharp.torch.Tensor}, StatsOptions, string[])"/>.</summary>
public sealed record StatsOptions
{
    private readonly float _threshold;

    /// <summary>A value above this is "active"; dead channels never exceed it. Default 0 (ReLU outputs).</summary>
    public float Threshold
    {
        get => _threshold;
        init
        {
            _threshold = value;
            ThresholdGiven = true;
        }
    }

    /// <summary>True when <see cref="Threshold"/> was set (even to 0), so a second threshold given elsewhere can be checked against it.</summary>
    internal bool ThresholdGiven { get; private init; }

    /// <summary>A channel active on fewer than this fraction of inputs (but not dead) is nearly dead. Default 0.01.</summary>
    public double NearlyDeadFraction { get; init; } = 0.01;

    /// <summary>Bins per histogram; an odd number is rounded up to even (the range grows by doubling). Default 50.</summary>
    public int HistogramBins { get; init; } = 50;

    /// <summary>Stop after this many batches (null: all).</summary>
    public int? MaxBatches { get; init; }

    /// <summary>Told after every batch.</summary>
    public IProgress<ScanProgress>? Progress { get; init; }

    /// <summary>Cancels the scan between batches (hooks are removed and the mode restored).</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>Batch size used when the data is one tensor [N, ...] or a <see cref="LabeledImages"/> set. Default 64.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>For batches that are dictionaries (a TorchSharp <c>DataLoader</c>): the key of the input tensor. Default "data".</summary>
    public string InputKey { get; init; } = "data";

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

/// <summary>Progress of a scan over batches.</summary>
/// <param name="Batches">Batches done.</param>
/// <param name="TotalBatches">Batches planned, when known (a list, a data loader, or <see cref="StatsOptions.MaxBatches"/>).</param>
/// <param name="Inputs">Inputs (samples) done.</param>
public readonly record struct ScanProgress(int Batches, int? TotalBatches, long Inputs)
{
    /// <summary>Fraction done in [0, 1], when the total is known.</summary>
    public double? Fraction => TotalBatches is int t && t > 0 ? Math.Min(1.0, (double)Batches / t) : null;
}
