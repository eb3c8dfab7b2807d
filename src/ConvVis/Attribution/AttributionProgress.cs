namespace ConvVis;

/// <summary>Progress of a long attribution (occlusion windows, SmoothGrad samples, integration steps).</summary>
/// <param name="Method">The technique that reports.</param>
/// <param name="Done">Work items finished (forward rows: perturbed, noisy or scaled copies).</param>
/// <param name="Total">Work items in all.</param>
public readonly record struct AttributionProgress(string Method, long Done, long Total)
{
    /// <summary>Done / Total, between 0 and 1.</summary>
    public double Fraction => Total == 0 ? 1 : (double)Done / Total;
}
