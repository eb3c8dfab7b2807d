using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// An image classification set held in memory: images [N, C, H, W] (float32) and labels [N]
/// (int64), with the class names. Dispose it to free the tensors.
/// </summary>
public sealed class LabeledImages : IDisposable
{
    /// <summary>Wraps existing tensors (the set takes ownership of them).</summary>
    /// <exception cref="ArgumentException">The shapes do not fit together.</exception>
    public LabeledImages(Tensor images, Tensor labels, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        if (images.dim() != 4)
            throw new ArgumentException($"Images must be [N, C, H, W], but have shape [{string.Join(", ", images.shape)}].", nameof(images));
        if (labels.dim() != 1 || labels.shape[0] != images.shape[0])
            throw new ArgumentException(
                $"Labels must be [N] with N = {images.shape[0]} (the number of images), but have shape [{string.Join(", ", labels.shape)}].",
                nameof(labels));
        Images = images;
        Labels = labels;
        ClassNames = classNames;
    }

    /// <summary>The images, [N, C, H, W], float32.</summary>
    public Tensor Images { get; }

    /// <summary>The class index of every image, [N], int64.</summary>
    public Tensor Labels { get; }

    /// <summary>The name of every class (index = label).</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The number of images.</summary>
    public int Count => (int)Images.shape[0];

    /// <summary>
    /// The images in order, as batches of at most <paramref name="batchSize"/> (views of
    /// <see cref="Images"/>; created lazily, so a dispose scope around each step frees them).
    /// </summary>
    public IEnumerable<Tensor> Batches(int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        for (long start = 0; start < Count; start += batchSize)
            yield return Images.narrow(0, start, Math.Min(batchSize, Count - start));
    }

    /// <summary>
    /// Images and labels as batches, shuffled with <paramref name="seed"/> when given (new tensors,
    /// created lazily: dispose them, or use a dispose scope per step).
    /// </summary>
    public IEnumerable<(Tensor Images, Tensor Labels)> LabeledBatches(int batchSize, int? seed = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        long[] order = Enumerable.Range(0, Count).Select(i => (long)i).ToArray();
        if (seed is int s) new Random(s).Shuffle(order);
        for (int start = 0; start < Count; start += batchSize)
        {
            using var idx = tensor(order.AsSpan(start, Math.Min(batchSize, Count - start)).ToArray());
            yield return (Images.index_select(0, idx), Labels.index_select(0, idx));
        }
    }

    /// <summary>The first <paramref name="n"/> images and labels as a new set (copies).</summary>
    public LabeledImages Take(int n)
    {
        n = Math.Clamp(n, 0, Count);
        return new LabeledImages(Images.narrow(0, 0, n).clone(), Labels.narrow(0, 0, n).clone(), ClassNames);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
