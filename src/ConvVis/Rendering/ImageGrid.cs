using System.Globalization;
using System.Runtime.InteropServices;
using ConvVis.Rendering;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>Options of <see cref="ImageGrid.Of"/>.</summary>
public sealed class ImageGridOptions
{
    /// <summary>Number of columns; null chooses a near-square grid.</summary>
    public int? Columns { get; set; }

    /// <summary>At most this many images are shown (the first ones).</summary>
    public int MaxImages { get; set; } = 64;
    /// <summary>
    /// Tiles are upscaled (nearest neighbour, by an integer factor) until their larger side is at least this many pixels.
    /// Null (the default): the picture is scaled to fill <see cref="TargetWidth"/>; the caption says the scale.
    /// </summary>
    public int? MinTileSize { get; set; }

    /// <summary>The width in pixels an automatically scaled picture fills (default 640); ignored when <see cref="MinTileSize"/> is set.</summary>
    public int TargetWidth { get; set; } = ConvVis.Rendering.TileCanvas.DefaultTargetWidth;

    /// <summary>Colormap for one-channel images (default gray).</summary>
    public Colormap Colormap { get; set; } = Colormap.Gray;

    /// <summary>A title shown above the grid (escaped).</summary>
    public string? Title { get; set; }

    /// <summary>
    /// The most pixels the picture may have (default 4 million, at most 40 million). Small images are upscaled less to
    /// fit; images too big even without upscaling are shown downsampled (every k-th row and column), and the caption says so.
    /// </summary>
    public long MaxPixels { get; set; } = MosaicOptions.DefaultMaxPixels;

    internal void Validate()
    {
        TileLayoutChecks.Columns(Columns);
        if (MaxImages < 1) throw new ArgumentOutOfRangeException(nameof(MaxImages), MaxImages, "MaxImages must be at least 1.");
        TileLayoutChecks.TileSize(MinTileSize, TargetWidth);
        ArgumentNullException.ThrowIfNull(Colormap, nameof(Colormap));
        TileLayoutChecks.MaxPixels(MaxPixels);
    }
}

/// <summary>
/// A batch of pictures: <c>[3, H, W]</c>, <c>[N, 3, H, W]</c> (colour) or <c>[N, 1, H, W]</c>, <c>[1, H, W]</c>, <c>[H, W]</c> (grey).
/// When every finite value of the shown images lies in [0, 1] they are shown as they are (values x 255);
/// otherwise each image is scaled by its own min and max (e.g. normalised network inputs).
/// NaN pixels are magenta and their image gets a magenta frame.
/// </summary>
public sealed class ImageGrid : TiledPicture
{
    private ImageGrid(RenderedPicture picture, TileCanvas canvas, int scale, TileStats[] tiles, int total, bool asIs)
        : base(picture, canvas, scale, tiles)
    {
        TotalImages = total;
        ShownAsIs = asIs;
    }

    /// <summary>Number of images shown.</summary>
    public int ShownImages => Tiles.Count;

    /// <summary>Number of images in the tensor.</summary>
    public int TotalImages { get; }

    /// <summary>True when values were in [0, 1] and shown as they are; false when each image was min-max scaled.</summary>
    public bool ShownAsIs { get; }

