using System.Globalization;
using System.Runtime.InteropServices;
using ConvVis.Rendering;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// The images of a t-SNE map laid out on a grid (as in the CS231n notes' picture of CNN codes): the map is scaled to
/// the grid and each image goes to the free cell nearest its 2-D position, so similar images end up side by side and
/// no two overlap. One PNG, with the image index, label and map position as a tooltip on every cell.
/// </summary>
/// <remarks>
/// Images are placed in index order; one whose cell is taken goes to the nearest free cell (ties: the lower row, then
/// the lower column). When every value of the shown images lies in [0, 1] they are shown as they are, otherwise each is
/// scaled by its own min and max (e.g. normalised network inputs).
/// </remarks>
public sealed class ThumbnailAtlas : IVisual
{
    readonly RenderedPicture _picture;

    ThumbnailAtlas(RenderedPicture picture, int[] shown, (int Column, int Row)[] cells, int columns, int rows)
    {
        _picture = picture;
        ShownIndices = shown;
        Cells = cells;
        Columns = columns;
        Rows = rows;
    }

    /// <summary>The data-set index of every placed image.</summary>
    public IReadOnlyList<int> ShownIndices { get; }

    /// <summary>The grid cell of every placed image (same order as <see cref="ShownIndices"/>).</summary>
    public IReadOnlyList<(int Column, int Row)> Cells { get; }

    /// <summary>Grid cells across.</summary>
    public int Columns { get; }

    /// <summary>Grid cells down.</summary>
    public int Rows { get; }

    /// <inheritdoc/>
    public int Width => _picture.Image.Width;

    /// <inheritdoc/>
    public int Height => _picture.Image.Height;

    /// <inheritdoc/>
    public byte[] ToPng() => (byte[])_picture.Png.Clone();

    /// <inheritdoc/>
    public string ToHtml() => _picture.ToHtml();

    /// <summary>The atlas of a labelled image set (its class names name the labels).</summary>
    /// <param name="map">The t-SNE map of the images (same order).</param>
    /// <param name="data">The images.</param>
    /// <param name="options">Grid, tile size, image limit, title.</param>
    public static ThumbnailAtlas Of(TSneEmbedding map, LabeledImages data, ThumbnailAtlasOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new ThumbnailAtlasOptions();
        return Of(map, data.Images, options.LabelNames is null ? options with { LabelNames = data.ClassNames } : options);
    }

    /// <summary>The atlas of <paramref name="images"/> placed by <paramref name="map"/>.</summary>
    /// <param name="map">The t-SNE map of the images (same order; its labels, if any, go into the tooltips).</param>
    /// <param name="images">[N, 3, H, W] or [N, 1, H, W], one per map point.</param>
    /// <param name="options">Grid, tile size, image limit, label names, title.</param>
    /// <exception cref="ArgumentException">The images are not [N, 1 or 3, H, W] with N the map's number of points.</exception>
    public static ThumbnailAtlas Of(TSneEmbedding map, Tensor images, ThumbnailAtlasOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(images);
        options ??= new ThumbnailAtlasOptions();
        options.Validate();
        if (images.dim() != 4 || images.shape[1] is not (1 or 3) || images.shape[0] != map.Count)
            throw new ArgumentException(
                $"The atlas needs one image per map point, [{map.Count}, 3 or 1, H, W]; got [{string.Join(", ", images.shape)}]." +
                (images.dim() == 4 && images.shape[3] is 1 or 3 ? " It looks channels-last: use t.permute(0, 3, 1, 2)." : ""), nameof(images));
        int n = map.Count;
        int count = Math.Min(n, options.MaxImages);
        var shown = Enumerable.Range(0, count).Select(i => (int)((long)i * n / count)).ToArray();
        int columns = options.Columns ?? (int)Math.Ceiling(Math.Sqrt(count));
        int rows = (count + columns - 1) / columns;
        var cells = Place(map, shown, columns, rows);

        int tile = options.TileSize;
        long h = images.shape[2], w = images.shape[3];
        int th = (int)Math.Max(1, Math.Round(tile * (double)h / Math.Max(h, w))), tw = (int)Math.Max(1, Math.Round(tile * (double)w / Math.Max(h, w)));
        float[] thumbs;
        bool asIs;
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var x = TensorInput.ToCpuFloat(images.index_select(0, tensor(shown.Select(i => (long)i).ToArray()).to(images.device)), nameof(images));
            // Area averaging when shrinking (no aliasing), pixel repetition when enlarging.
            x = nn.functional.adaptive_avg_pool2d(x, [th, tw]);
            if (x.shape[1] == 1) x = x.expand(-1, 3, -1, -1);
            var finite = x.isfinite();
            var lowest = where(finite, x, full_like(x, float.PositiveInfinity)).amin([1L, 2L, 3L]);
            var highest = where(finite, x, full_like(x, float.NegativeInfinity)).amax([1L, 2L, 3L]);
            asIs = lowest.min().item<float>() >= 0 && highest.max().item<float>() <= 1;
            if (!asIs)
            {
                var range = (highest - lowest).clamp_min(1e-12f).view(-1, 1, 1, 1);
                x = (x - lowest.view(-1, 1, 1, 1)) / range;
            }
            x = where(finite, x.clamp(0, 1), zeros_like(x)).contiguous();
            thumbs = MemoryMarshal.Cast<byte, float>(x.bytes).ToArray();
        }

