namespace ConvVis.Rendering;

/// <summary>
/// The checks of the layout options every <see cref="TiledPicture"/>'s options share (<see cref="MosaicOptions"/>,
/// <see cref="FilterGridOptions"/>, <see cref="ImageGridOptions"/>), each error naming the option and its range.
/// </summary>
internal static class TileLayoutChecks
{
    public static void Columns(int? columns)
    {
        if (columns is < 1) throw new ArgumentOutOfRangeException("Columns", columns, "Columns must be at least 1 (or null for automatic).");
    }

    public static void TileSize(int? minTileSize, int targetWidth)
    {
        if (minTileSize is < 1 or > 4096) throw new ArgumentOutOfRangeException("MinTileSize", minTileSize, "MinTileSize must be in 1..4096 pixels.");
        if (targetWidth is < 16 or > 16384) throw new ArgumentOutOfRangeException("TargetWidth", targetWidth, "TargetWidth must be in 16..16384 pixels.");
    }

    public static void MaxPixels(long maxPixels)
    {
        if (maxPixels < 1 || maxPixels > TileCanvas.MaxPixels)
            throw new ArgumentOutOfRangeException("MaxPixels", maxPixels, $"MaxPixels must be in 1..{TileCanvas.MaxPixels} pixels.");
    }
}