    /// <summary>Renders a batch of images (see the class remarks for the accepted shapes and the value rule).</summary>
    public static ImageGrid Of(Tensor images, ImageGridOptions? o = null)
    {
        var options = o ?? new ImageGridOptions();
        options.Validate();
        ArgumentNullException.ThrowIfNull(images);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = TensorInput.ToCpu(images, nameof(images));
        x = x.dim() switch
        {
            2 => x.reshape(1, 1, x.shape[0], x.shape[1]),
            3 when x.shape[0] is 1 or 3 => x.unsqueeze(0),
            4 when x.shape[1] is 1 or 3 => x,
            _ => throw new ArgumentException($"ImageGrid.Of expects images [3, H, W], [N, 3, H, W], [N, 1, H, W], [1, H, W] or [H, W]; got {TensorInput.Shape(x)}." +
                 (x.dim() == 4 && x.shape[3] is 1 or 3 ? " It looks channels-last: use t.permute(0, 3, 1, 2)." : ""), nameof(images)),
        };
        if (x.shape[0] == 0 || x.shape[2] == 0 || x.shape[3] == 0) throw new ArgumentException($"ImageGrid.Of got an empty tensor {TensorInput.Shape(images)}; nothing to show.", nameof(images));
        int total = (int)x.shape[0], c = (int)x.shape[1];
        long imageH = x.shape[2], imageW = x.shape[3];
        int shown = Math.Min(total, options.MaxImages);
        if (shown < total) x = x.narrow(0, 0, shown);
        // Size the picture before reading any value: big images are cut down to every step-th row and column (a view).
        int? fixedColumns = options.Columns is { } wanted ? Math.Min(wanted, shown) : null;
        var (factor, step) = TileCanvas.Fit(shown, fixedColumns, imageH, imageW,
            TileCanvas.PreferredFactor(shown, fixedColumns, imageH, imageW, options.MinTileSize, options.TargetWidth), options.MaxPixels);
        if (step > 1) x = x.slice(2, 0, imageH, step).slice(3, 0, imageW, step);
        int h = (int)x.shape[2], w = (int)x.shape[3];
        int columns = Math.Min(options.Columns ?? TileCanvas.AutoColumns(shown, (long)h * factor, (long)w * factor), shown);
        TileCanvas.CheckSize(shown, columns, (long)h * factor, (long)w * factor, options.MaxPixels);
        x = TensorInput.ToFloat(x);
        var rows = x.reshape(shown, (long)c * h * w).contiguous();
        var stats = TileStatistics.Compute(rows, Enumerable.Range(0, shown).ToArray());
        var finiteStats = stats.Where(s => !float.IsNaN(s.Min)).ToList();
        bool asIs = finiteStats.All(s => s.Min >= 0 && s.Max <= 1);
        var scales = asIs ? Enumerable.Repeat(RowScale.Identity, shown).ToArray() : TileNormalizer.Scales(rows, stats, Normalization.PerChannel, null, out _);
        var rings = stats.Select(s => s.HasNonFinite ? TileMarks.NonFinite : TileMarks.Background).ToArray();
        var canvas = new TileCanvas(shown, columns, w * factor, h * factor, rings);
        ReadOnlySpan<float> data = MemoryMarshal.Cast<byte, float>(rows.bytes);
        int size = c * h * w;
        for (int i = 0; i < shown; i++)
        {
            if (c == 3) canvas.PaintRgb(i, data.Slice(i * size, size), h, w, factor, scales[i]);
            else canvas.PaintMapped(i, data.Slice(i * size, size), h, w, factor, scales[i], options.Colormap.Lut);
        }
        var image = canvas.ToImage();
        var rects = canvas.Rects();
        var regions = rects.Select((r, i) => new TileRegion(r.X, r.Y, r.W, r.H,
            string.Join("\n", stats[i].Describe("image").Split('\n').Where(l => !l.StartsWith("DEAD", StringComparison.Ordinal) && !l.StartsWith("CONSTANT", StringComparison.Ordinal))),
            stats[i].Channel.ToString(CultureInfo.InvariantCulture))).ToArray();
        var captions = new List<string>
        {
            (shown < total ? $"showing {shown} of {total} images" : $"{total} image{(total == 1 ? "" : "s")}") + $", {(c == 3 ? "RGB" : "grey")} " +
                (step == 1 ? $"{h}×{w}, shown ×{factor}" : $"{imageH}×{imageW}, " + TileCanvas.DownsampleCaption(step, w, h, options.MaxPixels)),
            asIs ? "values in [0, 1] shown as they are" : "values outside [0, 1]: each image scaled by its own min and max",
        };
        var legend = stats.Any(s => s.HasNonFinite)
            ? new[] { (TileMarks.Css(TileMarks.NonFinite), "magenta frame: image contains NaN/Inf (NaN pixels magenta)") }
            : [];
        var picture = new RenderedPicture(image, regions, options.Title, captions, options.Title ?? $"{shown} images", null, legend);
        return new ImageGrid(picture, canvas, factor, stats, total, asIs);
    }
}
