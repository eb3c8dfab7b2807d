namespace ConvVis;

/// <summary>
/// The knobs of <see cref="FeatureInversion"/> (after Mahendran and Vedaldi 2015): the picture x minimises
/// ‖φ(x) − φ₀‖² / ‖φ₀‖² + <see cref="TotalVariation"/> · TV(x) + <see cref="NormWeight"/> · mean |x − ½|^<see cref="NormPower"/>,
/// where φ is the layer's code, TV the mean squared difference of neighbouring pixels (their β = 2) and x the picture in [0, 1].
/// </summary>
public sealed record FeatureInversionOptions
{
    /// <summary>Number of Adam steps.</summary>
    public int Steps { get; init; } = 200;

    /// <summary>Adam's learning rate on the picture (or on its spectrum with <see cref="ImageParameterization.Fourier"/>).</summary>
    public double LearningRate { get; init; } = 0.05;

    /// <summary>Weight of the total-variation penalty (smooth, natural-looking pictures); 0 turns it off.</summary>
    public double TotalVariation { get; init; } = 0.5;

    /// <summary>Weight of the α-norm penalty that keeps pixel values moderate; 0 turns it off.</summary>
    public double NormWeight { get; init; } = 1;

    /// <summary>α of the norm penalty (Mahendran and Vedaldi use 6).</summary>
    public double NormPower { get; init; } = 6;

    /// <summary>Roll the picture by up to this many pixels before each forward pass (0: off).</summary>
    public int Jitter { get; init; }

    /// <summary>What is optimised: the pixels (clamped to [0, 1]) or a decorrelated spectrum.</summary>
    public ImageParameterization Parameterization { get; init; } = ImageParameterization.Pixels;

    /// <summary>The seed of the random start and jitter: equal seeds give equal pictures.</summary>
    public int Seed { get; init; }

    /// <summary>Send a picture to <see cref="FeatureInversion.Snapshots"/> every this many steps (and at the end).</summary>
    public int SnapshotEvery { get; init; } = 20;

    internal void Validate()
    {
        if (Steps < 1) throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "Steps must be at least 1.");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "LearningRate must be positive and finite.");
        if (!(TotalVariation >= 0)) throw new ArgumentOutOfRangeException(nameof(TotalVariation), TotalVariation, "TotalVariation must be zero or positive.");
        if (!(NormWeight >= 0)) throw new ArgumentOutOfRangeException(nameof(NormWeight), NormWeight, "NormWeight must be zero or positive.");
        if (!(NormPower >= 1)) throw new ArgumentOutOfRangeException(nameof(NormPower), NormPower, "NormPower must be at least 1.");
        if (Jitter < 0) throw new ArgumentOutOfRangeException(nameof(Jitter), Jitter, "Jitter must be zero or positive.");
        if (SnapshotEvery < 1) throw new ArgumentOutOfRangeException(nameof(SnapshotEvery), SnapshotEvery, "SnapshotEvery must be at least 1.");
    }
}
