using System.Globalization;
using System.Runtime.InteropServices;
using ConvVis.Rendering;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// Activations as a grid of channel tiles: each channel a colour-mapped map, nearest-upscaled so small maps are
/// visible, separated by thin white lines; all-zero channels (silent for this input) in a red frame, constant ones in orange,
/// channels with NaN/Inf in magenta. The HTML gives every tile a tooltip (channel, min, max, mean, % zero).
/// </summary>
public sealed class Mosaic : TiledPicture
{
    private Mosaic(RenderedPicture picture, TileCanvas canvas, int scale, TileStats[] tiles, int total, int[] channels)
        : base(picture, canvas, scale, tiles)
    {
        TotalChannels = total;
        Channels = channels;
    }

    /// <summary>Number of channel tiles in the picture.</summary>
    public int ShownChannels => Channels.Count;

    /// <summary>Number of channels in the tensor.</summary>
    public int TotalChannels { get; }

    /// <summary>The channel index of each tile, in tile order (row-major).</summary>
    public IReadOnlyList<int> Channels { get; }

    // A channel that is zero for one input is silent, not dead: dead means zero for every input of a data set.
    private const string SilentLabel = "SILENT for this input";

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
        if (x.shape[0] == 0 || x.shape[1] == 0 || x.shape[2] == 0) throw new ArgumentException($"Mosaic.Of got an empty tensor {TensorInput.Shape(activations)}; nothing to show.", nameof(activations));
        int c = (int)x.shape[0];
        long mapH = x.shape[1], mapW = x.shape[2];
        int[] candidates = options.Channels is { } chosen ? chosen.ToArray() : Enumerable.Range(0, c).ToArray();
        foreach (int ch in candidates)
            if (ch < 0 || ch >= c) throw new ArgumentOutOfRangeException(nameof(options), ch, $"Channel {ch} is out of range: the activations have {c} channels (0..{c - 1}).");

        // Size the picture before reading any value: big maps are cut down to every step-th row and column (a view).
        int count = Math.Min(options.MaxChannels, Math.Min(options.TopK ?? int.MaxValue, candidates.Length));
        int? fixedColumns = options.Columns is { } wanted ? Math.Min(wanted, count) : null;
        var (factor, step) = TileCanvas.Fit(count, fixedColumns, mapH, mapW,
            TileCanvas.PreferredFactor(count, fixedColumns, mapH, mapW, options.MinTileSize, options.TargetWidth), options.MaxPixels);
        var full = x;
        x = Every(full, step);
        int h = (int)x.shape[1], w = (int)x.shape[2];

        int[] ordered = candidates;
        string rankNote = "";
        if (options.TopK is { } k)
        {
            // The ranking reads every candidate, so on big inputs it reads a coarser grid: at most RankBudget values.
            long rankStep = Math.Max(step, (long)Math.Floor(Math.Sqrt(candidates.Length * (double)mapH * mapW / RankBudget)));
            while (rankStep < Math.Max(mapH, mapW) && candidates.Length * (double)Shrunk(mapH, rankStep) * Shrunk(mapW, rankStep) > RankBudget) rankStep++;
            ordered = RankByMean(Every(full, (int)rankStep), candidates).Take(k).ToArray();
            if (rankStep > 1) rankNote = $" (means from every {TileCanvas.Ordinal((int)rankStep)} row and column)";
        }
        int[] shown = ordered.Take(options.MaxChannels).ToArray();
        string caption = SelectionCaption(options, c, candidates.Length, ordered.Length, shown.Length) + rankNote;

        int columns = options.Columns is { } cols ? Math.Min(cols, shown.Length) : TileCanvas.AutoColumns(shown.Length, (long)h * factor, (long)w * factor);
        TileCanvas.CheckSize(shown.Length, columns, (long)h * factor, (long)w * factor, options.MaxPixels);
        var shownRows = ChannelRows(x, shown);
        var stats = TileStatistics.Compute(shownRows, shown);
        var scales = TileNormalizer.Scales(shownRows, stats, options.Normalization, options.ClipPercentile, out var scale);
        var canvas = new TileCanvas(shown.Length, columns, w * factor, h * factor, stats.Select(TileMarks.FrameOf).ToArray());
        ReadOnlySpan<float> data = MemoryMarshal.Cast<byte, float>(shownRows.bytes);
        int p = h * w;
        var painter = new ColormapTileCanvas(canvas, h, w, factor, options.Colormap.Lut);
        for (int i = 0; i < shown.Length; i++)
            painter.Map(i, data.Slice(i * p, p), scales[i], !stats[i].HasNonFinite);
        var image = painter.ToImage();
        var rects = canvas.Rects();

