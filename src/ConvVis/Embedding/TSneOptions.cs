namespace ConvVis;

/// <summary>Options of <see cref="TSne"/>. The defaults are van der Maaten's: perplexity 30, 1000 iterations, early exaggeration 12 for 250 iterations, momentum 0.5 then 0.8, PCA to 50 dimensions first.</summary>
public sealed record TSneOptions
{
    /// <summary>The effective number of neighbours each point's Gaussian covers (default 30); must be below the number of points.</summary>
    public double Perplexity { get; init; } = 30;

    /// <summary>Gradient-descent iterations (default 1000).</summary>
    public int Iterations { get; init; } = 1000;

    /// <summary>Factor on P during the first <see cref="ExaggerationIterations"/> iterations (default 12), so clusters form before they settle.</summary>
    public double EarlyExaggeration { get; init; } = 12;

    /// <summary>Iterations with exaggerated P and momentum <see cref="InitialMomentum"/> (default 250).</summary>
    public int ExaggerationIterations { get; init; } = 250;

    /// <summary>Momentum during early exaggeration (default 0.5).</summary>
    public double InitialMomentum { get; init; } = 0.5;

    /// <summary>Momentum afterwards (default 0.8).</summary>
    public double FinalMomentum { get; init; } = 0.8;

    /// <summary>
    /// Step size for the gradient dC/dy (which includes its factor 4). Null (default): max(N / (4 x exaggeration), 50),
    /// Belkina et al. (2019)'s N / exaggeration in the convention without the 4, as scikit-learn's "auto".
    /// </summary>
    public double? LearningRate { get; init; }

    /// <summary>Reduce the codes to this many principal components first (default 50; null: keep every dimension).</summary>
    public int? PcaDimensions { get; init; } = 50;

    /// <summary>PCA (default) or random start.</summary>
    public TSneInitialization Initialization { get; init; } = TSneInitialization.Pca;

    /// <summary>Exact, Barnes-Hut, or chosen by size (default).</summary>
    public TSneMethod Method { get; init; } = TSneMethod.Auto;

    /// <summary>Barnes-Hut accuracy: a cell of width w at distance d is one body when w / d is below theta (default 0.5; 0 is exact and slow).</summary>
    public double Theta { get; init; } = 0.5;

    /// <summary>Seed of the random start (the result is the same for the same seed and data on one machine).</summary>
    public int Seed { get; init; }

    /// <summary>The KL divergence is computed (and progress reported) every this many iterations (default 50).</summary>
    public int ReportEvery { get; init; } = 50;

    /// <summary>Told every <see cref="ReportEvery"/> iterations.</summary>
    public IProgress<WorkProgress>? Progress { get; init; }

    /// <summary>Cancels between iterations.</summary>
    public CancellationToken CancellationToken { get; init; }

    internal void Validate(int n)
    {
        if (n < 4) throw new ArgumentException($"t-SNE needs at least 4 points; got {n}.");
        if (!(Perplexity >= 1) || double.IsInfinity(Perplexity)) throw new ArgumentOutOfRangeException(nameof(Perplexity), Perplexity, "Perplexity must be a finite number >= 1 (typically 5..50).");
        if (Perplexity > n - 1)
            throw new ArgumentOutOfRangeException(nameof(Perplexity), Perplexity, $"Perplexity {Perplexity} is not below the number of points ({n}); use at most {(n - 1) / 3} (a third of the points or less).");
        if (Iterations < 1) throw new ArgumentOutOfRangeException(nameof(Iterations), Iterations, "Iterations must be at least 1.");
        if (!(EarlyExaggeration >= 1) || double.IsInfinity(EarlyExaggeration)) throw new ArgumentOutOfRangeException(nameof(EarlyExaggeration), EarlyExaggeration, "EarlyExaggeration must be a finite number >= 1.");
        if (ExaggerationIterations < 0) throw new ArgumentOutOfRangeException(nameof(ExaggerationIterations), ExaggerationIterations, "ExaggerationIterations must not be negative.");
        if (InitialMomentum is < 0 or >= 1 || double.IsNaN(InitialMomentum)) throw new ArgumentOutOfRangeException(nameof(InitialMomentum), InitialMomentum, "Momentum must be in [0, 1).");
        if (FinalMomentum is < 0 or >= 1 || double.IsNaN(FinalMomentum)) throw new ArgumentOutOfRangeException(nameof(FinalMomentum), FinalMomentum, "Momentum must be in [0, 1).");
        if (LearningRate is double eta && !(eta > 0 && double.IsFinite(eta))) throw new ArgumentOutOfRangeException(nameof(LearningRate), eta, "LearningRate must be a positive number (or null for automatic).");
        if (PcaDimensions is < 2) throw new ArgumentOutOfRangeException(nameof(PcaDimensions), PcaDimensions, "PcaDimensions must be at least 2 (or null to skip PCA).");
        if (!(Theta >= 0) || double.IsInfinity(Theta)) throw new ArgumentOutOfRangeException(nameof(Theta), Theta, "Theta must be a finite number >= 0 (0.5 is usual).");
        if (ReportEvery < 1) throw new ArgumentOutOfRangeException(nameof(ReportEvery), ReportEvery, "ReportEvery must be at least 1.");
    }

    internal double LearningRateFor(int n) => LearningRate ?? Math.Max(n / (4 * EarlyExaggeration), 50);
}
