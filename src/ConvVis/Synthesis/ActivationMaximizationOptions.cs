using System.Globalization;

namespace ConvVis;

/// <summary>
/// The knobs of <see cref="ActivationMaximization"/>: the objective's regularisers, the transforms applied before each
/// forward pass, the parameterisation and the step rule. Start from a preset (<see cref="Cs231n"/>, <see cref="Simonyan"/>,
/// <see cref="Yosinski"/>, <see cref="Lucid"/>) and change what you need with <c>with</c>-style object initialisers.
/// Pixel values, steps and L2 are measured in the model's input space (as in the papers and the assignment).
/// </summary>
public sealed record ActivationMaximizationOptions
{
    /// <summary>A name for captions (the preset's name).</summary>
    public string Name { get; init; } = "custom";

    /// <summary>Number of optimisation steps.</summary>
    public int Steps { get; init; } = 100;

    /// <summary>The learning rate of <see cref="StepRule"/>.</summary>
    public double LearningRate { get; init; } = 1;

    /// <summary>How the gradient becomes a step.</summary>
    public SynthesisStep StepRule { get; init; } = SynthesisStep.NormalizedGradient;

    /// <summary>What is optimised: the pixels, or a decorrelated Fourier spectrum.</summary>
    public ImageParameterization Parameterization { get; init; } = ImageParameterization.Pixels;

    /// <summary>Standard deviation of the random start (pixels in model-input units; for <see cref="ImageParameterization.Fourier"/>, of the spectrum).</summary>
    public double InitialStd { get; init; } = 1;

    /// <summary>λ of the penalty λ‖x‖² subtracted from the objective (Simonyan et al.; CS231n uses 1e-3).</summary>
    public double L2 { get; init; }

    /// <summary>After each step the pixels are multiplied by (1 − decay) (Yosinski et al.'s L2 decay).</summary>
    public double Decay { get; init; }

    /// <summary>Blur every this many steps (0: never); the step count starts at 0 as in the assignment.</summary>
    public int BlurEvery { get; init; }

    /// <summary>σ of the blur in pixels.</summary>
    public double BlurSigma { get; init; } = 0.5;

    /// <summary>Pixels whose norm over channels is in this lowest percentage are zeroed after each step (Yosinski et al.).</summary>
    public double NormClipPercentile { get; init; }

    /// <summary>Pixels whose contribution |Σ x·∂score/∂x| is in this lowest percentage are zeroed after each step (Yosinski et al.).</summary>
    public double ContributionClipPercentile { get; init; }

    /// <summary>Roll the image by up to this many pixels in y and x before each forward pass (the assignment's jitter).</summary>
    public int Jitter { get; init; }

    /// <summary>Random scale factors, one picked per step (empty: no scaling; Lucid: 0.90 … 1.10).</summary>
    public IReadOnlyList<double> Scales { get; init; } = [];

    /// <summary>Random rotation of up to this many degrees per step (Lucid: 10).</summary>
    public double MaxRotationDegrees { get; init; }

    /// <summary>Random shift of up to this many pixels applied with scaling and rotation (Lucid: 8).</summary>
    public int TransformShift { get; init; }

    /// <summary>
    /// The image side (in pixels) that the step length and jitter were chosen for, or null to use them as given. With
    /// a reference, a <see cref="SynthesisStep.NormalizedGradient"/> step has length rate · √(values / (3 · side²)), so
    /// each pixel moves as far as in a 3 × side × side image, and the jitter is scaled by (image side / side), at least
    /// 1 px. The CS231n preset says 224: a 28 × 28 grey image then gets steps of length 25 · √(784 / 150528) ≈ 1.8 and
    /// jitter up to 2 px, the assignment's per-pixel numbers.
    /// </summary>
    public int? ReferenceSide { get; init; }

    /// <summary>Clamp the pixels to the valid range of the <see cref="ImageSpace"/> after each step.</summary>
    public bool ClampToValidRange { get; init; }

    /// <summary>The seed of the random start and of every random transform: equal seeds give equal images.</summary>
    public int Seed { get; init; }

    /// <summary>Send a picture to <see cref="ActivationMaximization.Snapshots"/> every this many steps (and at the end).</summary>
    public int SnapshotEvery { get; init; } = 10;

    /// <summary>
    /// The CS231n assignment "Network Visualization" (class visualisation): L2 1e-3, learning rate 25 with steps of fixed
    /// length (g / ‖g‖), 100 iterations, jitter up to 16 px, blur σ 0.5 every 10 steps, clamp to the valid range,
    /// start from a standard normal image. Its numbers are for 224 × 224 RGB inputs standardised by ImageNet's mean and
    /// std; on other sizes the step length and jitter are scaled to move each pixel as far (<see cref="ReferenceSide"/>).
    /// </summary>
    public static ActivationMaximizationOptions Cs231n => new()
    {
        Name = "CS231n", Steps = 100, LearningRate = 25, StepRule = SynthesisStep.NormalizedGradient, L2 = 1e-3,
        Jitter = 16, BlurEvery = 10, BlurSigma = 0.5, ClampToValidRange = true, InitialStd = 1, ReferenceSide = 224,
    };

    /// <summary>
    /// Simonyan, Vedaldi and Zisserman (2014): plain gradient ascent on the (unnormalised) class score with an L2 penalty,
    /// from a nearly blank image. The paper gives no step or λ; these (rate 1, λ 1e-2, 200 steps, start σ 0.01) are ours,
    /// clamped to the valid range.
    /// </summary>
    public static ActivationMaximizationOptions Simonyan => new()
    {
        Name = "Simonyan", Steps = 200, LearningRate = 1, StepRule = SynthesisStep.Gradient, L2 = 1e-2,
        InitialStd = 0.01, ClampToValidRange = true,
    };

