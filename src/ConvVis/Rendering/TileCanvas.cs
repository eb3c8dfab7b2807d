using static TorchSharp.torch;

namespace ConvVis.Rendering;

/// <summary>Where a tile landed in the picture (pixels) and what its tooltip says.</summary>
internal sealed record TileRegion(int X, int Y, int Width, int Height, string Tooltip);

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

    /// <summary>Legend entries (CSS colour, meaning) for the marks present in <paramref name="stats"/>.</summary>
    public static IEnumerable<(string Css, string Text)> Legend(IEnumerable<TileStats> stats, string unit)
    {
        var list = stats.ToList();
        int dead = list.Count(s => s.IsDead && !s.HasNonFinite);
        int constant = list.Count(s => s.IsConstant && !s.IsDead && !s.HasNonFinite);
        int nonFinite = list.Count(s => s.HasNonFinite);
        if (dead > 0) yield return (Css(Dead), $"red frame: dead (all zero) — {dead} {unit}{(dead == 1 ? "" : "s")}");
        if (constant > 0) yield return (Css(Constant), $"orange frame: constant — {constant} {unit}{(constant == 1 ? "" : "s")}");
        if (nonFinite > 0) yield return (Css(NonFinite), $"magenta frame: contains NaN/Inf (NaN pixels magenta) — {nonFinite} {unit}{(nonFinite == 1 ? "" : "s")}");
    }

    public static string Css(byte[] c) => $"rgb({c[0]},{c[1]},{c[2]})";
}

/// <summary>
/// Lays RGB tiles out on a grid with torch block copies: nearest upscaling by an integer factor (expand + reshape),
/// each tile inside a cell with a <see cref="Margin"/>-pixel ring (separator, or frame colour for marked tiles),
/// cells placed row-major by one permute.
/// </summary>
internal static class TileCanvas
{
    /// <summary>Ring width around each tile: tiles are 2 * Margin pixels apart and Margin pixels from the edge.</summary>
    public const int Margin = 2;

    /// <summary>
    /// Composes <paramref name="tiles"/> ([S, h, w, 3] uint8, CPU) into one picture of <paramref name="columns"/> columns.
    /// <paramref name="rings"/> gives each tile's ring colour (S entries). Returns the pixels and the tile rectangles.
    /// </summary>
    public static RgbImage Compose(Tensor tiles, int scale, int columns, IReadOnlyList<byte[]> rings, out (int X, int Y, int W, int H)[] rects)
    {
        using var scope = NewDisposeScope();
        long s = tiles.shape[0], h = tiles.shape[1], w = tiles.shape[2];
        if (s == 0) throw new ArgumentException("Nothing to lay out: no tiles.");
        if (scale < 1) throw new ArgumentOutOfRangeException(nameof(scale));
        long th = h * scale, tw = w * scale;
        var up = scale == 1 ? tiles : tiles.view(s, h, 1, w, 1, 3).expand(s, h, scale, w, scale, 3).reshape(s, th, tw, 3);
        columns = (int)Math.Clamp(columns, 1, s);
        int rows = (int)((s + columns - 1) / columns);
        long cells = (long)rows * columns;
        long ch = th + 2 * Margin, cw = tw + 2 * Margin;
        CheckSize(s, columns, th, tw);

        var ringBytes = new byte[cells * 3];
        for (long i = 0; i < cells; i++)
        {
            var c = i < s ? rings[(int)i] : TileMarks.Background;
            ringBytes[i * 3] = c[0]; ringBytes[i * 3 + 1] = c[1]; ringBytes[i * 3 + 2] = c[2];
        }
        var canvas = tensor(ringBytes, [cells, 1, 1, 3]).expand(cells, ch, cw, 3).contiguous();
        canvas.narrow(0, 0, s).narrow(1, Margin, th).narrow(2, Margin, tw).copy_(up);
        var picture = canvas.view(rows, columns, ch, cw, 3).permute(0, 2, 1, 3, 4).contiguous();
        var pixelsOut = picture.bytes.ToArray();

        rects = new (int, int, int, int)[s];
        for (int i = 0; i < s; i++)
        {
            int r = i / columns, col = i % columns;
            rects[i] = ((int)(col * cw + Margin), (int)(r * ch + Margin), (int)tw, (int)th);
        }
        return new RgbImage((int)(columns * cw), (int)(rows * ch), pixelsOut);
    }

    /// <summary>Largest picture drawn, in pixels (about 6300 x 6300): beyond that a notebook output is unusable anyway.</summary>
    public const long MaxPixels = 40_000_000;

    /// <summary>Throws a clear message when <paramref name="count"/> tiles of th x tw in <paramref name="columns"/> columns exceed <see cref="MaxPixels"/>.</summary>
    public static void CheckSize(long count, long columns, long th, long tw)
    {
        columns = Math.Clamp(columns, 1, Math.Max(1, count));
        long rows = (count + columns - 1) / columns;
        double pixels = (double)rows * (th + 2 * Margin) * columns * (tw + 2 * Margin);
        if (pixels > MaxPixels)
            throw new ArgumentException($"The picture would have {rows * (th + 2 * Margin)} x {columns * (tw + 2 * Margin)} pixels (more than {MaxPixels / 1_000_000} million); show fewer tiles, crop the maps or lower MinTileSize.");
    }

    /// <summary>Columns that make a near-square picture of <paramref name="count"/> tiles of th x tw pixels.</summary>
    public static int AutoColumns(long count, long th, long tw)
    {
        double ratio = (double)(th + 2 * Margin) / (tw + 2 * Margin);
        return (int)Math.Clamp(Math.Ceiling(Math.Sqrt(count * ratio)), 1, Math.Max(1, count));
    }

    /// <summary>The integer nearest-neighbour factor that makes the larger side at least <paramref name="minTileSize"/>.</summary>
    public static int UpscaleFactor(long h, long w, int minTileSize)
    {
        long side = Math.Max(1, Math.Max(h, w));
        return (int)Math.Max(1, (minTileSize + side - 1) / side);
    }
}
