using System.Globalization;

namespace ConvVis.Rendering;

/// <summary>
/// Where a tile landed in the picture (pixels), what its tooltip says, and the short label (a channel, filter or image
/// index) shown on it: visible in exported HTML and screenshots, where tooltips are not.
/// </summary>
internal sealed record TileRegion(int X, int Y, int Width, int Height, string Tooltip, string? Label = null);

/// <summary>Frame colours that mark tiles needing attention; the HTML legend explains them.</summary>
internal static class TileMarks
{
    /// <summary>Separator and page colour: white.</summary>
    public static readonly byte[] Background = [255, 255, 255];
    /// <summary>Red frame: every value is zero (a dead channel or filter).</summary>
    public static readonly byte[] Dead = [230, 0, 0];
    /// <summary>Orange frame: every value equal but not zero.</summary>
    public static readonly byte[] Constant = [255, 150, 0];
    /// <summary>Magenta frame (the NaN colour): some value is NaN or infinite.</summary>
    public static readonly byte[] NonFinite = [255, 0, 255];

    /// <summary>The ring colour of a tile: non-finite wins over dead, dead over constant.</summary>
    public static byte[] FrameOf(TileStats s) => s.HasNonFinite ? NonFinite : s.IsDead ? Dead : s.IsConstant ? Constant : Background;

    /// <summary>
    /// Legend entries (CSS colour, meaning) for the marks present in <paramref name="stats"/>. <paramref name="allZero"/>
    /// names an all-zero tile: "dead" for filters, but "silent for this input" for the activations of one input,
    /// since CS231n's dead channel is zero for every input of a data set (#!dead-filters finds those).
    /// </summary>
    public static IEnumerable<(string Css, string Text)> Legend(IEnumerable<TileStats> stats, string unit, string allZero = "dead")
    {
        var list = stats.ToList();
        int dead = list.Count(s => s.IsDead && !s.HasNonFinite);
        int constant = list.Count(s => s.IsConstant && !s.IsDead && !s.HasNonFinite);
        int nonFinite = list.Count(s => s.HasNonFinite);
        if (dead > 0) yield return (Css(Dead), $"red frame: {allZero} (all zero) — {dead} {unit}{(dead == 1 ? "" : "s")}");
        if (constant > 0) yield return (Css(Constant), $"orange frame: constant — {constant} {unit}{(constant == 1 ? "" : "s")}");
        if (nonFinite > 0) yield return (Css(NonFinite), $"magenta frame: contains NaN/Inf (NaN pixels magenta) — {nonFinite} {unit}{(nonFinite == 1 ? "" : "s")}");
    }

    public static string Css(byte[] c) => $"rgb({c[0]},{c[1]},{c[2]})";
}

/// <summary>
/// An RGB picture of tiles on a grid, painted straight from float spans: each tile sits in a cell with a
/// <see cref="Margin"/>-pixel ring (white separator, or a frame colour for marked tiles); a value is scaled
/// (<see cref="RowScale"/>), looked up in a 256-entry table, written <c>scale</c> times across, and each finished pixel
/// row is block-copied <c>scale - 1</c> times down (nearest-neighbour upscaling). One pass, no per-pixel virtual calls.
/// </summary>
internal sealed class TileCanvas
{
    /// <summary>Ring width around each tile: tiles are 2 * Margin pixels apart and Margin pixels from the edge.</summary>
    public const int Margin = 2;

    /// <summary>Largest picture drawn, in pixels (about 6300 x 6300): beyond that a notebook output is unusable anyway.</summary>
    public const long MaxPixels = 40_000_000;

    private readonly IReadOnlyList<byte[]> _rings;
    private byte[]? _pixels;

    /// <summary>
    /// A canvas for <paramref name="count"/> tiles of <paramref name="tileWidth"/> x <paramref name="tileHeight"/> pixels, rings coloured per tile.
    /// The RGB pixels are made on the first paint: a painter of its own (<see cref="ColormapTileCanvas"/>) may use only the geometry.
    /// </summary>
    public TileCanvas(int count, int columns, int tileWidth, int tileHeight, IReadOnlyList<byte[]> rings)
    {
        if (count < 1) throw new ArgumentException("Nothing to lay out: no tiles.");
        CheckSize(count, columns, tileHeight, tileWidth);
        Count = count;
        Columns = Math.Clamp(columns, 1, count);
        Rows = (count + Columns - 1) / Columns;
        TileWidth = tileWidth; TileHeight = tileHeight;
        Width = Columns * (tileWidth + 2 * Margin);
        Height = Rows * (tileHeight + 2 * Margin);
        _rings = rings;
    }

