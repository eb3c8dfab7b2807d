namespace ConvVis;

/// <summary>How <see cref="TopActivations"/> ranks the inputs for a unit.</summary>
public enum UnitRanking
{
    /// <summary>By the largest value of the channel's map over all positions (Zeiler and Fergus).</summary>
    Max,

    /// <summary>By the mean of the channel's map (how much of the image excites it).</summary>
    Mean,
}

/// <summary>
/// Where a patch was cut from its image: the unit's receptive field, and the part of it inside the image.
/// </summary>
/// <param name="FieldTop">First row of the full field (negative when it reaches past the top).</param>
/// <param name="FieldLeft">First column of the full field.</param>
/// <param name="FieldHeight">Field height.</param>
/// <param name="FieldWidth">Field width.</param>
/// <param name="Top">First row of the cut (inside the image).</param>
/// <param name="Left">First column of the cut.</param>
/// <param name="Height">Rows cut.</param>
/// <param name="Width">Columns cut.</param>
public sealed record PatchRegion(int FieldTop, int FieldLeft, int FieldHeight, int FieldWidth, int Top, int Left, int Height, int Width)
{
    /// <summary>True when the field reaches past the image border and the patch is only its inside part.</summary>
    public bool Clipped => Height != FieldHeight || Width != FieldWidth;

    internal static PatchRegion Clip((int Top, int Left, int Height, int Width) field, int imageHeight, int imageWidth)
    {
        int top = Math.Max(0, field.Top), left = Math.Max(0, field.Left);
        int bottom = Math.Min(imageHeight, field.Top + field.Height), right = Math.Min(imageWidth, field.Left + field.Width);
        return new PatchRegion(field.Top, field.Left, field.Height, field.Width, top, left, Math.Max(0, bottom - top), Math.Max(0, right - left));
    }
}

/// <summary>One of a unit's top inputs.</summary>
/// <param name="Index">The input's position in the data set (0-based, in the order the batches came).</param>
/// <param name="Value">The activation it was ranked by (the map's max or mean).</param>
/// <param name="Label">Its label, when the data has labels.</param>
/// <param name="Y">Row of the map's maximum (null for a layer without spatial maps).</param>
/// <param name="X">Column of the map's maximum.</param>
/// <param name="Image">The whole input image.</param>
/// <param name="Region">Where the receptive field of the maximum's unit lies in the image (null without spatial maps or a known field).</param>
public sealed record TopActivation(long Index, float Value, long? Label, int? Y, int? X, StoredImage Image, PatchRegion? Region)
{
    /// <summary>The receptive-field patch cut from the image (its inside part when <see cref="PatchRegion.Clipped"/>); the whole image when there is no region.</summary>
    public StoredImage Patch => Region is { } r && r.Height > 0 && r.Width > 0 ? Image.Crop(r.Top, r.Left, r.Height, r.Width) : Image;
}

/// <summary>The top inputs of one unit (channel), best first.</summary>
/// <param name="Channel">The channel of the layer.</param>
/// <param name="Entries">At most k entries, by value descending (ties: lower data-set index first).</param>
public sealed record UnitTopActivations(int Channel, IReadOnlyList<TopActivation> Entries);
