using System.Buffers;
using System.Runtime.Intrinsics;

namespace ConvVis.Rendering;

/// <summary>
/// Colormapped tiles painted straight as one byte per pixel. Each value becomes its colormap table index
/// (<see cref="Colormap.IndexOf"/>, 16 values at a time for tiles without NaN or infinities); once every tile is mapped,
/// the colours that appear (table entries used, ring colours, white background) are known, and the picture is written
/// once through a table from index to palette index (or grey level), in the palette order of <see cref="PngPalette"/>.
/// So the PNG is the one that painting RGB and indexing it would give, at a third of the bytes and without hashing every
/// pixel's colour. A picture of more than 256 colours falls back to RGB painting on the <see cref="TileCanvas"/>.
/// </summary>
internal sealed class ColormapTileCanvas
{
    private readonly TileCanvas _grid;
    private readonly int _h, _w, _scale;
    private readonly byte[] _lut;
    private readonly ushort[] _codes;          // the table index of every value, tile after tile (pooled)
    private readonly bool[] _used = new bool[Colormap.NanIndex + 1];

    /// <summary>Tiles of h x w values, each shown <paramref name="scale"/> times larger on <paramref name="grid"/>, through the colormap table <paramref name="lut"/>.</summary>
    public ColormapTileCanvas(TileCanvas grid, int h, int w, int scale, byte[] lut)
    {
        if (grid.TileWidth != w * scale || grid.TileHeight != h * scale)
            throw new ArgumentException($"Tiles of {h}x{w} values at x{scale} do not fill cells of {grid.TileHeight}x{grid.TileWidth} pixels.");
        _grid = grid; _h = h; _w = w; _scale = scale; _lut = lut;
        _codes = ArrayPool<ushort>.Shared.Rent(grid.Count * h * w);
    }

    /// <summary>Maps the h x w values of tile <paramref name="tile"/>; <paramref name="allFinite"/> says it has no NaN or infinity.</summary>
    public void Map(int tile, ReadOnlySpan<float> values, RowScale rs, bool allFinite)
    {
        var codes = _codes.AsSpan(tile * _h * _w, _h * _w);
        if (allFinite) MapFinite(values, rs, codes);
        else for (int i = 0; i < codes.Length; i++) codes[i] = (ushort)Colormap.IndexOf(rs.Apply(values[i]));
        foreach (ushort c in codes) _used[c] = true;
    }

