namespace ConvVis;

/// <summary>Whether an attribution map is drawn with its sign.</summary>
public enum AttributionSign
{
    /// <summary>Signed (diverging colormap) when the map has negative values, unsigned otherwise.</summary>
    Auto,
    /// <summary>Magnitude only: |map| on a sequential colormap.</summary>
    Unsigned,
    /// <summary>Negative blue, zero white, positive red (diverging colormap), scaled symmetrically.</summary>
    Signed,
}

/// <summary>How an attribution is drawn over its input image.</summary>
public sealed class OverlayOptions
{
    /// <summary>Weight of the heatmap in the blend: 0 shows the image only, 1 the heatmap only; default 0.5.</summary>
    public double Alpha { get; init; } = 0.5;

    /// <summary>Signed or unsigned display; default <see cref="AttributionSign.Auto"/>.</summary>
    public AttributionSign Sign { get; init; } = AttributionSign.Auto;

    /// <summary>Colormap of unsigned maps; default inferno. Signed maps always use the diverging map.</summary>
    public Colormap UnsignedColormap { get; init; } = Colormap.Inferno;

    /// <summary>
    /// The percentile of |map| per image that saturates the colours (as Captum's outlier clipping); default 99.
    /// Gradients have a few huge pixels: scaling by the maximum would leave the rest black.
    /// </summary>
    public double Percentile { get; init; } = 99;

    /// <summary>Small images are enlarged (nearest neighbour) until their larger side is at least this; default 96.</summary>
    public int MinTileSize { get; init; } = 96;

    internal void Validate()
    {
        if (!(Alpha is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "Alpha must be between 0 and 1.");
        if (!(Percentile is > 0 and <= 100)) throw new ArgumentOutOfRangeException(nameof(Percentile), Percentile, "The percentile must be in (0, 100].");
        if (MinTileSize < 1) throw new ArgumentOutOfRangeException(nameof(MinTileSize), MinTileSize, "The minimum tile size must be at least 1.");
        ArgumentNullException.ThrowIfNull(UnsignedColormap);
    }
}
