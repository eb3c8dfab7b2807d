namespace ConvVis;

/// <summary>Where t-SNE starts.</summary>
public enum TSneInitialization
{
    /// <summary>The first two principal components, scaled to a standard deviation of 1e-4 (keeps the global layout; as openTSNE and scikit-learn).</summary>
    Pca,

    /// <summary>Gaussian points with standard deviation 1e-4 drawn from <see cref="TSneOptions.Seed"/>.</summary>
    Random,
}
