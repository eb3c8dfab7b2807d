using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static TorchSharp.torch;

namespace ConvVis.Tests.Embedding;

public class ThumbnailAtlasTests
{
    static TSneEmbedding Map(double[] xy, long[]? labels = null) =>
        new(xy, labels, TSneMethod.Exact, 0, [], 0, 1, 2);

    /// <summary>Solid-colour 8x8 images, one per RGB triple (values in [0, 1]).</summary>
    static Tensor Solid(params (float R, float G, float B)[] colours)
    {
        var t = zeros(colours.Length, 3, 8, 8);
        for (int i = 0; i < colours.Length; i++)
        {
            t[i, 0] = colours[i].R; t[i, 1] = colours[i].G; t[i, 2] = colours[i].B;
        }
        return t;
    }

    static Rgb24 PixelAt(byte[] png, int x, int y)
    {
        using var image = Image.Load<Rgb24>(png);
        return image[x, y];
    }

    [Fact]
    public void EachImageLandsInTheCellOfItsPosition()
    {
        // Map corners: 0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right (y grows upwards in the map).
        var map = Map([0, 1, 1, 1, 0, 0, 1, 0], [0, 1, 2, 3]);
        using var images = Solid((1, 0, 0), (0, 1, 0), (0, 0, 1), (1, 1, 0));
        var atlas = ThumbnailAtlas.Of(map, images, new ThumbnailAtlasOptions { TileSize = 16, LabelNames = ["<cat>", "dog", "ship", "car"] });
        Assert.Equal((2, 2), (atlas.Columns, atlas.Rows));
        Assert.Equal((32, 32), (atlas.Width, atlas.Height));
        Assert.Equal(new[] { (0, 0), (1, 0), (0, 1), (1, 1) }, atlas.Cells);
        var png = atlas.ToPng();
        Assert.Equal(new Rgb24(255, 0, 0), PixelAt(png, 8, 8));
        Assert.Equal(new Rgb24(0, 255, 0), PixelAt(png, 24, 8));
        Assert.Equal(new Rgb24(0, 0, 255), PixelAt(png, 8, 24));
        Assert.Equal(new Rgb24(255, 255, 0), PixelAt(png, 24, 24));
        var html = atlas.ToHtml();
        Assert.Contains("image 0&#10;label &lt;cat&gt; (0)", html);
        Assert.DoesNotContain("<cat>", html);
        Assert.Contains("4 images on a 2×2 grid", html);
    }

    [Fact]
    public void CrowdedImagesTakeTheNearestFreeCells()
    {
        // Five points at one spot (the bottom-left corner of the map) and one far away (top-right) on a 3x2 grid: no cell
        // holds two images, the crowd fills the cells nearest its corner and the far point keeps its own.
        var map = Map([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 10]);
        using var images = rand(6, 1, 8, 8);
        var atlas = ThumbnailAtlas.Of(map, images, new ThumbnailAtlasOptions { Columns = 3 });
        Assert.Equal(6, atlas.Cells.Distinct().Count());
        Assert.Equal((3, 2), (atlas.Columns, atlas.Rows));
        Assert.Equal((0, 1), atlas.Cells[0]); // bottom-left cell: where (0, 0) falls
        Assert.Equal((2, 0), atlas.Cells[5]); // top-right: the far point
        Assert.DoesNotContain((2, 0), atlas.Cells.Take(5));
    }

    [Fact]
    public void ImagesOutsideTheUnitRangeAreScaledAndBadShapesRefused()
    {
        var map = Map([0, 0, 1, 1]);
        using var images = tensor(new float[] { -2, -2, 6, 6 }).reshape(2, 1, 1, 2).expand(2, 1, 2, 2).contiguous();
        var atlas = ThumbnailAtlas.Of(map, images, new ThumbnailAtlasOptions { TileSize = 4 });
        Assert.Contains("each image scaled by its own min and max", atlas.ToHtml());
        // Image 0 is constant -2 (scaled to black), image 1 constant 6 (black too: range 0); both are placed.
        Assert.Equal(2, atlas.ShownIndices.Count);
        using var wrong = zeros(3, 3, 8, 8);
        Assert.Contains("one image per map point, [2, 3 or 1, H, W]", Assert.Throws<ArgumentException>(() => ThumbnailAtlas.Of(map, wrong)).Message);
        using var channelsLast = zeros(2, 8, 8, 3);
        Assert.Contains("permute(0, 3, 1, 2)", Assert.Throws<ArgumentException>(() => ThumbnailAtlas.Of(map, channelsLast)).Message);
    }
}
