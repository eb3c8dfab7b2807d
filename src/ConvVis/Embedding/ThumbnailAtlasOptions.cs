namespace ConvVis;

/// <summary>Options of <see cref="ThumbnailAtlas"/>.</summary>
public sealed record ThumbnailAtlasOptions
{
    /// <summary>Grid cells across; null (default): the smallest square grid that holds every shown image.</summary>
    public int? Columns { get; init; }

    /// <summary>The larger side of each thumbnail in pixels (default 32).</summary>
    public int TileSize { get; init; } = 32;

    /// <summary>At most this many images are placed (default 1024), evenly spaced through the data set.</summary>
    public int MaxImages { get; init; } = 1024;

    /// <summary>Names of the label values for the tooltips (index = label), e.g. <see cref="LabeledImages.ClassNames"/>.</summary>
    public IReadOnlyList<string>? LabelNames { get; init; }

    /// <summary>A title above the picture (escaped).</summary>
    public string? Title { get; init; }

    internal void Validate()
    {
        if (Columns is < 1 or > 1000) throw new ArgumentOutOfRangeException(nameof(Columns), Columns, "Columns must be in 1..1000 (or null for a square grid).");
        if (TileSize is < 4 or > 256) throw new ArgumentOutOfRangeException(nameof(TileSize), TileSize, "TileSize must be in 4..256 pixels.");
        if (MaxImages is < 1 or > 10000) throw new ArgumentOutOfRangeException(nameof(MaxImages), MaxImages, "MaxImages must be in 1..10000.");
    }
}
