using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// How a picture (RGB or grey, values in [0, 1]) becomes the model's input and back: the valid range that synthesised
/// images are clamped to, the space in which pixel steps and L2 decay are measured (the model's input, as in the CS231n
/// assignment), and the picture shown. Both maps must be differentiable torch operations.
/// </summary>
public sealed class ImageSpace
{
    private readonly Func<Tensor, Tensor> _toModel;
    private readonly Func<Tensor, Tensor> _toPicture;

    /// <summary>A space from two maps: picture [N, C, H, W] in [0, 1] to model input, and its inverse.</summary>
    /// <param name="name">A short description for captions.</param>
    /// <param name="toModel">Picture in [0, 1] to model input (differentiable).</param>
    /// <param name="toPicture">Model input to picture in [0, 1] (differentiable).</param>
    public ImageSpace(string name, Func<Tensor, Tensor> toModel, Func<Tensor, Tensor> toPicture)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(toModel);
        ArgumentNullException.ThrowIfNull(toPicture);
        Name = name;
        _toModel = toModel;
        _toPicture = toPicture;
    }

    /// <summary>The model takes pictures in [0, 1] as they are.</summary>
    public static ImageSpace Unit { get; } = new("pictures in [0, 1]", x => x.alias(), x => x.alias());

    /// <summary>The model takes standardised pictures (x − mean) / std, one mean and std per channel (or one for all).</summary>
    /// <param name="mean">Per-channel means (one value applies to every channel).</param>
    /// <param name="std">Per-channel standard deviations, positive.</param>
    public static ImageSpace Standardized(double[] mean, double[] std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Length == 0 || mean.Length != std.Length)
            throw new ArgumentException($"Give as many means as standard deviations (one, or one per channel); got {mean.Length} and {std.Length}.");
        if (std.Any(s => !(s > 0)))
            throw new ArgumentOutOfRangeException(nameof(std), $"Standard deviations must be positive; got [{string.Join(", ", std)}].");
        var m = mean.Select(v => (float)v).ToArray();
        var s = std.Select(v => (float)v).ToArray();
        Tensor Shape(float[] v, Tensor like) => tensor(v, device: like.device).to(like.dtype).reshape(1, v.Length, 1, 1);
        return new ImageSpace($"standardised (mean {string.Join("/", mean.Select(v => v.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)))}, std {string.Join("/", std.Select(v => v.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)))})",
            x => (x - Shape(m, x)) / Shape(s, x),
            x => x * Shape(s, x) + Shape(m, x));
    }

    /// <summary>
    /// The space of an <see cref="ImageNormalization"/> (for example <see cref="PretrainedResNet18.Normalization"/>).
    /// A normalisation with a mean image (the CNTK ResNet's 224x224) also serves pictures of other sizes: its mean image
    /// is resized to theirs, so unit visualisations and inversions can run on smaller pictures.
    /// </summary>
    public static ImageSpace From(ImageNormalization normalization)
    {
        ArgumentNullException.ThrowIfNull(normalization);
        var sized = new System.Collections.Concurrent.ConcurrentDictionary<(long, long), ImageNormalization>();
        ImageNormalization For(Tensor x) => sized.GetOrAdd((x.shape[^2], x.shape[^1]), k => normalization.Resized(k.Item1, k.Item2));
        return new ImageSpace(normalization.Name, x => For(x).Normalize(x), x => For(x).Denormalize(x));
    }

    /// <summary>A short description for captions.</summary>
    public string Name { get; }

    /// <summary>Pictures [N, C, H, W] in [0, 1] to model input.</summary>
    public Tensor ToModel(Tensor picture) => _toModel(picture);

    /// <summary>Model input [N, C, H, W] to pictures (about [0, 1]; not clamped).</summary>
    public Tensor ToPicture(Tensor input) => _toPicture(input);

    /// <summary>Clamps model inputs to the inputs of valid pictures (every picture value in [0, 1]).</summary>
    public Tensor Clamp(Tensor input)
    {
        using var scope = NewDisposeScope();
        return ToModel(ToPicture(input).clamp(0, 1)).MoveToOuterDisposeScope();
    }
}
