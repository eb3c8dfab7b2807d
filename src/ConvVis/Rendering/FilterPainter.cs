using System.Globalization;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace ConvVis.Rendering;

/// <summary>
/// The filters a <see cref="FilterGrid"/> shows, read once: the weights [filters, inputs, kh, kw] as contiguous float32,
/// the same as rows [filters, inputs · kh · kw], each filter's statistics, and the tile geometry chosen for them.
/// </summary>
internal sealed record FilterTiles(Tensor Weights, Tensor Rows, TileStats[] Stats, int Inputs, int KernelHeight, int KernelWidth,
    int Factor, int Columns, string Unit, FilterGridOptions Options)
{
    public int Count => Stats.Length;
    public int Plane => KernelHeight * KernelWidth;
    public int TileWidth => KernelWidth * Factor;
    public int TileHeight => KernelHeight * Factor;
    public ReadOnlySpan<float> Values => MemoryMarshal.Cast<byte, float>(Rows.bytes);
    public RowScale[] Scales(out ScaleInfo scale) => TileNormalizer.Scales(Rows, Stats, Options.Normalization, Options.ClipPercentile, out scale);
}

/// <summary>Draws the filters of a <see cref="FilterGrid"/> in one <see cref="FilterLayout"/>: one painter per layout.</summary>
internal abstract class FilterPainter
{
    /// <summary>The painter of <paramref name="layout"/> (never <see cref="FilterLayout.Auto"/>).</summary>
    public static FilterPainter For(FilterLayout layout, int inputs, bool bgr) => layout switch
    {
        FilterLayout.Rgb => new RgbFilterPainter(bgr),
        FilterLayout.SlicesPerFilter => new SliceFilterPainter(inputs),
        _ => new MeanFilterPainter(),
    };

    /// <summary>How many tiles <paramref name="filters"/> filters take.</summary>
    public virtual long TileCount(int filters) => filters;

    /// <summary>The column count the layout needs, or null when the options (or the automatic rule) decide.</summary>
    public virtual int? FixedColumns => null;

    /// <summary>True when values go through the colormap (so the picture has a colour bar).</summary>
    public virtual bool UsesColormap => true;

    /// <summary>Paints every tile and says how values were scaled.</summary>
    public abstract TileCanvas Paint(FilterTiles filters, out ScaleInfo scale);

    /// <summary>What the tiles are, for the caption.</summary>
    public abstract string LayoutNote(FilterTiles filters);

    /// <summary>One tooltip region per tile; by default one tile per filter, labelled with its index.</summary>
    public virtual TileRegion[] Regions(FilterTiles filters, (int X, int Y, int W, int H)[] rects) =>
        rects.Select((r, i) => new TileRegion(r.X, r.Y, r.W, r.H, filters.Stats[i].Describe(filters.Unit),
            filters.Stats[i].Channel.ToString(CultureInfo.InvariantCulture))).ToArray();

    /// <summary>A canvas with one tile per filter, framed by its statistics.</summary>
    private protected static TileCanvas OneTilePerFilter(FilterTiles filters) =>
        new(filters.Count, filters.Columns, filters.TileWidth, filters.TileHeight, filters.Stats.Select(TileMarks.FrameOf).ToArray());
}