        int width = columns * tile, height = rows * tile;
        var pixels = new byte[width * height * 3];
        Array.Fill(pixels, (byte)255);
        int plane = th * tw, offX = (tile - tw) / 2, offY = (tile - th) / 2;
        var regions = new TileRegion[count];
        for (int k = 0; k < count; k++)
        {
            var (cx, cy) = cells[k];
            int left = cx * tile + offX, top = cy * tile + offY;
            for (int yy = 0; yy < th; yy++)
                for (int xx = 0; xx < tw; xx++)
                {
                    int o = ((top + yy) * width + left + xx) * 3;
                    for (int c = 0; c < 3; c++)
                        pixels[o + c] = (byte)Math.Round(thumbs[(k * 3 + c) * plane + yy * tw + xx] * 255);
                }
            int i = shown[k];
            string label = map.Labels is { } labels ? "\nlabel " + LabelText(labels[i], options.LabelNames) : "";
            regions[k] = new TileRegion(cx * tile, cy * tile, tile, tile,
                string.Create(CultureInfo.InvariantCulture, $"image {i}{label}\nt-SNE ({map.X(i):G4}, {map.Y(i):G4})"));
        }
        var captions = new List<string>
        {
            (count < n ? $"{count} of {n} images (evenly spaced)" : $"{n} images") +
                $" on a {columns}×{rows} grid, each in the free cell nearest its t-SNE position",
            asIs ? "values in [0, 1] shown as they are" : "values outside [0, 1]: each image scaled by its own min and max",
        };
        var picture = new RenderedPicture(new RgbImage(width, height, pixels), regions, options.Title, captions,
            options.Title ?? $"t-SNE atlas of {count} images", null, []);
        return new ThumbnailAtlas(picture, shown, cells, columns, rows);
    }

    static string LabelText(long label, IReadOnlyList<string>? names) =>
        names is not null && label >= 0 && label < names.Count
            ? $"{names[(int)label]} ({label.ToString(CultureInfo.InvariantCulture)})"
            : label.ToString(CultureInfo.InvariantCulture);

    /// <summary>Each shown point's cell: the map's bounding box is stretched over the grid and every point takes the nearest free cell.</summary>
    internal static (int Column, int Row)[] Place(TSneEmbedding map, int[] shown, int columns, int rows)
    {
        double minX = shown.Min(map.X), maxX = shown.Max(map.X), minY = shown.Min(map.Y), maxY = shown.Max(map.Y);
        double spanX = maxX - minX, spanY = maxY - minY;
        var taken = new bool[columns * rows];
        var cells = new (int, int)[shown.Length];
        for (int k = 0; k < shown.Length; k++)
        {
            int i = shown[k];
            // Cell coordinates of the point (cell centres at integer + 0.5); y grows downwards in the picture, up in the map.
            double gx = spanX > 0 ? (map.X(i) - minX) / spanX * columns : columns / 2.0;
            double gy = spanY > 0 ? (maxY - map.Y(i)) / spanY * rows : rows / 2.0;
            int best = -1;
            double bestD = double.PositiveInfinity;
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < columns; c++)
                {
                    if (taken[r * columns + c]) continue;
                    double dx = c + 0.5 - gx, dy = r + 0.5 - gy, d = dx * dx + dy * dy;
                    if (d < bestD) { bestD = d; best = r * columns + c; }
                }
            taken[best] = true;
            cells[k] = (best % columns, best / columns);
        }
        return cells;
    }
}
