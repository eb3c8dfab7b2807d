namespace ConvVis;

/// <summary>
/// Progress of long work: a scan over batches, an attribution over many perturbed copies, an optimisation over steps.
/// Every long operation in ConvVis takes an <see cref="IProgress{T}"/> of this one type, so one progress display
/// (<c>NotebookProgress</c> in a notebook) serves them all.
/// </summary>
/// <param name="Work">What is being done, e.g. "Occlusion" or "Activation scan".</param>
/// <param name="Done">Units finished.</param>
/// <param name="Total">Units planned, when known.</param>
/// <param name="Unit">What a unit is, plural: "batches", "rows", "steps".</param>
public readonly record struct WorkProgress(string Work, long Done, long? Total, string Unit)
{
    /// <summary>Inputs (samples) processed so far, when the work goes through a data set.</summary>
    public long? Inputs { get; init; }

    /// <summary>Done / Total in [0, 1], when the total is known.</summary>
    public double? Fraction => Total is long t ? t == 0 ? 1 : Math.Min(1.0, (double)Done / t) : null;

    /// <summary>How far, without the name of the work: "40 of 100 copies", or "3 batches, 192 inputs" when the total is unknown.</summary>
    public string Amount =>
        (Total is long t ? $"{Done:N0} of {t:N0} {Unit}" : $"{Done:N0} {Unit}")
        + (Inputs is long n ? $", {n:N0} input{(n == 1 ? "" : "s")}" : "");

    /// <summary>One line for a log, e.g. "Occlusion: 40 of 100 copies".</summary>
    public override string ToString() => $"{Work}: {Amount}";
}
