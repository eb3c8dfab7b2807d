namespace ConvVis;

/// <summary>
/// A finished picture that renders itself: a PNG of <see cref="Width"/> x <see cref="Height"/> pixels and a
/// self-contained HTML view (the PNG as a data URI, tooltips, captions; no script).
/// Visuals hold only their finished RGB pixels, never tensors, so they can be kept freely.
/// </summary>
public interface IVisual
{
    /// <summary>Width of the PNG in pixels.</summary>
    int Width { get; }

    /// <summary>Height of the PNG in pixels.</summary>
    int Height { get; }

    /// <summary>The picture encoded as PNG (8-bit RGB).</summary>
    byte[] ToPng();

    /// <summary>A self-contained HTML fragment: the PNG as a data URI, one tooltip per tile, captions and legends.</summary>
    string ToHtml();
}