    /// <summary>
    /// Yosinski et al. (2015), one of the four regulariser combinations of their Table 1 (1 … 4):
    /// 1: blur σ 0.5 every 4 steps, clip pixels below the 50th norm percentile;
    /// 2: decay 0.3, clip pixels below the 20th norm percentile;
    /// 3: decay 1e-4, blur σ 1.0 every 4 steps;
    /// 4: clip pixels below the 90th contribution percentile.
    /// Steps of fixed length (rate 10 for 224 × 224 RGB, scaled as <see cref="ReferenceSide"/> says), 200 steps, a start near zero,
    /// clamped to the valid range.
    /// </summary>
    public static ActivationMaximizationOptions Yosinski(int combination = 3) => combination switch
    {
        1 => YosinskiBase(1) with { BlurEvery = 4, BlurSigma = 0.5, NormClipPercentile = 50 },
        2 => YosinskiBase(2) with { Decay = 0.3, NormClipPercentile = 20 },
        3 => YosinskiBase(3) with { Decay = 1e-4, BlurEvery = 4, BlurSigma = 1.0 },
        4 => YosinskiBase(4) with { ContributionClipPercentile = 90 },
        _ => throw new ArgumentOutOfRangeException(nameof(combination), combination, "Yosinski et al. give four combinations: 1, 2, 3 or 4."),
    };

    private static ActivationMaximizationOptions YosinskiBase(int row) => new()
    {
        Name = string.Create(CultureInfo.InvariantCulture, $"Yosinski #{row}"), Steps = 200, LearningRate = 10,
        StepRule = SynthesisStep.NormalizedGradient, InitialStd = 0.01, ClampToValidRange = true, ReferenceSide = 224,
    };

    /// <summary>
    /// Lucid-style feature visualisation (Olah et al. 2017): decorrelated Fourier parameterisation, Adam with learning
    /// rate 0.05, 512 steps, and before each forward pass a random shift of up to 8 px, a scale from 0.90 … 1.10 and a
    /// rotation of up to 10°.
    /// </summary>
    public static ActivationMaximizationOptions Lucid => new()
    {
        Name = "Lucid", Steps = 512, LearningRate = 0.05, StepRule = SynthesisStep.Adam,
        Parameterization = ImageParameterization.Fourier, InitialStd = 0.01,
        TransformShift = 8, Scales = Enumerable.Range(0, 11).Select(i => 1 + (i - 5) / 50.0).ToArray(), MaxRotationDegrees = 10,
    };

    internal void Validate()
    {
        if (Steps < 1) throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "Steps must be at least 1.");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "LearningRate must be positive and finite.");
        if (!(InitialStd >= 0)) throw new ArgumentOutOfRangeException(nameof(InitialStd), InitialStd, "InitialStd must be zero or positive.");
        if (!(L2 >= 0)) throw new ArgumentOutOfRangeException(nameof(L2), L2, "L2 must be zero or positive.");
        if (!(Decay >= 0 && Decay < 1)) throw new ArgumentOutOfRangeException(nameof(Decay), Decay, "Decay must be in [0, 1).");
        if (BlurEvery < 0) throw new ArgumentOutOfRangeException(nameof(BlurEvery), BlurEvery, "BlurEvery must be 0 (never) or positive.");
        if (!(BlurSigma > 0)) throw new ArgumentOutOfRangeException(nameof(BlurSigma), BlurSigma, "BlurSigma must be positive.");
        if (!(NormClipPercentile is >= 0 and < 100)) throw new ArgumentOutOfRangeException(nameof(NormClipPercentile), NormClipPercentile, "NormClipPercentile must be in [0, 100).");
        if (!(ContributionClipPercentile is >= 0 and < 100)) throw new ArgumentOutOfRangeException(nameof(ContributionClipPercentile), ContributionClipPercentile, "ContributionClipPercentile must be in [0, 100).");
        if (Jitter < 0 || TransformShift < 0) throw new ArgumentOutOfRangeException(nameof(Jitter), "Jitter and TransformShift must be zero or positive.");
        if (Scales is null || Scales.Any(s => !(s > 0) || double.IsInfinity(s))) throw new ArgumentOutOfRangeException(nameof(Scales), "Scales must be positive, finite factors (or empty).");
        if (!(MaxRotationDegrees is >= 0 and <= 180)) throw new ArgumentOutOfRangeException(nameof(MaxRotationDegrees), MaxRotationDegrees, "MaxRotationDegrees must be in [0, 180].");
        if (ReferenceSide is < 1) throw new ArgumentOutOfRangeException(nameof(ReferenceSide), ReferenceSide, "ReferenceSide must be at least 1 pixel (or null).");
        if (SnapshotEvery < 1) throw new ArgumentOutOfRangeException(nameof(SnapshotEvery), SnapshotEvery, "SnapshotEvery must be at least 1.");
        if (Parameterization == ImageParameterization.Fourier && (BlurEvery > 0 || NormClipPercentile > 0 || ContributionClipPercentile > 0 || Decay > 0 || L2 > 0))
            throw new ArgumentException("Blur, clipping, decay and L2 act on pixels; with the Fourier parameterisation set them to 0 (its 1/f scaling already favours smooth pictures) or use ImageParameterization.Pixels.");
    }
}
