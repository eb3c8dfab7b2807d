using System.Globalization;
using ConvVis.Rendering;

namespace ConvVis;

/// <summary>Options of <see cref="TopActivationsGrid"/>.</summary>
public sealed class TopActivationsGridOptions
{
    /// <summary>Tiles are upscaled (nearest neighbour, by an integer factor) until their larger side is at least this many pixels (default 64).</summary>
    public int MinTileSize { get; set; } = 64;

    /// <summary>The most pixels the picture may have (default 4 million); bigger grids show every k-th row and column, and the caption says so.</summary>
    public long MaxPixels { get; set; } = MosaicOptions.DefaultMaxPixels;

    /// <summary>A title above the grid (escaped); null: one that names the layer, the ranking and the data.</summary>
    public string? Title { get; set; }

    internal void Validate()
    {
        if (MinTileSize is < 1 or > 4096) throw new ArgumentOutOfRangeException(nameof(MinTileSize), MinTileSize, "MinTileSize must be in 1..4096 pixels.");
        if (MaxPixels < 1 || MaxPixels > TileCanvas.MaxPixels)
            throw new ArgumentOutOfRangeException(nameof(MaxPixels), MaxPixels, $"MaxPixels must be in 1..{TileCanvas.MaxPixels} pixels.");
    }
}

/// <summary>
/// The top inputs of several units as a grid, as in Zeiler and Fergus and the CS231n notes: a row per unit, best input
/// first; each tile is labelled with its activation value and label, and its tooltip gives the data-set index, the
/// location of the maximum and the patch's place. Patches are the receptive field around each maximum; where the
/// field reaches past the image border the missing part is grey (and the tooltip says "clipped").
/// Images whose values all lie in [0, 1] are shown as they are, others scaled by their own min and max.
/// </summary>
public sealed class TopActivationsGrid : IVisual
{
    static readonly byte[] Outside = [200, 200, 200];
    readonly RenderedPicture _picture;

    TopActivationsGrid(RenderedPicture picture, int rows, int columns, int scale, int step)
    {
        _picture = picture; Rows = rows; Columns = columns; Scale = scale; Step = step;
    }

    /// <summary>Rows (units).</summary>
    public int Rows { get; }

    /// <summary>Columns (the k of the search).</summary>
    public int Columns { get; }

    /// <summary>The nearest-neighbour upscaling factor.</summary>
    public int Scale { get; }

    /// <summary>1, or k when only every k-th row and column is shown to keep within the pixel limit.</summary>
    public int Step { get; }

    /// <inheritdoc/>
    public int Width => _picture.Image.Width;

    /// <inheritdoc/>
    public int Height => _picture.Image.Height;

    internal RenderedPicture Picture => _picture;

    /// <inheritdoc/>
    public byte[] ToPng() => (byte[])_picture.Png.Clone();

    /// <inheritdoc/>
    public string ToHtml() => _picture.ToHtml();

