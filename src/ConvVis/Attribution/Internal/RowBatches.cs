using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Attributions.Internal;

/// <summary>
/// The loop of every method that runs many copies of each input (SmoothGrad's noisy copies, integrated gradients'
/// scaled copies, occlusion's occluded copies): rows 0 … images × copiesPerImage − 1, row r copy r mod copiesPerImage
/// of image r / copiesPerImage, in batches. Each batch checks cancellation first, runs in its own dispose scope, and
/// reports progress after.
/// </summary>
internal static class RowBatches
{
    /// <summary>Runs <paramref name="batch"/> on every batch of rows, <paramref name="batchSize"/> rows at a time.</summary>
    public static void Run(string method, int images, int copiesPerImage, int batchSize, IProgress<WorkProgress>? progress,
        CancellationToken cancellationToken, Action<RowBatch> batch)
    {
        CheckBatchSize(batchSize);
        long total = (long)images * copiesPerImage;
        for (long start = 0; start < total; start += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = (int)Math.Min(batchSize, total - start);
            using (torch.NewDisposeScope()) batch(new RowBatch(start, count, copiesPerImage));
            progress?.Report(new WorkProgress(method, start + count, total, "copies"));
        }
    }

    /// <summary>Refuses a batch size below 1, naming the option; methods call it before their set-up work too.</summary>
    public static void CheckBatchSize(int batchSize)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException("BatchSize", batchSize, "The batch size must be at least 1.");
    }
}

/// <summary>Rows <see cref="Start"/> … <see cref="Start"/> + <see cref="Count"/> − 1 of a <see cref="RowBatches"/> loop.</summary>
internal readonly record struct RowBatch(long Start, int Count, int CopiesPerImage)
{
    /// <summary>The image each row of the batch copies.</summary>
    public int[] Images
    {
        get
        {
            var images = new int[Count];
            for (int i = 0; i < Count; i++) images[i] = (int)((Start + i) / CopiesPerImage);
            return images;
        }
    }

    /// <summary>Which copy of its image row <paramref name="i"/> of the batch is (0 … copiesPerImage − 1).</summary>
    public int Copy(int i) => (int)((Start + i) % CopiesPerImage);

    /// <summary><see cref="Images"/> as an index tensor for <c>index_select</c> / <c>index_add_</c>.</summary>
    public Tensor ImageIndex(Device device) => torch.tensor(Images.Select(r => (long)r).ToArray(), device: device);
}
