using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ConvVis.Health;

/// <summary>
/// The scan's fused moments-and-histogram pass over one map with 512-bit vectors, for CPUs that have them (AVX-512):
/// <see cref="System.Numerics.Vector{T}"/> stays 256-bit there, so the portable pass does twice the vector instructions.
/// Same results as the portable pass: the same counts and extremes; the sum differs only in float rounding (16 partial
/// sums instead of 8).
/// </summary>
/// <remarks>
/// The histogram uses the same <see cref="LaneTables"/> block: lane j of each 512-bit vector counts into table j, so 16
/// consecutive values never share a counter, as with the portable pass's two alternating sets of 8 tables. Which table
/// a value went to does not matter for the result (the tables are summed), so <see cref="LaneTables.CountAll"/> can take
/// back what this pass counted.
/// </remarks>
internal static class WideScanAndBin
{
    /// <summary>Whether this pass runs fast here (and the lane tables have a table for each of its lanes).</summary>
    public static bool IsSupported => Vector512.IsHardwareAccelerated && LaneTables.TableCount >= Vector512<int>.Count;

    /// <summary>Sum, min, max, count of zeros and of values at or below <paramref name="t"/>; each value counted in the lane tables.</summary>
    public static (double Sum, float Min, float Max, long Zeros, long AtOrBelow) Run(ReadOnlySpan<float> map, float t,
        float binLow, float binScale, int bins, Span<int> tables)
    {
        int i = 0;
        double sum = 0;
        float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
        long zeroCount = 0, leCount = 0;
        int w = Vector512<float>.Count;
        if (map.Length >= w)
        {
            var vs = MemoryMarshal.Cast<float, Vector512<float>>(map);
            var vsum = Vector512<float>.Zero;
            var vmin = Vector512.Create(float.PositiveInfinity);
            var vmax = Vector512.Create(float.NegativeInfinity);
            var vzero = Vector512<int>.Zero;
            var vle = Vector512<int>.Zero;
            var vt = Vector512.Create(t);
            var vlo = Vector512.Create(binLow);
            var vscale = Vector512.Create(binScale);
            var vlast = Vector512.Create(bins - 1);
            var offsets = Vector512<int>.Indices * bins; // lane j counts into table j
            ref int table = ref MemoryMarshal.GetReference(tables);
            Span<int> lanes = stackalloc int[Vector512<int>.Count];
            for (int k = 0; k < vs.Length; k++)
            {
                var v = vs[k];
                vsum += v;
                vmin = Vector512.Min(vmin, v);
                vmax = Vector512.Max(vmax, v);
                vzero -= Vector512.Equals(v, Vector512<float>.Zero).AsInt32(); // a true lane is -1
                vle -= Vector512.LessThanOrEqual(v, vt).AsInt32();
                Count(BinIndex(v, vlo, vscale, vlast) + offsets, lanes, ref table);
            }
            sum = Vector512.Sum(vsum);
            // Exact in any order: min and max of the lanes, halving the width.
            var min256 = Vector256.Min(vmin.GetLower(), vmin.GetUpper());
            var max256 = Vector256.Max(vmax.GetLower(), vmax.GetUpper());
            var min128 = Vector128.Min(min256.GetLower(), min256.GetUpper());
            var max128 = Vector128.Max(max256.GetLower(), max256.GetUpper());
            for (int j = 0; j < Vector128<float>.Count; j++)
            {
                lo = Math.Min(lo, min128[j]);
                hi = Math.Max(hi, max128[j]);
            }
            zeroCount = Vector512.Sum(vzero);
            leCount = Vector512.Sum(vle);
            i = vs.Length * w;
        }
        for (; i < map.Length; i++)
        {
            float v = map[i];
            sum += v;
            lo = Math.Min(lo, v);
            hi = Math.Max(hi, v);
            if (v == 0) zeroCount++;
            if (v <= t) leCount++;
            tables[LaneTables.BinIndex(v, binLow, binScale, bins - 1)]++;
        }
        return (sum, lo, hi, zeroCount, leCount);
    }

    /// <summary>floor((v - lo) * scale) clamped to [0, last], lane-wise: the 512-bit twin of <see cref="LaneTables.BinIndex(System.Numerics.Vector{float}, System.Numerics.Vector{float}, System.Numerics.Vector{float}, System.Numerics.Vector{int})"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> BinIndex(Vector512<float> v, Vector512<float> lo, Vector512<float> scale, Vector512<int> last) =>
        Vector512.Min(Vector512.Max(Vector512.ConvertToInt32(Vector512.Floor((v - lo) * scale)), Vector512<int>.Zero), last);

    /// <summary>Adds one to the 16 counters at <paramref name="indices"/> (bin index plus table offset, lane-wise).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Count(Vector512<int> indices, Span<int> lanes, ref int tables)
    {
        indices.CopyTo(lanes);
        ref int lane = ref MemoryMarshal.GetReference(lanes);
        // Written out: the JIT does not unroll a loop, and its compare-and-branch per lane costs a third of the time.
        Unsafe.Add(ref tables, lane)++;
        Unsafe.Add(ref tables, Unsafe.Add(ref lane, 1))++;
        Unsafe.Add(ref tables, Unsafe.Add(ref lane, 2))++;
        Unsafe.Add(ref tables, Unsafe.Add(ref lane, 3))++;
        Unsafe.Add(ref tables, Unsafe.Add(ref lane, 4))++;
        Unsafe.Add(ref tables, Unsafe.Add(ref lane, 5))++;
        Unsafe.Add(ref tables, Unsafe.Add(ref lane, 6))++;
        Unsafe.Add(ref tables, Unsafe.Add(ref lane, 7))++;
        Unsafe.Add(ref tables, Unsafe.Add(ref lane, 8))++;
        Unsafe.Add(ref tables, Unsafe.Add(ref lane, 9))++;
        Unsafe.Add(ref tables, Unsafe.Add(ref lane, 10))++;
        Unsafe.Add(ref tables, Unsafe.Add(ref lane, 11))++;
        Unsafe.Add(ref tables, Unsafe.Add(ref lane, 12))++;
        Unsafe.Add(ref tables, Unsafe.Add(ref lane, 13))++;
        Unsafe.Add(ref tables, Unsafe.Add(ref lane, 14))++;
        Unsafe.Add(ref tables, Unsafe.Add(ref lane, 15))++;
    }
}