    /// <summary>The RGB pixels: white, each tile's cell filled with its ring colour.</summary>
    private byte[] Rgb => _pixels ?? NewPixels();

    private byte[] NewPixels()
    {
        _pixels = new byte[Width * Height * 3];
        Fill(0, 0, Width, Height, TileMarks.Background);
        for (int i = 0; i < Count; i++)
        {
            if (ReferenceEquals(_rings[i], TileMarks.Background)) continue;
            var (x, y) = Origin(i);
            Fill(x - Margin, y - Margin, TileWidth + 2 * Margin, TileHeight + 2 * Margin, _rings[i]);
        }
        return _pixels;
    }

    /// <summary>The ring colour of tile <paramref name="i"/>.</summary>
    public byte[] Ring(int i) => _rings[i];

    public int Count { get; }
    public int Columns { get; }
    public int Rows { get; }
    public int TileWidth { get; }
    public int TileHeight { get; }
    public int Width { get; }
    public int Height { get; }

    /// <summary>Top-left pixel of tile <paramref name="i"/> (row-major).</summary>
    public (int X, int Y) Origin(int i) => ((i % Columns) * (TileWidth + 2 * Margin) + Margin, (i / Columns) * (TileHeight + 2 * Margin) + Margin);

    /// <summary>Rectangles of all tiles.</summary>
    public (int X, int Y, int W, int H)[] Rects() =>
        Enumerable.Range(0, Count).Select(i => { var (x, y) = Origin(i); return (x, y, TileWidth, TileHeight); }).ToArray();

    /// <summary>The finished pixels (the canvas must not be painted afterwards).</summary>
    public RgbImage ToImage() => new(Width, Height, Rgb);

    /// <summary>Paints an h x w map through a colormap table (<see cref="Colormap.Lut"/>, NaN entry included), upscaled by <paramref name="scale"/>.</summary>
    public void PaintMapped(int tile, ReadOnlySpan<float> values, int h, int w, int scale, RowScale rs, byte[] lut)
    {
        Span<ushort> indices = w <= 1024 ? stackalloc ushort[w] : new ushort[w];
        for (int y = 0; y < h; y++)
        {
            var src = values.Slice(y * w, w);
            for (int x = 0; x < w; x++) indices[x] = (ushort)Colormap.IndexOf(rs.Apply(src[x]));
            PaintIndexedRow(tile, y, indices, scale, lut);
        }
    }

    /// <summary>Paints an h x w map of colormap table indices (<see cref="Colormap.IndexOf"/>, NaN entry included), upscaled by <paramref name="scale"/>.</summary>
    public void PaintIndexed(int tile, ReadOnlySpan<ushort> indices, int h, int w, int scale, byte[] lut)
    {
        for (int y = 0; y < h; y++) PaintIndexedRow(tile, y, indices.Slice(y * w, w), scale, lut);
    }

    /// <summary>Row <paramref name="y"/> of a tile from colormap table indices, each pixel repeated <paramref name="scale"/> times across and down.</summary>
    void PaintIndexedRow(int tile, int y, ReadOnlySpan<ushort> indices, int scale, byte[] lut)
    {
        var (x0, y0) = Origin(tile);
        var pixels = Rgb;
        int stride = Width * 3, rowBytes = indices.Length * scale * 3;
        int start = ((y0 + y * scale) * Width + x0) * 3;
        var row = pixels.AsSpan(start, rowBytes);
        int o = 0;
        foreach (ushort index in indices)
        {
            int e = index * 3;
            byte r = lut[e], g = lut[e + 1], b = lut[e + 2];
            for (int k = 0; k < scale; k++) { row[o] = r; row[o + 1] = g; row[o + 2] = b; o += 3; }
        }
        for (int k = 1; k < scale; k++) row.CopyTo(pixels.AsSpan(start + k * stride, rowBytes));
    }

    /// <summary>
    /// Paints three h x w planes as red, green and blue (each quantised like a colormap index: floor(v * 255 + 0.5),
    /// so 0.5 is 128); a pixel with NaN in any plane is magenta.
    /// </summary>
    public void PaintRgb(int tile, ReadOnlySpan<float> planes, int h, int w, int scale, RowScale rs)
    {
        var (x0, y0) = Origin(tile);
        var pixels = Rgb;
        int stride = Width * 3, rowBytes = w * scale * 3, plane = h * w;
        for (int y = 0; y < h; y++)
        {
            int start = ((y0 + y * scale) * Width + x0) * 3;
            var row = pixels.AsSpan(start, rowBytes);
            int o = 0;
            for (int x = 0; x < w; x++)
            {
                int p = y * w + x;
                int ri = Colormap.IndexOf(rs.Apply(planes[p])), gi = Colormap.IndexOf(rs.Apply(planes[plane + p])), bi = Colormap.IndexOf(rs.Apply(planes[2 * plane + p]));
                bool nan = ri == Colormap.NanIndex || gi == Colormap.NanIndex || bi == Colormap.NanIndex;
                byte r = nan ? (byte)255 : (byte)ri, g = nan ? (byte)0 : (byte)gi, b = nan ? (byte)255 : (byte)bi;
                for (int k = 0; k < scale; k++) { row[o] = r; row[o + 1] = g; row[o + 2] = b; o += 3; }
            }
            for (int k = 1; k < scale; k++) row.CopyTo(pixels.AsSpan(start + k * stride, rowBytes));
        }
    }

