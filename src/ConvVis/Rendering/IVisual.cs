namespace ConvVis;

/// <summary>
/// Anything that renders itself as a picture: a PNG of <see cref="Width"/> x <see cref="Height"/> pixels and a
/// self-contained HTML view (the PNG as a data URI, tooltips, captions; no script).
/// </summary>
/// <remarks>
/// The views (<see cref="TiledPicture"/>s, <see cref="AttributionView"/>, <see cref="AttributionGrid"/>) hold only their
/// finished RGB pixels, never tensors, so they can be kept freely. A result that also renders itself keeps its
/// tensors and says so: <see cref="Attribution"/> owns two and is <see cref="IDisposable"/>.
/// </remarks>
public interface IVisual : IHtmlView
{
    /// <summary>Width of the PNG in pixels.</summary>
    int Width { get; }

    /// <summary>Height of the PNG in pixels.</summary>
    int Height { get; }

    /// <summary>The picture encoded as PNG (8-bit RGB).</summary>
    byte[] ToPng();

    /// <summary>A self-contained HTML fragment: the PNG as a data URI, one tooltip per tile, captions and legends.</summary>
    new string ToHtml();
}
