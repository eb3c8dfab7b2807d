namespace ConvVis;

/// <summary>Limits for decoding untrusted images.</summary>
public sealed class ImageLoadOptions
{
    /// <summary>The default limits: 50 megapixels, 100 MB files.</summary>
    public static ImageLoadOptions Default { get; } = new();

    /// <summary>The largest width x height decoded (checked on the header before decoding). Default 50 000 000.</summary>
    public long MaxPixels { get; init; } = 50_000_000;

    /// <summary>The largest encoded file accepted, in bytes. Default 100 MB.</summary>
    public long MaxFileBytes { get; init; } = 100L * 1024 * 1024;
}
