namespace ConvVis;

/// <summary>How a <see cref="FilterGrid"/> arranges filters with several input channels.</summary>
public enum FilterLayout
{
    /// <summary>
    /// <see cref="Rgb"/> when the filters have 3 input channels; otherwise <see cref="SlicesPerFilter"/> when
    /// (shown filters) x (input channels) is at most 1024 and there are at least 2 input channels; otherwise <see cref="OneTilePerFilter"/>.
    /// </summary>
    Auto,

    /// <summary>One colour tile per filter, input channels 0, 1, 2 as red, green, blue (needs exactly 3 input channels).</summary>
    Rgb,

    /// <summary>One row per output filter holding its input-channel slices as grey tiles (like CS231n's picture of AlexNet's second layer).</summary>
    SlicesPerFilter,

    /// <summary>One tile per output filter showing the <b>mean over its input channels</b> (keeps sign and spatial structure).</summary>
    OneTilePerFilter,
}

/// <summary>Options of <see cref="FilterGrid"/>.</summary>
public sealed class FilterGridOptions
{
    /// <summary>Tile arrangement (default: automatic, see <see cref="FilterLayout.Auto"/>).</summary>
    public FilterLayout Layout { get; set; } = FilterLayout.Auto;

    /// <summary>
    /// Scaling to [0, 1]; the unit is the output filter (PerChannel and SymmetricPerChannel scale each filter on its own).
    /// Default: symmetric around zero, shared over the grid, so zero weights are mid-grey.
    /// </summary>
    public Normalization Normalization { get; set; } = Normalization.Symmetric;

    /// <summary>Colormap for grey tiles (ignored by RGB tiles). Default: gray.</summary>
    public Colormap Colormap { get; set; } = Colormap.Gray;

    /// <summary>
    /// The colour order of the filters' 3 input channels in the RGB layout (default RGB). BGR models (Caffe, CNTK) need
    /// <see cref="ColorOrder.Bgr"/>, or their red edges show blue.
    /// </summary>
    public ColorOrder InputColorOrder { get; set; } = ColorOrder.Rgb;
    /// <summary>
    /// Tiles are upscaled (nearest neighbour, by an integer factor) until their larger side is at least this many pixels.
    /// Null (the default): the picture is scaled to fill <see cref="TargetWidth"/>; the caption says the scale.
    /// </summary>
    public int? MinTileSize { get; set; }

    /// <summary>The width in pixels an automatically scaled picture fills (default 640); ignored when <see cref="MinTileSize"/> is set.</summary>
    public int TargetWidth { get; set; } = ConvVis.Rendering.TileCanvas.DefaultTargetWidth;

    /// <summary>At most this many output filters are shown (the first ones).</summary>
    public int MaxFilters { get; set; } = 256;

    /// <summary>Tile columns for RGB and one-tile layouts (null: near square); slices always take one row per filter.</summary>
    public int? Columns { get; set; }

    /// <summary>Percentile in (50, 100] to clip outlier weights (see <see cref="MosaicOptions.ClipPercentile"/>); null: none.</summary>
    public double? ClipPercentile { get; set; }

    /// <summary>A title shown above the grid (escaped).</summary>
    public string? Title { get; set; }

    internal void Validate()
    {
        Rendering.TileLayoutChecks.Columns(Columns);
        if (MaxFilters < 1) throw new ArgumentOutOfRangeException(nameof(MaxFilters), MaxFilters, "MaxFilters must be at least 1.");
        Rendering.TileLayoutChecks.TileSize(MinTileSize, TargetWidth);
        ArgumentNullException.ThrowIfNull(Colormap, nameof(Colormap));
        Rendering.TileNormalizer.Validate(ClipPercentile, nameof(ClipPercentile));
    }
}
