using System.Runtime.InteropServices;
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
        Tensor Rows(int[] channels)
        {
            bool leading = channels.Select((ch, i) => ch == i).All(b => b);   // 0, 1, ..., n-1: a view, no gather
            var picked = leading ? x.narrow(0, 0, channels.Length) : x.index_select(0, tensor(channels.Select(i => (long)i).ToArray()));
            return TensorInput.ToFloat(picked).reshape(channels.Length, (long)h * w);
        }

        int[] candidates = options.Channels is { } chosen ? chosen.ToArray() : Enumerable.Range(0, c).ToArray();
        foreach (int ch in candidates)
            if (ch < 0 || ch >= c) throw new ArgumentOutOfRangeException(nameof(options), ch, $"Channel {ch} is out of range: the activations have {c} channels (0..{c - 1}).");

        int[] ordered = options.TopK is { } k ? RankByMean(Rows(candidates), candidates).Take(k).ToArray() : candidates;
        int[] shown = ordered.Take(options.MaxChannels).ToArray();
        string caption = SelectionCaption(options, c, candidates.Length, ordered.Length, shown.Length);

        int factor = TileCanvas.UpscaleFactor(h, w, options.MinTileSize);
        int columns = options.Columns is { } cols ? Math.Min(cols, shown.Length) : TileCanvas.AutoColumns(shown.Length, (long)h * factor, (long)w * factor);
        TileCanvas.CheckSize(shown.Length, columns, (long)h * factor, (long)w * factor);
        var shownRows = Rows(shown);
        var stats = TileStatistics.Compute(shownRows, shown);
        var scales = TileNormalizer.Scales(shownRows, stats, options.Normalization, options.ClipPercentile, out var scale);
        var canvas = new TileCanvas(shown.Length, columns, w * factor, h * factor, stats.Select(TileMarks.FrameOf).ToArray());
        ReadOnlySpan<float> data = MemoryMarshal.Cast<byte, float>(shownRows.bytes);
        int p = h * w;
        for (int i = 0; i < shown.Length; i++)
            canvas.PaintMapped(i, data.Slice(i * p, p), h, w, factor, scales[i], options.Colormap.Lut);
        var image = canvas.ToImage();
        var rects = canvas.Rects();

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
        return new Mosaic(picture, c, shown, stats, factor, canvas.Columns, canvas.Rows, w * factor, h * factor);
    }

    /// <summary>
    /// What the tiles are, e.g. "64 channels", "showing 64 of 512 channels (MaxChannels = 64)",
    /// "showing top 8 of 512 channels by mean activation", "showing 3 selected of 512 channels".
    /// </summary>
    private static string SelectionCaption(MosaicOptions options, int total, int candidates, int ordered, int shown)
    {
        string pool = options.Channels is null ? $"{total}" : $"{candidates} selected (of {total})";
        string what = options.TopK is null
            ? (options.Channels is null ? $"{total} channels" : $"{candidates} selected of {total} channels")
            : $"top {ordered} of {pool} channels by mean activation";
        if (shown < ordered)
            return $"showing {shown} of {(options.TopK is null && options.Channels is null ? $"{total} channels" : what)} (MaxChannels = {options.MaxChannels})";
        return shown < total ? "showing " + what : what;
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
