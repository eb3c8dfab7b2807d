using ConvVis.Rendering;

namespace ConvVis.Tests.Rendering;

/// <summary>
/// The one-byte-per-pixel colormap painter against the RGB painter it replaces for mosaics
/// (<see cref="TileCanvas.PaintMapped"/>): the same pixels, and the same PNG bytes as encoding those RGB pixels, for
/// palette, grey and truecolour pictures, upscaled or not, with empty cells, framed tiles, NaN, infinities and scales
/// whose arithmetic overflows.
/// </summary>
public class ColormapTileCanvasTests
{
    private static float[] Values(Random random, int n, bool nonFinite)
    {
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float)(random.NextDouble() * 4 - 1);
        if (nonFinite)
        {
            v[1] = float.NaN; v[n / 2] = float.PositiveInfinity; v[n - 1] = float.NegativeInfinity;
        }
        return v;
    }

    [Theory]
    [InlineData("viridis", 1, 7, 3, false, true, 3)]   // palette, empty cells
    [InlineData("inferno", 3, 6, 3, true, true, 2)]    // all 256 entries, white, frames: truecolour
    [InlineData("gray", 2, 4, 2, true, false, 0)]      // grey
    [InlineData("diverging", 1, 9, 9, false, true, 3)]
    public void SamePixelsAndPngAsPaintingRgb(string colormap, int scale, int count, int columns, bool ramp, bool marks, int pngColourType)
    {
        var map = Colormap.FromName(colormap);
        const int h = 8, w = 37; // 37: blocks of 16 and a tail
        var random = new Random(count * 31 + scale);
        var tiles = Enumerable.Range(0, count).Select(i => Values(random, h * w, nonFinite: marks && i % 3 == 1)).ToArray();
        if (ramp) tiles[0] = Enumerable.Range(0, h * w).Select(i => -1 + 4f * i / (h * w - 1)).ToArray(); // every table entry
        var scales = Enumerable.Range(0, count).Select(i => (i % 4) switch
        {
            0 => new RowScale(-1, 0.25f, 0),
            1 => new RowScale(0, 0.3f, 0.5f),
            2 => new RowScale(0, 0, 0.5f),                 // constant tile: mid-map
            _ => new RowScale(-3e38f, 0, 0.5f),            // x - C overflows to +Inf for x near 3e38: Inf * 0 is NaN
        }).ToArray();
        if (marks) tiles[count - 1][3] = 3e38f;
        var rings = Enumerable.Range(0, count).Select(i => !marks ? TileMarks.Background : i switch { 0 => TileMarks.Dead, 1 => TileMarks.NonFinite, _ => TileMarks.Background }).ToArray();

        var reference = new TileCanvas(count, columns, w * scale, h * scale, rings);
        for (int i = 0; i < count; i++) reference.PaintMapped(i, tiles[i], h, w, scale, scales[i], map.Lut);
        var expected = reference.ToImage();

        var grid = new TileCanvas(count, columns, w * scale, h * scale, rings);
        var painter = new ColormapTileCanvas(grid, h, w, scale, map.Lut);
        for (int i = 0; i < count; i++) painter.Map(i, tiles[i], scales[i], allFinite: !(marks && i % 3 == 1));
        var image = painter.ToImage();

        Assert.Equal((expected.Width, expected.Height), (image.Width, image.Height));
        Assert.Equal(expected.Pixels, image.Pixels);
        var png = image.ToPng();
        Assert.Equal(PngEncoding.Encode(expected.Pixels, expected.Width, expected.Height), png);
        Assert.Equal(pngColourType, png[25]); // IHDR colour type: 0 grey, 2 truecolour, 3 palette
    }

    [Fact]
    public void EveryCellFramedLeavesNoWhiteInThePalette()
    {
        var grid = new TileCanvas(2, 2, 16, 1, [TileMarks.Dead, TileMarks.Constant]);
        var painter = new ColormapTileCanvas(grid, 1, 16, 1, Colormap.Viridis.Lut);
        painter.Map(0, new float[16], new RowScale(0, 0, 0), allFinite: true);
        painter.Map(1, Enumerable.Repeat(2f, 16).ToArray(), new RowScale(0, 0, 0.5f), allFinite: true);
        var png = painter.ToImage().ToPng();
        Assert.Equal(PngEncoding.Encode(new DecodedPngPixels(png).Rgb, grid.Width, grid.Height), png);
        Assert.DoesNotContain(((byte)255, (byte)255, (byte)255), new DecodedPngPixels(png).Colours());
    }

    /// <summary>A decoded PNG as interleaved RGB bytes.</summary>
    private sealed class DecodedPngPixels(byte[] png)
    {
        private readonly DecodedPng _decoded = new(png);

        public byte[] Rgb
        {
            get
            {
                var rgb = new byte[_decoded.Width * _decoded.Height * 3];
                for (int y = 0, i = 0; y < _decoded.Height; y++)
                    for (int x = 0; x < _decoded.Width; x++, i += 3) (rgb[i], rgb[i + 1], rgb[i + 2]) = _decoded[x, y];
                return rgb;
            }
        }

        public HashSet<(byte, byte, byte)> Colours()
        {
            var set = new HashSet<(byte, byte, byte)>();
            for (int y = 0; y < _decoded.Height; y++)
                for (int x = 0; x < _decoded.Width; x++) set.Add(_decoded[x, y]);
            return set;
        }
    }
}
