using System.Globalization;

namespace ConvVis.Rendering;

/// <summary>
/// <see cref="FilterLayout.SlicesPerFilter"/>: one row per filter, one grey tile per input channel, all slices of a
/// filter on that filter's scale. A filter with one input channel is simply one tile.
/// </summary>
internal sealed class SliceFilterPainter(int inputs) : FilterPainter
{
    private bool Slices => inputs > 1;

    /// <inheritdoc/>
    public override long TileCount(int filters) => Slices ? (long)filters * inputs : filters;

    /// <inheritdoc/>
    public override int? FixedColumns => Slices ? inputs : null;

    /// <inheritdoc/>
    public override TileCanvas Paint(FilterTiles filters, out ScaleInfo scale)
    {
        var scales = filters.Scales(out scale);
        int tiles = filters.Count * inputs;
        var canvas = new TileCanvas(tiles, filters.Columns, filters.TileWidth, filters.TileHeight,
            filters.Stats.SelectMany(s => Enumerable.Repeat(TileMarks.FrameOf(s), inputs)).ToArray());
        var values = filters.Values;
        int plane = filters.Plane;
        for (int t = 0; t < tiles; t++)
            canvas.PaintMapped(t, values.Slice(t * plane, plane), filters.KernelHeight, filters.KernelWidth, filters.Factor,
                scales[t / inputs], filters.Options.Colormap.Lut);
        return canvas;
    }

    /// <inheritdoc/>
    public override string LayoutNote(FilterTiles filters) =>
        Slices ? $"one row per {filters.Unit}: its {inputs} input-channel slices" : "one tile per " + filters.Unit;

    /// <inheritdoc/>
    public override TileRegion[] Regions(FilterTiles filters, (int X, int Y, int W, int H)[] rects)
    {
        if (!Slices) return base.Regions(filters, rects);
        var stats = filters.Stats;
        string unit = filters.Unit;
        int tiles = filters.Count * inputs;
        var sliceStats = TileStatistics.Compute(filters.Values, tiles, filters.Plane, Enumerable.Range(0, tiles).ToArray());
        return rects.Select((r, i) => new TileRegion(r.X, r.Y, r.W, r.H,
            $"{unit} {i / inputs}, input channel {i % inputs}\n" + string.Join("\n", sliceStats[i].Describe().Split('\n').Skip(1)) +
            "\n" + $"whole {unit}: " + (stats[i / inputs].IsDead ? "DEAD (all zero)" : $"min {TileStats.Format(stats[i / inputs].Min)}, max {TileStats.Format(stats[i / inputs].Max)}"),
            Label(stats[i / inputs].Channel, i / inputs, i % inputs))).ToArray();
    }

    /// <summary>
    /// Row and column labels of a slice grid, drawn on the tiles of the first column (the filter) and of the first row
    /// (":c", the input channel), so a screenshot says which is which without a label on every small tile.
    /// </summary>
    private static string? Label(int filter, int row, int inputChannel) =>
        inputChannel == 0 ? filter.ToString(CultureInfo.InvariantCulture)
        : row == 0 ? ":" + inputChannel.ToString(CultureInfo.InvariantCulture)
        : null;
}