        var regions = rects.Select((r, i) => new TileRegion(r.X, r.Y, r.W, r.H, stats[i].Describe("channel", SilentLabel),
            stats[i].Channel.ToString(CultureInfo.InvariantCulture))).ToArray();
        var (lo, mid, hi) = scale.Labels();
        var captions = new List<string>
        {
            caption,
            step == 1
                ? $"maps {h}×{w}{sampleNote}, shown ×{factor} ({w * factor}×{h * factor} px per tile)"
                : $"maps {mapH}×{mapW}{sampleNote}, " + TileCanvas.DownsampleCaption(step, w, h, options.MaxPixels) + "; tile statistics are of the shown values",
            $"{scale.Describe()}; colormap {options.Colormap.Name}",
        };
        var picture = new RenderedPicture(image, regions, options.Title, captions,
            options.Title ?? $"activation mosaic of {Words.Count(shown.Length, "channel")}", new ColorBar(options.Colormap, lo, mid, hi),
            TileMarks.Legend(stats, "channel", "silent for this input").ToArray());
        return new Mosaic(picture, canvas, factor, stats, c, shown);
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

    /// <summary>Values the top-k ranking reads at most: beyond, it reads every k-th row and column of the maps.</summary>
    private const long RankBudget = 1L << 22;

    private static long Shrunk(long size, long step) => (size + step - 1) / step;

    /// <summary>Every <paramref name="step"/>-th row and column of [C, H, W] maps (a view).</summary>
    private static Tensor Every(Tensor maps, int step) => step == 1 ? maps : maps.slice(1, 0, maps.shape[1], step).slice(2, 0, maps.shape[2], step);

    /// <summary>The given channels of [C, H, W] maps as contiguous float32 rows [channels, H * W]; only those channels are converted.</summary>
    private static Tensor ChannelRows(Tensor maps, int[] channels)
    {
        bool leading = channels.Select((ch, i) => ch == i).All(b => b);   // 0, 1, ..., n-1: a view, no gather
        var picked = leading ? maps.narrow(0, 0, channels.Length) : maps.index_select(0, tensor(channels.Select(i => (long)i).ToArray()));
        return TensorInput.ToFloat(picked).reshape(channels.Length, maps.shape[1] * maps.shape[2]);
    }

    /// <summary>
    /// Candidates sorted by mean over finite values, highest first (stable: ties keep their order); all-non-finite rows last.
    /// Channels are read a group at a time (about 4 million values), so thousands of candidates need no full float copy.
    /// </summary>
    private static IEnumerable<int> RankByMean(Tensor maps, int[] candidates)
    {
        long valuesPerChannel = maps.shape[1] * maps.shape[2];
        int group = (int)Math.Clamp((1L << 22) / Math.Max(1, valuesPerChannel), 1, candidates.Length);
        var means = new double[candidates.Length];
        for (int start = 0; start < candidates.Length; start += group)
        {
            using var scope = NewDisposeScope();
            var part = candidates.AsSpan(start, Math.Min(group, candidates.Length - start)).ToArray();
            var sub = ChannelRows(maps, part);
            var finite = sub.isfinite();
            var sums = sub.masked_fill(finite.logical_not(), 0f).sum(1, type: ScalarType.Float64).data<double>().ToArray();
            var counts = finite.sum(1, type: ScalarType.Float64).data<double>().ToArray();
            for (int i = 0; i < part.Length; i++) means[start + i] = counts[i] > 0 ? sums[i] / counts[i] : double.NegativeInfinity;
        }
        return Enumerable.Range(0, candidates.Length).OrderByDescending(i => means[i]).Select(i => candidates[i]);
    }
}
