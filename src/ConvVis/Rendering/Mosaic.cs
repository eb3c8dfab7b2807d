using ConvVis.Rendering;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// Activations as a grid of channel tiles: each channel a colour-mapped map, nearest-upscaled so small maps are
/// visible, separated by thin white lines; dead (all-zero) channels in a red frame, constant ones in orange,
/// channels with NaN/Inf in magenta. The HTML gives every tile a tooltip (channel, min, max, mean, % zero).
/// </summary>
public sealed class Mosaic : IVisual
{
    private readonly RenderedPicture picture;

    private Mosaic(RenderedPicture picture, int total, int[] channels, TileStats[] tiles, int scale, int columns, int rows, int tileW, int tileH)
    {
        this.picture = picture; TotalChannels = total; Channels = channels; Tiles = tiles;
        Scale = scale; Columns = columns; Rows = rows; TileWidth = tileW; TileHeight = tileH;
    }

    /// <summary>Number of channel tiles in the picture.</summary>
    public int ShownChannels => Channels.Count;

    /// <summary>Number of channels in the tensor.</summary>
    public int TotalChannels { get; }

    /// <summary>The channel index of each tile, in tile order (row-major).</summary>
    public IReadOnlyList<int> Channels { get; }

    /// <summary>Statistics of each tile, in tile order.</summary>
    public IReadOnlyList<TileStats> Tiles { get; }

    /// <summary>The nearest-neighbour upscaling factor applied to each map.</summary>
    public int Scale { get; }

    /// <summary>Number of tile columns.</summary>
    public int Columns { get; }

    /// <summary>Number of tile rows.</summary>
    public int Rows { get; }

    /// <summary>Width of one tile in pixels (map width times <see cref="Scale"/>).</summary>
    public int TileWidth { get; }

    /// <summary>Height of one tile in pixels (map height times <see cref="Scale"/>).</summary>
    public int TileHeight { get; }

    /// <inheritdoc/>
    public int Width => picture.Image.Width;

    /// <inheritdoc/>
    public int Height => picture.Image.Height;

    internal RenderedPicture Picture => picture;

    /// <inheritdoc/>
    public byte[] ToPng() => (byte[])picture.Png.Clone();

    /// <inheritdoc/>
    public string ToHtml() => picture.ToHtml();

