namespace ConvVis;

/// <summary>Options of <see cref="Mosaic.Of"/>.</summary>
public sealed class MosaicOptions
{
    /// <summary>Number of tile columns; null chooses a near-square grid.</summary>
    public int? Columns { get; set; }

    /// <summary>At most this many channels are shown (the first ones of the selection); the caption says "showing 64 of 512 channels".</summary>
    public int MaxChannels { get; set; } = 64;

    /// <summary>Show these channel indices, in this order (null: all channels).</summary>
    public int[]? Channels { get; set; }

    /// <summary>
    /// Show the k channels with the highest mean activation (over finite values), highest first;
    /// chosen among <see cref="Channels"/> when both are set. When the candidates hold more than 4 million values the
    /// means are taken over every k-th row and column, and the caption says so.
    /// </summary>
    public int? TopK { get; set; }

    /// <summary>How values are scaled to the colormap (default: min-max per channel).</summary>
    public Normalization Normalization { get; set; } = Normalization.PerChannel;

    /// <summary>The colormap (default: viridis).</summary>
    public Colormap Colormap { get; set; } = Colormap.Viridis;

    /// <summary>
    /// Percentile p in (50, 100] to clip outliers: min-max scaling uses the (100 - p)th and pth percentiles,
    /// symmetric scaling the pth percentile of |x|. Null: no clipping.
    /// </summary>
    public double? ClipPercentile { get; set; }
    /// <summary>
    /// Tiles are upscaled (nearest neighbour, by an integer factor) until their larger side is at least this many pixels.
    /// Null (the default): the picture is scaled to fill <see cref="TargetWidth"/>; the caption says the scale.
    /// </summary>
    public int? MinTileSize { get; set; }

    /// <summary>The width in pixels an automatically scaled picture fills (default 640); ignored when <see cref="MinTileSize"/> is set.</summary>
    public int TargetWidth { get; set; } = ConvVis.Rendering.TileCanvas.DefaultTargetWidth;

    /// <summary>
    /// The most pixels the picture may have (default 4 million, at most 40 million). Small maps are upscaled less to
    /// fit; maps too big even without upscaling are shown downsampled (every k-th row and column, nearest neighbour),
    /// the caption says so, and the tile statistics are then those of the shown values.
    /// </summary>
    public long MaxPixels { get; set; } = DefaultMaxPixels;

    /// <summary>The default of <see cref="MaxPixels"/>: 4 million pixels (e.g. 2000 x 2000).</summary>
    public const long DefaultMaxPixels = 4_000_000;

    /// <summary>Which sample of an [N, C, H, W] batch to show.</summary>
    public int Sample { get; set; }

    /// <summary>A title shown above the mosaic (escaped).</summary>
    public string? Title { get; set; }

    internal void Validate()
    {
        Rendering.TileLayoutChecks.Columns(Columns);
        if (MaxChannels < 1) throw new ArgumentOutOfRangeException(nameof(MaxChannels), MaxChannels, "MaxChannels must be at least 1.");
        if (TopK is < 1) throw new ArgumentOutOfRangeException(nameof(TopK), TopK, "TopK must be at least 1 (or null).");
        if (Channels is { Length: 0 }) throw new ArgumentException("Channels is empty; give at least one channel index or leave it null for all channels.", nameof(Channels));
        Rendering.TileLayoutChecks.TileSize(MinTileSize, TargetWidth);
        Rendering.TileLayoutChecks.MaxPixels(MaxPixels);
        if (Sample < 0) throw new ArgumentOutOfRangeException(nameof(Sample), Sample, "Sample must be 0 or more.");
        ArgumentNullException.ThrowIfNull(Colormap, nameof(Colormap));
        Rendering.TileNormalizer.Validate(ClipPercentile, nameof(ClipPercentile));
    }
}
