using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>The brightness of each image of a data set: the mean of its pixels (grey) or of its luma 0.299 R + 0.587 G + 0.114 B (colour), in the data's own units.</summary>
public static class ImageBrightness
{
    /// <summary>One brightness per image, in data-set order (streaming, a dispose scope per batch).</summary>
    /// <param name="data">Image batches [N, 1, H, W] or [N, 3, H, W].</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    /// <exception cref="ArgumentException">A batch is not [N, 1 or 3, H, W].</exception>
    public static double[] Of(InputBatches data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        var result = new List<double>();
        using var noGrad = no_grad();
        using var e = data.GetEnumerator();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            if (!e.MoveNext()) break;
            var x = e.Current.Inputs;
            if (x.dim() != 4 || x.shape[1] is not (1 or 3))
                throw new ArgumentException($"Brightness needs image batches [N, 1, H, W] or [N, 3, H, W]; got [{string.Join(", ", x.shape)}].", nameof(data));
            var f = x.detach().cpu().to(ScalarType.Float64);
            var grey = x.shape[1] == 1 ? f[.., 0] : 0.299 * f[.., 0] + 0.587 * f[.., 1] + 0.114 * f[.., 2];
            var means = grey.flatten(1).mean([1]).contiguous();
            result.AddRange(MemoryMarshal.Cast<byte, double>(means.bytes).ToArray());
        }
        return [.. result];
    }
}