    /// <summary>Paints an h x w tile of finished RGB pixels (3 bytes each, row-major), upscaled by <paramref name="scale"/>.</summary>
    public void PaintPixels(int tile, ReadOnlySpan<byte> rgb, int h, int w, int scale)
    {
        var (x0, y0) = Origin(tile);
        var pixels = Rgb;
        int stride = Width * 3, rowBytes = w * scale * 3;
        for (int y = 0; y < h; y++)
        {
            int start = ((y0 + y * scale) * Width + x0) * 3;
            var row = pixels.AsSpan(start, rowBytes);
            var src = rgb.Slice(y * w * 3, w * 3);
            int o = 0;
            for (int x = 0; x < w; x++)
                for (int k = 0; k < scale; k++) { src.Slice(x * 3, 3).CopyTo(row.Slice(o, 3)); o += 3; }
            for (int k = 1; k < scale; k++) row.CopyTo(pixels.AsSpan(start + k * stride, rowBytes));
        }
    }

    /// <summary>
    /// Lays out finished RGB tiles (<paramref name="tiles"/>: [S, h, w, 3] bytes) in <paramref name="columns"/> columns,
    /// each upscaled by <paramref name="scale"/> and ringed in its colour from <paramref name="rings"/>.
    /// </summary>
    public static RgbImage Compose(TorchSharp.torch.Tensor tiles, int scale, int columns, IReadOnlyList<byte[]> rings, out (int X, int Y, int W, int H)[] rects)
    {
        int count = (int)tiles.shape[0], h = (int)tiles.shape[1], w = (int)tiles.shape[2];
        var canvas = new TileCanvas(count, columns, w * scale, h * scale, rings);
        using var bytes = tiles.to(TorchSharp.torch.ScalarType.Byte).cpu().contiguous();
        ReadOnlySpan<byte> all = bytes.bytes;
        int tileBytes = h * w * 3;
        for (int i = 0; i < count; i++) canvas.PaintPixels(i, all.Slice(i * tileBytes, tileBytes), h, w, scale);
        rects = canvas.Rects();
        return canvas.ToImage();
    }

    private void Fill(int x, int y, int w, int h, byte[] c)
    {
        var pixels = _pixels!;
        var first = pixels.AsSpan((y * Width + x) * 3, w * 3);
        for (int i = 0; i < w; i++) { first[i * 3] = c[0]; first[i * 3 + 1] = c[1]; first[i * 3 + 2] = c[2]; }
        for (int r = 1; r < h; r++) first.CopyTo(pixels.AsSpan(((y + r) * Width + x) * 3, w * 3));
    }

    /// <summary>Throws a clear message when <paramref name="count"/> tiles of th x tw in <paramref name="columns"/> columns exceed <paramref name="maxPixels"/>.</summary>
    public static void CheckSize(long count, long columns, long th, long tw, long maxPixels = MaxPixels, string? hint = null)
    {
        if (Pixels(count, columns, th, tw) > maxPixels) throw TooBig(count, columns, th, tw, maxPixels, hint);
    }

    private static ArgumentException TooBig(long count, long columns, long th, long tw, long maxPixels, string? hint)
    {
        columns = Math.Clamp(columns, 1, Math.Max(1, count));
        long rows = (count + columns - 1) / columns;
        return new ArgumentException(string.Create(CultureInfo.InvariantCulture,
            $"The picture would have {rows * (th + 2 * Margin)} x {columns * (tw + 2 * Margin)} pixels (more than {maxPixels / 1e6:0.###} million); {hint ?? "show fewer tiles, crop the maps or lower MinTileSize."}"));
    }

    /// <summary>Pixels of a picture of <paramref name="count"/> tiles of th x tw in <paramref name="columns"/> columns (margins included).</summary>
    public static double Pixels(long count, long columns, long th, long tw)
    {
        columns = Math.Clamp(columns, 1, Math.Max(1, count));
        long rows = (count + columns - 1) / columns;
        return (double)rows * (th + 2 * Margin) * columns * (tw + 2 * Margin);
    }