    /// <summary>
    /// Renders activations <c>[C, H, W]</c> (or one sample of <c>[N, C, H, W]</c>, see <see cref="MosaicOptions.Sample"/>).
    /// Any real dtype and device; the tensor is read (detached, copied to the CPU) and never changed.
    /// </summary>
    /// <exception cref="ArgumentException">Wrong rank, empty tensor, or a channel index out of range.</exception>
    public static Mosaic Of(Tensor activations, MosaicOptions? options = null)
    {
        options ??= new MosaicOptions();
        options.Validate();
        ArgumentNullException.ThrowIfNull(activations);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = TensorInput.ToCpu(activations, nameof(activations));
        string sampleNote = "";
        if (x.dim() == 4)
        {
            long n = x.shape[0];
            if (options.Sample >= n)
                throw new ArgumentOutOfRangeException(nameof(options), options.Sample, $"Sample {options.Sample} is out of range: the batch {TensorInput.Shape(x)} has {n} sample(s) (0..{n - 1}).");
            if (n > 1) sampleNote = $", sample {options.Sample} of {n}";
            x = x[options.Sample];
        }
        else if (x.dim() != 3)
        {
            throw new ArgumentException($"Mosaic.Of expects activations [C, H, W] or [N, C, H, W]; got {x.dim()}-D {TensorInput.Shape(x)}." +
                (x.dim() == 2 ? " For a single map use t.unsqueeze(0)." : x.dim() == 1 ? " A vector has no spatial map; plot it as a chart instead." : ""), nameof(activations));
        }
        int c = (int)x.shape[0], h = (int)x.shape[1], w = (int)x.shape[2];
        if (c == 0 || h == 0 || w == 0) throw new ArgumentException($"Mosaic.Of got an empty tensor {TensorInput.Shape(activations)}; nothing to show.", nameof(activations));
        // Only the shown channels are converted to float (the top-k ranking reads its candidates).
        Tensor Rows(int[] channels) => TensorInput.ToFloat(x.index_select(0, tensor(channels.Select(i => (long)i).ToArray()))).reshape(channels.Length, (long)h * w);

        int[] candidates = options.Channels is { } chosen ? chosen.ToArray() : Enumerable.Range(0, c).ToArray();
        foreach (int ch in candidates)
            if (ch < 0 || ch >= c) throw new ArgumentOutOfRangeException(nameof(options), ch, $"Channel {ch} is out of range: the activations have {c} channels (0..{c - 1}).");

        string selection;
        int[] ordered = candidates;
        if (options.TopK is { } k)
        {
            ordered = RankByMean(Rows(candidates), candidates).Take(k).ToArray();
            selection = $"top {ordered.Length} of {(options.Channels is null ? c : candidates.Length)} channels by mean activation";
        }
        else selection = options.Channels is null ? $"{c} channels" : $"{candidates.Length} selected channels";
        int[] shown = ordered.Take(options.MaxChannels).ToArray();
        string caption = shown.Length < ordered.Length
            ? $"showing {shown.Length} of {(options.TopK is null && options.Channels is null ? c : ordered.Length)} channels (MaxChannels = {options.MaxChannels}){(options.TopK is null && options.Channels is null ? "" : "; " + selection)}"
            : shown.Length < c ? $"showing {selection}" : selection;
        if (shown.Length < c && !caption.Contains(" of " + c, StringComparison.Ordinal)) caption += $" (of {c})";

        int factor = TileCanvas.UpscaleFactor(h, w, options.MinTileSize);
        int columns = options.Columns is { } cols ? Math.Min(cols, shown.Length) : TileCanvas.AutoColumns(shown.Length, (long)h * factor, (long)w * factor);
        TileCanvas.CheckSize(shown.Length, columns, (long)h * factor, (long)w * factor);
        var shownRows = Rows(shown);
        var stats = TileStatistics.Compute(shownRows, shown);
        var v = TileNormalizer.Normalize(shownRows, options.Normalization, options.ClipPercentile, out var scale);
        var rgb = options.Colormap.Map(v.view(shown.Length, h, w));
        var image = TileCanvas.Compose(rgb, factor, columns, stats.Select(TileMarks.FrameOf).ToArray(), out var rects);

        var regions = rects.Select((r, i) => new TileRegion(r.X, r.Y, r.W, r.H, stats[i].Describe("channel"))).ToArray();
        var (lo, mid, hi) = scale.Labels();
        var captions = new List<string>
        {
            caption,
            $"maps {h}×{w}{sampleNote}, shown ×{factor} ({w * factor}×{h * factor} px per tile)",
            $"{scale.Describe()}; colormap {options.Colormap.Name}",
        };
        var picture = new RenderedPicture(image, regions, options.Title, captions,
            options.Title ?? $"activation mosaic of {shown.Length} channels", new ColorBar(options.Colormap, lo, mid, hi),
            TileMarks.Legend(stats, "channel").ToArray());
        int rowsCount = (shown.Length + columns - 1) / columns;
        return new Mosaic(picture, c, shown, stats, factor, columns, rowsCount, w * factor, h * factor);
    }

    /// <summary>Candidates sorted by mean over finite values, highest first (stable: ties keep their order); all-non-finite rows last.</summary>
    private static IEnumerable<int> RankByMean(Tensor sub, int[] candidates)
    {
        var finite = sub.isfinite();
        var sums = sub.masked_fill(finite.logical_not(), 0f).to(ScalarType.Float64).sum(1).data<double>().ToArray();
        var counts = finite.sum(1, type: ScalarType.Float64).data<double>().ToArray();
        var means = sums.Select((s, i) => counts[i] > 0 ? s / counts[i] : double.NegativeInfinity).ToArray();
        return Enumerable.Range(0, candidates.Length).OrderByDescending(i => means[i]).Select(i => candidates[i]);
    }
}
