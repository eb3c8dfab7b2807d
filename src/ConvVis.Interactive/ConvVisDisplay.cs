namespace ConvVis.Interactive;

/// <summary>Notebook display options of ConvVis.Interactive.</summary>
public static class ConvVisDisplay
{
    /// <summary>
    /// When true (the default), 3-D and 4-D float tensors display as pictures (a header with shape and
    /// statistics, then an activation mosaic or the images) and 4-D parameters as filter grids. Set it to
    /// false to see every tensor as numbers, as TorchSharp prints them. ConvVis views
    /// (<see cref="Mosaic"/>, <see cref="FilterGrid"/>, <see cref="ModelSummary"/>...) always render as pictures.
    /// </summary>
    public static bool TensorsAsPictures { get; set; } = true;

    /// <summary>The most channels a tensor's mosaic shows before it says "showing N of M".</summary>
    public static int MaxChannels { get; set; } = 64;
}
