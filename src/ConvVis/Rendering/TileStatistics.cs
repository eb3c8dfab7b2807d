using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace ConvVis.Rendering;

/// <summary>Per-tile statistics in one fused pass over a [tiles, values] float matrix (a span of a contiguous CPU tensor).</summary>
internal static class TileStatistics
{
    /// <summary>Statistics of each row of <paramref name="rows"/> ([S, P] contiguous float32, CPU); <paramref name="ids"/> names the rows.</summary>
    public static TileStats[] Compute(Tensor rows, IReadOnlyList<int> ids) =>
        Compute(MemoryMarshal.Cast<byte, float>(rows.bytes), (int)rows.shape[0], (int)rows.shape[1], ids);

    /// <summary>Statistics of each of the <paramref name="count"/> rows of length <paramref name="length"/> in <paramref name="data"/>.</summary>
    public static TileStats[] Compute(ReadOnlySpan<float> data, int count, int length, IReadOnlyList<int> ids)
    {
        var result = new TileStats[count];
        for (int s = 0; s < count; s++)
        {
            var row = data.Slice(s * length, length);
            float min = float.PositiveInfinity, max = float.NegativeInfinity;
            double sum = 0;
            int finite = 0, zeros = 0;
            foreach (float x in row)
            {
                if (float.IsFinite(x))
                {
                    finite++;
                    sum += x;
                    if (x < min) min = x;
                    if (x > max) max = x;
                    if (x == 0) zeros++;
                }
            }
            bool none = finite == 0;
            bool nonFinite = finite < length;
            result[s] = new TileStats(
                ids[s],
                none ? float.NaN : min,
                none ? float.NaN : max,
                none ? float.NaN : (float)(sum / finite),
                length == 0 ? 0f : (float)zeros / length,
                zeros == length,
                !nonFinite && length > 0 && min == max,
                nonFinite);
        }
        return result;
    }
}
