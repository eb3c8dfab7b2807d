namespace ConvVis.Rendering;

/// <summary>
/// <see cref="FilterLayout.Rgb"/>: a filter's three input channels as the red, green and blue of one tile (blue, green,
/// red for a BGR model, so its channel 0 lands on blue).
/// </summary>
internal sealed class RgbFilterPainter(bool bgr) : FilterPainter
{
    /// <inheritdoc/>
    public override bool UsesColormap => false;

    /// <inheritdoc/>
    public override TileCanvas Paint(FilterTiles filters, out ScaleInfo scale)
    {
        var scales = filters.Scales(out scale);
        var canvas = OneTilePerFilter(filters);
        var values = filters.Values;
        int size = 3 * filters.Plane;
        for (int o = 0; o < filters.Count; o++)
            canvas.PaintRgb(o, values.Slice(o * size, size), filters.KernelHeight, filters.KernelWidth, filters.Factor, scales[o]);
        return canvas;
    }

    /// <inheritdoc/>
    public override string LayoutNote(FilterTiles filters) => bgr
        ? "BGR input: input channels 0, 1, 2 shown as blue, green, red"
        : "RGB: input channels 0, 1, 2 as red, green, blue";
}
