namespace ConvVis;

/// <summary>How values are scaled to [0, 1] before the colormap.</summary>
/// <remarks>
/// Ranges ignore NaN and infinities (+Inf shows as the top of the map, -Inf as the bottom, NaN in the NaN colour).
/// A zero range never divides: a constant unit shows at 0.5 (mid-map), an all-zero unit at 0 (bottom of the map)
/// with min-max scaling, and every value at 0.5 with symmetric scaling.
/// </remarks>
public enum Normalization
{
    /// <summary>Min-max per channel (per filter in a <see cref="FilterGrid"/>): each tile uses the whole colormap.</summary>
    PerChannel,

    /// <summary>Min-max over all shown channels together, so magnitudes compare across tiles.</summary>
    Shared,

    /// <summary>
    /// Symmetric around zero over all shown tiles together: v = 0.5 + x / (2 max|x|), so zero is mid-grey (the centre
    /// of the colormap), as in the CS231n filter pictures; scales compare across tiles.
    /// </summary>
    Symmetric,

    /// <summary>Symmetric around zero, but each tile scaled by its own max|x| (shows the shape of weak filters).</summary>
    SymmetricPerChannel,
}
