using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using static TorchSharp.torch;

namespace ConvVis.Rendering;

/// <summary>
/// Per-tile statistics in one fused pass over a [tiles, values] float matrix (a span of a contiguous CPU tensor).
/// A row without NaN or infinities takes min, max and the zero count 8 values at a time and its sum in a plain loop
/// (in order, in float64: the same mean to the last bit); a row with some is read one value at a time.
/// </summary>
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
            var (min, max, sum, finite, zeros) = AllFinite(row) ?? OneByOne(row);
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

    private readonly record struct Sums(float Min, float Max, double Sum, int Finite, int Zeros);

    /// <summary>The sums of a row one value at a time, over its finite values.</summary>
    private static Sums OneByOne(ReadOnlySpan<float> row)
    {
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
        return new Sums(min, max, sum, finite, zeros);
    }

    /// <summary>The sums of a row without NaN or infinities, as <see cref="OneByOne"/> gives them; null when the row has some.</summary>
    private static Sums? AllFinite(ReadOnlySpan<float> row)
    {
        if (!Vector256.IsHardwareAccelerated || row.Length < 8) return null;
        var low = Vector256.Create(float.PositiveInfinity);
        var high = Vector256.Create(float.NegativeInfinity);
        var finite = Vector256<float>.AllBitsSet;
        var zeroLanes = Vector256<int>.Zero;
        int i = 0;
        for (; i + 8 <= row.Length; i += 8)
        {
            var x = Vector256.Create(row.Slice(i, 8));
            finite &= Vector256.Equals(x - x, Vector256<float>.Zero); // x - x is NaN for NaN and infinities
            low = Vector256.Min(low, x);
            high = Vector256.Max(high, x);
            zeroLanes -= Vector256.Equals(x, Vector256<float>.Zero).AsInt32(); // a true lane is -1
        }
        if (!Vector256.EqualsAll(finite.AsInt32(), Vector256<int>.AllBitsSet)) return null;
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        for (int k = 0; k < 8; k++) { min = Math.Min(min, low[k]); max = Math.Max(max, high[k]); }
        int zeros = Vector256.Sum(zeroLanes);
        for (; i < row.Length; i++)
        {
            float x = row[i];
            if (!float.IsFinite(x)) return null;
            min = Math.Min(min, x); max = Math.Max(max, x);
            if (x == 0) zeros++;
        }
        // One value at a time keeps the first of equal values; that shows only for zero: +0 or -0, whichever comes first.
        if (min == 0) min = FirstZero(row);
        if (max == 0) max = FirstZero(row);
        double sum = 0;
        foreach (float x in row) sum += x;
        return new Sums(min, max, sum, row.Length, zeros);
    }

    private static float FirstZero(ReadOnlySpan<float> row)
    {
        foreach (float x in row)
            if (x == 0) return x;
        return 0;
    }
}
