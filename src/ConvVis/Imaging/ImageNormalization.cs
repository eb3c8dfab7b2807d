using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// Turns RGB images in [0,1] (as <see cref="ImageLoader"/> returns them) into a network's input and
/// back: <c>input = (reorder(rgb) · Scale − Mean) / Std</c>, where reorder is RGB→BGR for BGR models,
/// Mean is per channel or a whole mean image, and Std is per channel.
/// </summary>
public sealed class ImageNormalization : IDisposable
{
    private readonly Tensor _mean;   // [3,1,1] or [3,H,W], in the model's channel order
    private readonly Tensor _std;    // [3,1,1]

    private ImageNormalization(string name, bool bgr, float scale, Tensor mean, Tensor std)
    {
        Name = name;
        IsBgr = bgr;
        Scale = scale;
        _mean = mean;
        _std = std;
    }

    /// <summary>The torchvision/ImageNet preset: RGB, mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225).</summary>
    public static ImageNormalization ImageNet { get; } = new("ImageNet mean/std (RGB)", false, 1f,
                Keep(torch.tensor(new[] { 0.485f, 0.456f, 0.406f }).reshape(3, 1, 1)), Keep(torch.tensor(new[] { 0.229f, 0.224f, 0.225f }).reshape(3, 1, 1)));

    // Preset tensors must outlive whatever dispose scope is active when they are created.
    private static Tensor Keep(Tensor t) => t.DetachFromDisposeScope();

    /// <summary>The CNTK ResNet preset (<c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c>): BGR, 0..255, minus a mean image.</summary>
    /// <param name="bgrMeanImage">The mean image <c>[3,H,W]</c> or <c>[1,3,H,W]</c> in BGR order and 0..255 (from <c>ResNetPreprocess.onnx</c>); copied.</param>
    /// <returns>A normalisation that only accepts images of the mean image's size.</returns>
    public static ImageNormalization CntkResNet(Tensor bgrMeanImage)
    {
        var mean = bgrMeanImage.dim() == 4 ? bgrMeanImage.squeeze(0) : bgrMeanImage.alias();
        if (mean.dim() != 3 || mean.shape[0] != 3)
            throw new ArgumentException($"The mean image must be [3,H,W] or [1,3,H,W], got [{string.Join(", ", bgrMeanImage.shape)}].", nameof(bgrMeanImage));
        using var asFloat = mean.to_type(ScalarType.Float32);
        var owned = Keep(asFloat.clone());
        mean.Dispose();
        return new ImageNormalization("CNTK ResNet (BGR 0..255 minus mean image)", true, 255f, owned, Keep(torch.ones(3, 1, 1)));
    }

    /// <summary>A description of the preset.</summary>
    public string Name { get; }

    /// <summary>True when the model expects BGR channel order.</summary>
    public bool IsBgr { get; }

    /// <summary>The factor applied to [0,1] values before subtracting the mean (1 or 255).</summary>
    public float Scale { get; }

    /// <summary>The image size the mean requires, or null when the mean is per channel.</summary>
    public (long Height, long Width)? RequiredSize => _mean.shape[1] == 1 && _mean.shape[2] == 1 ? null : (_mean.shape[1], _mean.shape[2]);

    /// <summary>RGB [0,1] image(s) <c>[3,H,W]</c> or <c>[N,3,H,W]</c> to model input (same rank).</summary>
    /// <param name="rgb01">The image(s).</param>
    /// <returns>A new tensor.</returns>
    public Tensor Normalize(Tensor rgb01)
    {
        Check(rgb01);
        using var scope = torch.NewDisposeScope();
        var x = IsBgr ? rgb01.flip(-3) : rgb01;
        var mean = _mean.to(x.device);
        var std = _std.to(x.device);
        return ((x * Scale - mean) / std).MoveToOuterDisposeScope();
    }

    /// <summary>The inverse of <see cref="Normalize"/>: model input back to RGB in [0,1] for display (not clamped).</summary>
    /// <param name="input">Model input(s) <c>[3,H,W]</c> or <c>[N,3,H,W]</c>.</param>
    /// <returns>A new tensor.</returns>
    public Tensor Denormalize(Tensor input)
    {
        Check(input);
        using var scope = torch.NewDisposeScope();
        var mean = _mean.to(input.device);
        var std = _std.to(input.device);
        var x = (input * std + mean) / Scale;
        return (IsBgr ? x.flip(-3) : x).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// This normalisation for images of another size: a per-pixel mean image is resized (bilinear, antialiased) to
    /// <paramref name="height"/> x <paramref name="width"/>; per-channel presets are returned as they are.
    /// </summary>
    internal ImageNormalization Resized(long height, long width)
    {
        if (RequiredSize is not var (h, w) || (h == height && w == width)) return this;
        using var scope = torch.NewDisposeScope();
        var mean = nn.functional.interpolate(_mean.unsqueeze(0), [height, width], mode: InterpolationMode.Bilinear, align_corners: false, antialias: true).squeeze(0);
        return new ImageNormalization($"{Name}, mean image resized to {height}x{width}", IsBgr, Scale, Keep(mean.contiguous()), Keep(_std.clone()));
    }

    private void Check(Tensor t)
    {
        if (t.dim() is not (3 or 4) || t.shape[^3] != 3)
            throw new ArgumentException($"Expected an image tensor [3,H,W] or [N,3,H,W], got [{string.Join(", ", t.shape)}].");
        if (RequiredSize is var (h, w) && (t.shape[^2] != h || t.shape[^1] != w))
            throw new ArgumentException($"{Name} needs {h}x{w} images (the size of its mean image), got {t.shape[^2]}x{t.shape[^1]}; use ImageLoader.ResizeAndCenterCrop(image, {h}, {h}) first.");
    }

    /// <summary>Frees the mean and std tensors (the static <see cref="ImageNet"/> preset ignores this).</summary>
    public void Dispose()
    {
        if (ReferenceEquals(this, ImageNet)) return;
        _mean.Dispose();
        _std.Dispose();
    }
}