    /// <summary>Draws <paramref name="result"/>.</summary>
    /// <param name="result">The search result.</param>
    /// <param name="patches">Receptive-field patches instead of whole images.</param>
    /// <param name="options">Tile size, pixel limit, title.</param>
    /// <exception cref="ArgumentException">The result has no entries (an empty data set).</exception>
    public static TopActivationsGrid Of(TopActivationsResult result, bool patches = false, TopActivationsGridOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        options ??= new TopActivationsGridOptions();
        options.Validate();
        var units = result.Units.Where(u => u.Entries.Count > 0).ToArray();
        if (units.Length == 0) throw new ArgumentException("Nothing to draw: the search saw no inputs.", nameof(result));
        int columns = units.Max(u => u.Entries.Count);
        var tiles = units.SelectMany(u => u.Entries.Select(e => Tile.Of(e, patches))).ToArray();
        int h = tiles.Max(t => t.Height), w = tiles.Max(t => t.Width);
        int count = units.Length * columns;
        var (factor, step) = TileCanvas.Fit(count, columns, h, w, TileCanvas.UpscaleFactor(h, w, options.MinTileSize), options.MaxPixels);
        int sh = (h + step - 1) / step, sw = (w + step - 1) / step;
        var rings = Enumerable.Repeat(TileMarks.Background, count).ToArray();
        var canvas = new TileCanvas(count, columns, sw * factor, sh * factor, rings);
        var regions = new List<TileRegion>();
        var rects = canvas.Rects();
        int t = 0;
        for (int r = 0; r < units.Length; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                int slot = r * columns + c;
                if (c >= units[r].Entries.Count) continue;
                var entry = units[r].Entries[c];
                var tile = tiles[t++];
                canvas.PaintPixels(slot, tile.Pixels(h, w, step), sh, sw, factor);
                var rect = rects[slot];
                string label = result.LabelText(entry.Label);
                string value = entry.Value.ToString("G3", CultureInfo.InvariantCulture);
                regions.Add(new TileRegion(rect.X, rect.Y, rect.W, rect.H, Tooltip(result, units[r].Channel, c, entry, label),
                    label.Length == 0 ? value : value + " · " + label));
            }
        }
        var captions = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"rows: channel {string.Join(", ", units.Select(u => u.Channel))}; columns: best first, each labelled with its {(result.Ranking == UnitRanking.Max ? "max" : "mean")} activation{(units.Any(u => u.Entries.Any(e => e.Label is not null)) ? " · label" : "")}"),
            patches
                ? result.Field is { } f ? $"patches: the receptive field ({f.SizeY}×{f.SizeX} px, jump {f.JumpY}) around each maximum; grey: outside the image (clipped)"
                    : $"whole images: the receptive field is unknown ({result.FieldProblem})"
                : string.Create(CultureInfo.InvariantCulture, $"{result.Inputs:N0} inputs scanned; images {tiles[0].Height}×{tiles[0].Width}, shown ×{factor}"),
        };
        if (step > 1) captions.Add(TileCanvas.DownsampleCaption(step, sw, sh, options.MaxPixels));
        string title = options.Title ?? string.Create(CultureInfo.InvariantCulture,
            $"Top {result.K} {(patches ? "patches" : "images")} of layer '{result.Layer}' by {(result.Ranking == UnitRanking.Max ? "max" : "mean")} activation");
        var picture = new RenderedPicture(canvas.ToImage(), regions, title, captions, title, null, []);
        return new TopActivationsGrid(picture, units.Length, columns, factor, step);
    }

    static string Tooltip(TopActivationsResult result, int channel, int rank, TopActivation e, string label)
    {
        var s = string.Create(CultureInfo.InvariantCulture, $"channel {channel}, #{rank + 1}: input {e.Index}, {(result.Ranking == UnitRanking.Max ? "max" : "mean")} {e.Value:G4}");
        if (label.Length > 0) s += ", label " + label;
        if (e.Y is int y && e.X is int x) s += string.Create(CultureInfo.InvariantCulture, $"\nmaximum at ({y}, {x})");
        if (e.Region is { } r)
            s += string.Create(CultureInfo.InvariantCulture, $"\npatch rows {r.Top}..{r.Top + r.Height - 1}, columns {r.Left}..{r.Left + r.Width - 1}") + (r.Clipped ? " (field clipped at the image border)" : "");
        return s;
    }

    /// <summary>One tile's pixels: an image, or a patch placed inside its full field.</summary>
    sealed class Tile(StoredImage source, StoredImage shown, int offsetY, int offsetX, int height, int width)
    {
        public int Height => height;
        public int Width => width;

        public static Tile Of(TopActivation e, bool patch)
        {
            if (!patch || e.Region is not { } r) return new Tile(e.Image, e.Image, 0, 0, e.Image.Height, e.Image.Width);
            return new Tile(e.Image, e.Patch, r.Top - r.FieldTop, r.Left - r.FieldLeft, r.FieldHeight, r.FieldWidth);
        }

        /// <summary>RGB bytes of the tile drawn in an h x w cell (centred), every step-th pixel.</summary>
        public byte[] Pixels(int h, int w, int step)
        {
            int sh = (h + step - 1) / step, sw = (w + step - 1) / step;
            var rgb = new byte[sh * sw * 3];
            var (lo, scale) = Range(source);
            int top = (h - height) / 2 + offsetY, left = (w - width) / 2 + offsetX;
            int plane = shown.Height * shown.Width;
            for (int y = 0; y < sh; y++)
            {
                for (int x = 0; x < sw; x++)
                {
                    int sy = y * step - top, sx = x * step - left, o = (y * sw + x) * 3;
                    if (sy < 0 || sx < 0 || sy >= shown.Height || sx >= shown.Width) { Outside.CopyTo(rgb, o); continue; }
                    for (int ch = 0; ch < 3; ch++)
                    {
                        float v = shown.Values[(shown.Channels == 3 ? ch * plane : 0) + sy * shown.Width + sx];
                        rgb[o + ch] = float.IsFinite(v) ? (byte)Math.Clamp((int)Math.Floor((v - lo) * scale * 255 + 0.5), 0, 255) : ch == 1 ? (byte)0 : (byte)255;
                    }
                }
            }
            return rgb;
        }

        /// <summary>Identity for images in [0, 1]; else the image's own min and max (so a patch looks as it does in its image).</summary>
        static (float Low, float Scale) Range(StoredImage image)
        {
            float min = float.PositiveInfinity, max = float.NegativeInfinity;
            foreach (float v in image.Values)
                if (float.IsFinite(v)) { min = Math.Min(min, v); max = Math.Max(max, v); }
            if (min >= 0 && max <= 1 || min > max) return (0, 1);
            return (min, max > min ? 1 / (max - min) : 0);
        }
    }
}
