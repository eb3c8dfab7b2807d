namespace ConvVis;

/// <summary>What <see cref="TrainingMonitor.Record"/> measured at one step of training.</summary>
public sealed class TrainingMonitorEntry
{
    internal TrainingMonitorEntry(double step, double? loss, double? accuracy,
        IReadOnlyDictionary<string, double> sparsity, IReadOnlyDictionary<string, int> deadCounts,
        IReadOnlyDictionary<string, double> filterNoise, IReadOnlyDictionary<string, Histogram> weightHistograms,
        IReadOnlyDictionary<string, Histogram> activationHistograms)
    {
        Step = step;
        Loss = loss;
        Accuracy = accuracy;
        Sparsity = sparsity;
        DeadCounts = deadCounts;
        FilterNoise = filterNoise;
        WeightHistograms = weightHistograms;
        ActivationHistograms = activationHistograms;
    }

    /// <summary>The epoch or step given to <see cref="TrainingMonitor.Record"/>.</summary>
    public double Step { get; }

    /// <summary>The loss given, if any.</summary>
    public double? Loss { get; }

    /// <summary>The accuracy given, if any.</summary>
    public double? Accuracy { get; }

    /// <summary>Fraction of zeros of each monitored layer's output on the probe batch.</summary>
    public IReadOnlyDictionary<string, double> Sparsity { get; }

    /// <summary>Number of dead channels of each monitored layer on the probe batch.</summary>
    public IReadOnlyDictionary<string, int> DeadCounts { get; }

    /// <summary>Filter noise score (<see cref="FilterNoiseReport.LayerScore"/>) of each Conv2d with kernels larger than 1×1.</summary>
    public IReadOnlyDictionary<string, double> FilterNoise { get; }

    /// <summary>Histogram of the weights of each Conv2d and Linear layer.</summary>
    public IReadOnlyDictionary<string, Histogram> WeightHistograms { get; }

    /// <summary>Histogram of each monitored layer's output on the probe batch.</summary>
    public IReadOnlyDictionary<string, Histogram> ActivationHistograms { get; }
}