    /// <summary>
    /// <see cref="Colormap.IndexOf"/>(<see cref="RowScale.Apply"/>(x)) of finite values, 16 at a time: the same float
    /// operations in the same order (no fused multiply-add), so the same indices. A block whose scaled value is NaN
    /// (an overflowing x - C with A = 0) is done one value at a time.
    /// </summary>
    private static void MapFinite(ReadOnlySpan<float> values, RowScale rs, Span<ushort> codes)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var c = Vector256.Create(rs.C);
            var a = Vector256.Create(rs.A);
            var b = Vector256.Create(rs.B);
            for (; i + 16 <= values.Length; i += 16)
            {
                var v0 = (Vector256.Create(values.Slice(i, 8)) - c) * a + b;
                var v1 = (Vector256.Create(values.Slice(i + 8, 8)) - c) * a + b;
                if (Vector256.EqualsAll(v0, v0) && Vector256.EqualsAll(v1, v1))
                    Vector256.Narrow(Index(v0), Index(v1)).CopyTo(codes.Slice(i, 16));
                else
                    for (int k = i; k < i + 16; k++) codes[k] = (ushort)Colormap.IndexOf(rs.Apply(values[k]));
            }
        }
        for (; i < values.Length; i++) codes[i] = (ushort)Colormap.IndexOf(rs.Apply(values[i]));
    }

    private static Vector256<uint> Index(Vector256<float> v)
    {
        var clamped = Vector256.Min(Vector256.Max(v, Vector256<float>.Zero), Vector256<float>.One);
        return Vector256.ConvertToInt32(Vector256.Floor(clamped * 255f + Vector256.Create(0.5f))).AsUInt32();
    }

    /// <summary>The finished picture: palette indices, grey levels, or RGB when it has more than 256 colours.</summary>
    public RgbImage ToImage()
    {
        try
        {
            var present = new HashSet<int>();
            for (int c = 0; c < _used.Length; c++)
                if (_used[c]) present.Add(Key(_lut, c * 3));
            for (int i = 0; i < _grid.Count; i++) present.Add(Key(_grid.Ring(i), 0));
            if (_grid.Count < _grid.Rows * _grid.Columns) present.Add(Key(TileMarks.Background, 0)); // empty cells stay white

            if (present.All(IsGrey)) return RgbImage.Grey(_grid.Width, _grid.Height, Paint(k => (byte)(k >> 16)));
            if (present.Count > 256)
            {
                int values = _h * _w;
                for (int i = 0; i < _grid.Count; i++) _grid.PaintIndexed(i, _codes.AsSpan(i * values, values), _h, _w, _scale, _lut);
                return _grid.ToImage();
            }
            var order = PngPalette.Order([.. present]);
            var rank = new Dictionary<int, byte>(order.Length);
            for (int n = 0; n < order.Length; n++) rank[order[n]] = (byte)n;
            // White is missing only when every cell has a ring: then the background fill is painted over everywhere.
            return RgbImage.Indexed(_grid.Width, _grid.Height, Paint(k => rank.GetValueOrDefault(k)), PngPalette.Bytes(order));
        }
        finally
        {
            ArrayPool<ushort>.Shared.Return(_codes);
        }
    }

    /// <summary>One byte per pixel: <paramref name="byteOf"/> of each pixel's colour (0xRRGGBB).</summary>
    private byte[] Paint(Func<int, byte> byteOf)
    {
        var table = new byte[_used.Length];
        for (int c = 0; c < table.Length; c++)
            if (_used[c]) table[c] = byteOf(Key(_lut, c * 3));
        int width = _grid.Width, cellWidth = _grid.TileWidth + 2 * TileCanvas.Margin, cellHeight = _grid.TileHeight + 2 * TileCanvas.Margin;
        var pixels = new byte[width * _grid.Height];
        Array.Fill(pixels, byteOf(Key(TileMarks.Background, 0)));
        int values = _h * _w, rowBytes = _w * _scale;
        for (int i = 0; i < _grid.Count; i++)
        {
            var (x0, y0) = _grid.Origin(i);
            if (!ReferenceEquals(_grid.Ring(i), TileMarks.Background))
            {
                byte ring = byteOf(Key(_grid.Ring(i), 0));
                for (int y = y0 - TileCanvas.Margin; y < y0 - TileCanvas.Margin + cellHeight; y++)
                    pixels.AsSpan(y * width + x0 - TileCanvas.Margin, cellWidth).Fill(ring);
            }
            var codes = _codes.AsSpan(i * values, values);
            for (int y = 0; y < _h; y++)
            {
                int start = (y0 + y * _scale) * width + x0;
                var row = pixels.AsSpan(start, rowBytes);
                var src = codes.Slice(y * _w, _w);
                if (_scale == 1)
                    for (int x = 0; x < src.Length; x++) row[x] = table[src[x]];
                else
                    for (int x = 0, o = 0; x < src.Length; x++, o += _scale) row.Slice(o, _scale).Fill(table[src[x]]);
                for (int k = 1; k < _scale; k++) row.CopyTo(pixels.AsSpan(start + k * width, rowBytes));
            }
        }
        return pixels;
    }

    private static int Key(byte[] rgb, int at) => rgb[at] << 16 | rgb[at + 1] << 8 | rgb[at + 2];

    private static bool IsGrey(int key) => (key >> 16) == ((key >> 8) & 0xFF) && (key >> 16) == (key & 0xFF);
}
