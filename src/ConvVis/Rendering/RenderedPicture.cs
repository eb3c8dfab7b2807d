namespace ConvVis.Rendering;

/// <summary>
/// The finished result every view keeps: RGB pixels, tile rectangles with tooltips, captions, colour bar and legend.
/// Encodes the PNG once, on first use.
/// </summary>
internal sealed class RenderedPicture
{
    private readonly Lazy<byte[]> _png;

    public RenderedPicture(RgbImage image, IReadOnlyList<TileRegion> regions, string? title, IReadOnlyList<string> captions,
        string altText, ColorBar? colorBar, IReadOnlyList<(string Css, string Text)> legend)
    {
        Image = image; Regions = regions; Title = title; Captions = captions; AltText = altText; ColorBar = colorBar; Legend = legend;
        _png = new Lazy<byte[]>(image.ToPng, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public RgbImage Image { get; }
    public IReadOnlyList<TileRegion> Regions { get; }
    public string? Title { get; }
    public IReadOnlyList<string> Captions { get; }
    public string AltText { get; }
    public ColorBar? ColorBar { get; }
    public IReadOnlyList<(string Css, string Text)> Legend { get; }

    /// <summary>The encoded PNG (shared; callers outside must copy).</summary>
    public byte[] Png => _png.Value;

    public string ToHtml() => FigureHtml.Build(Title, Captions, Image, Png, AltText, Regions, ColorBar, Legend);
}

/// <summary>Turns user tensors into detached, contiguous CPU float32 tensors inside the caller's dispose scope.</summary>
internal static class TensorInput
{
    public static TorchSharp.torch.Tensor ToCpuFloat(TorchSharp.torch.Tensor t, string what) => ToFloat(ToCpu(t, what));

    /// <summary>Detached CPU tensor of any real dtype (no copy when already on the CPU).</summary>
    public static TorchSharp.torch.Tensor ToCpu(TorchSharp.torch.Tensor t, string what)
    {
        ArgumentNullException.ThrowIfNull(t, what);
        if (t.IsInvalid) throw new ObjectDisposedException(what, $"The {what} tensor has been disposed; render it before disposing it (or clone it).");
        if (t.device_type == TorchSharp.DeviceType.META)
            throw new ArgumentException($"The {what} tensor {Shape(t)} is on the meta device: it has a shape but no values, so there is nothing to draw. Create it on the CPU (or load its values) first.", what);
        if (t.is_complex()) throw new ArgumentException($"The {what} tensor is complex ({t.dtype}); show its .abs() or .real instead.", what);
        var x = t.detach();
        if (x.device_type != TorchSharp.DeviceType.CPU) x = x.cpu();
        return x;
    }

    /// <summary>Contiguous float32 version of a CPU tensor.</summary>
    public static TorchSharp.torch.Tensor ToFloat(TorchSharp.torch.Tensor x)
    {
        if (x.dtype != TorchSharp.torch.ScalarType.Float32) x = x.to(TorchSharp.torch.ScalarType.Float32);
        return x.contiguous();
    }

    public static string Shape(TorchSharp.torch.Tensor t) => "[" + string.Join(", ", t.shape) + "]";
}