    /// <summary>
    /// Fits <paramref name="count"/> tiles of h x w maps into <paramref name="maxPixels"/>: the largest nearest-neighbour
    /// upscaling factor up to <paramref name="upscale"/> that fits (Step 1), or else no upscaling and the smallest Step
    /// (keep every Step-th row and column) that fits. Columns are <paramref name="columns"/>, or near-square when null.
    /// A map thinner than the step it would need (e.g. 1 x 200000) cannot be shrunk evenly and is refused.
    /// </summary>
    public static (int Factor, int Step) Fit(long count, int? columns, long h, long w, int upscale, long maxPixels)
    {
        long ColumnsFor(long th, long tw) => columns ?? AutoColumns(count, th, tw);
        for (int f = Math.Max(1, upscale); f >= 1; f--)
            if (Pixels(count, ColumnsFor(h * f, w * f), h * f, w * f) <= maxPixels) return (f, 1);
        // Start near the answer (area shrinks with the square of the step), then walk up.
        long step = Math.Max(2, (long)Math.Floor(Math.Sqrt(count * (double)h * w / maxPixels)));
        long Shrunk(long size) => (size + step - 1) / step;
        while (step <= Math.Min(h, w) && Pixels(count, ColumnsFor(Shrunk(h), Shrunk(w)), Shrunk(h), Shrunk(w)) > maxPixels) step++;
        if (step > Math.Min(h, w))
            throw TooBig(count, ColumnsFor(h, w), h, w, maxPixels, $"the maps ({h} x {w}) are too thin to shrink evenly: show fewer tiles, or crop or reshape the maps.");
        return (1, (int)step);
    }

    /// <summary>What a downsampling step did, e.g. "downsampled: every 6th row and column (1000×1000 px per tile) to keep the picture within 1,000,000 pixels".</summary>
    public static string DownsampleCaption(int step, int tileWidth, int tileHeight, long maxPixels)
    {
        return string.Create(CultureInfo.InvariantCulture,
            $"downsampled: every {Ordinal(step)} row and column ({tileWidth}×{tileHeight} px per tile) to keep the picture within {maxPixels:N0} pixels");
    }

    /// <summary>"2nd", "3rd", "17th".</summary>
    public static string Ordinal(int n) => n + ((n % 100) is 11 or 12 or 13 ? "th" : (n % 10) switch { 1 => "st", 2 => "nd", 3 => "rd", _ => "th" });

    /// <summary>Columns that make a near-square picture of <paramref name="count"/> tiles of th x tw pixels.</summary>
    public static int AutoColumns(long count, long th, long tw)
    {
        double ratio = (double)(th + 2 * Margin) / (tw + 2 * Margin);
        return (int)Math.Clamp(Math.Ceiling(Math.Sqrt(count * ratio)), 1, Math.Max(1, count));
    }

    /// <summary>The default width a picture fills in a notebook column (within the 500–900 px that read well).</summary>
    public const int DefaultTargetWidth = 640;

    // An automatic scale never makes a picture bigger than this: a data URI of a few hundred kilobytes at most.
    private const long AutoScalePixelCap = 1_500_000;

    /// <summary>
    /// The upscaling factor of <paramref name="count"/> tiles of h x w: the one for <paramref name="minTileSize"/> when
    /// the user chose a tile size, else the largest that keeps the picture within <paramref name="targetWidth"/> pixels
    /// wide (and 1.5 million pixels), so that 16 small maps or 6 tiny filters fill a readable width instead of a corner.
    /// </summary>
    public static int PreferredFactor(long count, int? columns, long h, long w, int? minTileSize, int targetWidth)
    {
        if (minTileSize is { } size) return UpscaleFactor(h, w, size);
        int factor = 1;
        while (true)
        {
            int next = factor + 1;
            long cols = columns ?? AutoColumns(count, h * next, w * next);
            long rows = (count + cols - 1) / cols;
            long width = cols * (w * next + 2 * Margin), height = rows * (h * next + 2 * Margin);
            if (width > targetWidth || width * height > AutoScalePixelCap) return factor;
            factor = next;
        }
    }

    /// <summary>The integer nearest-neighbour factor that makes the larger side at least <paramref name="minTileSize"/>.</summary>
    public static int UpscaleFactor(long h, long w, int minTileSize)
    {
        long side = Math.Max(1, Math.Max(h, w));
        return (int)Math.Max(1, (minTileSize + side - 1) / side);
    }
}
