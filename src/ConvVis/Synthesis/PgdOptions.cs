namespace ConvVis;

/// <summary>The budget and schedule of <see cref="Adversarial.Pgd"/>; all sizes in picture units (values in [0, 1]).</summary>
public sealed record PgdOptions
{
    /// <summary>The L∞ radius: no pixel moves more than this (e.g. 8/255).</summary>
    public double Epsilon { get; init; } = 8.0 / 255;

    /// <summary>The size of each signed step (Kurakin et al.: 1/255; Madry et al.: 2.5 · ε / steps).</summary>
    public double StepSize { get; init; } = 2.0 / 255;

    /// <summary>Number of steps.</summary>
    public int Steps { get; init; } = 10;

    /// <summary>Start from a uniformly random point of the ε-ball (PGD) instead of the image itself (BIM).</summary>
    public bool RandomStart { get; init; } = true;

    /// <summary>True: make the model predict the given classes; false: make it stop predicting them.</summary>
    public bool Targeted { get; init; }

    /// <summary>The seed of the random start.</summary>
    public int Seed { get; init; }

    internal void Validate()
    {
        if (!(Epsilon > 0 && Epsilon <= 1)) throw new ArgumentOutOfRangeException(nameof(Epsilon), Epsilon, "Epsilon must be in (0, 1] (picture units).");
        if (!(StepSize > 0 && StepSize <= 1)) throw new ArgumentOutOfRangeException(nameof(StepSize), StepSize, "StepSize must be in (0, 1] (picture units).");
        if (Steps < 1) throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "Steps must be at least 1.");
    }
}
