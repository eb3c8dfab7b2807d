using TorchSharp;

namespace ConvVis.AttributionCore;

/// <summary>
/// The loop of every method that runs many copies of each input (SmoothGrad's noisy copies, integrated gradients'
/// scaled copies, occlusion's occluded copies): rows 0 … total − 1, row r a copy of image r / copiesPerImage, in
/// batches. Each batch checks cancellation first, runs in its own dispose scope, and reports progress after.
/// </summary>
internal static class RowBatches
{
    public static void Run(string method, long total, int batchSize, IProgress<WorkProgress>? progress,
        CancellationToken cancellationToken, Action<long, int> batch)
    {
        CheckBatchSize(batchSize);
        for (long start = 0; start < total; start += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = (int)Math.Min(batchSize, total - start);
            using (torch.NewDisposeScope()) batch(start, count);
            progress?.Report(new WorkProgress(method, start + count, total, "copies"));
        }
    }

    /// <summary>The image each row of a batch copies.</summary>
    public static int[] Images(long start, int count, int copiesPerImage)
    {
        var images = new int[count];
        for (int i = 0; i < count; i++) images[i] = (int)((start + i) / copiesPerImage);
        return images;
    }

    public static void CheckBatchSize(int batchSize)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException("BatchSize", batchSize, "The batch size must be at least 1.");
    }
}
