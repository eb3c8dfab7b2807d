using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace ConvVis.Rendering;

/// <summary>
/// <see cref="FilterLayout.OneTilePerFilter"/>: one grey tile per filter, the mean over its input channels, scaled from
/// the means' own statistics (frames still come from the whole filter: a dead filter stays marked).
/// </summary>
internal sealed class MeanFilterPainter : FilterPainter
{
    /// <inheritdoc/>
    public override TileCanvas Paint(FilterTiles filters, out ScaleInfo scale)
    {
        int plane = filters.Plane;
        var mean = filters.Weights.mean([1]).reshape(filters.Count, plane).contiguous();
        var meanStats = TileStatistics.Compute(mean, filters.Stats.Select((_, i) => i).ToArray());
        var scales = TileNormalizer.Scales(mean, meanStats, filters.Options.Normalization, filters.Options.ClipPercentile, out scale);
        var canvas = OneTilePerFilter(filters);
        ReadOnlySpan<float> means = MemoryMarshal.Cast<byte, float>(mean.bytes);
        for (int o = 0; o < filters.Count; o++)
            canvas.PaintMapped(o, means.Slice(o * plane, plane), filters.KernelHeight, filters.KernelWidth, filters.Factor,
                scales[o], filters.Options.Colormap.Lut);
        return canvas;
    }

    /// <inheritdoc/>
    public override string LayoutNote(FilterTiles filters) =>
        filters.Inputs > 1 ? $"one tile per {filters.Unit}: the mean over its {filters.Inputs} input channels" : "one tile per " + filters.Unit;
}
