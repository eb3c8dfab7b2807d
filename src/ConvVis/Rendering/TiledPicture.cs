using ConvVis.Rendering;

namespace ConvVis;

/// <summary>
/// A picture made of equal tiles in a grid (<see cref="Mosaic"/>, <see cref="FilterGrid"/>, <see cref="ImageGrid"/>):
/// the grid's geometry, and the finished PNG and HTML. What a tile shows is said by the derived class.
/// </summary>
/// <remarks>Closed: the library's tiled views derive from it; it cannot be subclassed outside ConvVis.</remarks>
public abstract class TiledPicture : IVisual
{
    private readonly RenderedPicture _picture;

    private protected TiledPicture(RenderedPicture picture, TileCanvas canvas, int scale, IReadOnlyList<TileStats> tiles)
    {
        _picture = picture;
        Tiles = tiles;
        Scale = scale;
        Columns = canvas.Columns;
        Rows = canvas.Rows;
        TileWidth = canvas.TileWidth;
        TileHeight = canvas.TileHeight;
    }

    /// <summary>
    /// Statistics of each shown item, in display order: a channel of a <see cref="Mosaic"/>, a filter of a
    /// <see cref="FilterGrid"/> (over all its weights, whatever the layout), an image of an <see cref="ImageGrid"/>;
    /// <see cref="TileStats.Channel"/> is the item's index.
    /// </summary>
    public IReadOnlyList<TileStats> Tiles { get; }

    /// <summary>The nearest-neighbour upscaling factor applied to each tile's values.</summary>
    public int Scale { get; }

    /// <summary>Number of tile columns.</summary>
    public int Columns { get; }

    /// <summary>Number of tile rows.</summary>
    public int Rows { get; }

    /// <summary>Width of one tile in pixels (the shown values' width times <see cref="Scale"/>).</summary>
    public int TileWidth { get; }

    /// <summary>Height of one tile in pixels (the shown values' height times <see cref="Scale"/>).</summary>
    public int TileHeight { get; }

    /// <inheritdoc/>
    public int Width => _picture.Image.Width;

    /// <inheritdoc/>
    public int Height => _picture.Image.Height;

    internal RenderedPicture Picture => _picture;

    /// <inheritdoc/>
    public byte[] ToPng() => (byte[])_picture.Png.Clone();

    /// <inheritdoc/>
    public string ToHtml() => _picture.ToHtml();
}
