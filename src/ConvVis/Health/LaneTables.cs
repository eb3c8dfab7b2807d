using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ConvVis.Health;

/// <summary>
/// Histogram counting that keeps up with SIMD code. Each lane of a vector counts into its own table, and even and
/// odd vectors into two different sets of tables, so 2 x <see cref="Vector{T}.Count"/> consecutive values never
/// increment the same counter. Why: neighbouring values of a feature map mostly fall in the same bin, and with one
/// table each increment would wait for the previous one to reach memory. The tables are summed once per channel.
/// Counters are <c>int</c>: a batch holds at most <see cref="int.MaxValue"/> values (the caller checks).
/// </summary>
internal static class LaneTables
{
    /// <summary>The number of tables: two sets of one table per lane.</summary>
    public static int TableCount => 2 * Vector<int>.Count;

    /// <summary>The largest table block (in ints) worth taking from the stack; larger ones come from the heap.</summary>
    public const int StackLimit = 16 * 256;

    /// <summary>The number of counters for <paramref name="bins"/> bins.</summary>
    public static int Size(int bins) => TableCount * bins;

    /// <summary>Adds the tables' counts, summed over tables, to <paramref name="counts"/>.</summary>
    /// <remarks>A vector of bins at a time, summed as ints over the tables and widened once: per channel this runs once
    /// for every table counter, which for the 7x7 maps of a ResNet's last stage is as many as there are values. The int
    /// sums cannot overflow: they count values of one batch.</remarks>
    public static void AddTo(Span<long> counts, ReadOnlySpan<int> tables, int bins)
    {
        int w = Vector<int>.Count, b = 0;
        for (; b + w <= bins; b += w)
        {
            var sum = Vector<int>.Zero;
            for (int t = 0; t < TableCount; t++) sum += new Vector<int>(tables.Slice(t * bins + b, w));
            Vector.Widen(sum, out var low, out var high);
            (new Vector<long>(counts.Slice(b)) + low).CopyTo(counts.Slice(b));
            (new Vector<long>(counts.Slice(b + w / 2)) + high).CopyTo(counts.Slice(b + w / 2));
        }
        for (; b < bins; b++)
        {
            long sum = 0;
            for (int t = 0; t < TableCount; t++) sum += tables[t * bins + b];
            counts[b] += sum;
        }
    }

    /// <summary>floor((v - lo) * scale) clamped to [0, last], lane-wise. NaN lands in bin 0 (its conversion gives int.MinValue).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<int> BinIndex(Vector<float> v, Vector<float> lo, Vector<float> scale, Vector<int> last) =>
        Vector.Min(Vector.Max(Vector.ConvertToInt32(Vector.Floor((v - lo) * scale)), Vector<int>.Zero), last);

    /// <summary>The scalar twin of the vector <see cref="BinIndex(Vector{float}, Vector{float}, Vector{float}, Vector{int})"/>. NaN and infinities (which never set the range) land in bin 0 or the clamp.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int BinIndex(float v, float lo, float scale, int last)
    {
        int b = float.IsNaN(v) ? 0 : (int)MathF.Floor((v - lo) * scale);
        return b < 0 ? 0 : b > last ? last : b;
    }

    /// <summary>Each lane's offset into the first table set: lane j counts into table j.</summary>
    /// <remarks>Computed per map, so without a stack buffer (built from one, the offsets took 3 % of the scan's hook time).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<int> FirstSetOffsets(int bins) => Vector<int>.Indices * bins;

    /// <summary>Each lane's offset into the second table set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<int> SecondSetOffsets(int bins) => FirstSetOffsets(bins) + new Vector<int>(Vector<int>.Count * bins);

    /// <summary>Adds <paramref name="delta"/> to the counters at <paramref name="indices"/> (bin index plus table offset, lane-wise).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Count(Vector<int> indices, Span<int> lanes, ref int tables, int delta = 1)
    {
        indices.CopyTo(lanes);
        ref int lane = ref MemoryMarshal.GetReference(lanes);
        if (Vector<int>.Count == 8)
        {
            // Written out: the JIT does not unroll the loop below, and its compare-and-branch per lane cost a third of the time.
            Unsafe.Add(ref tables, lane) += delta;
            Unsafe.Add(ref tables, Unsafe.Add(ref lane, 1)) += delta;
            Unsafe.Add(ref tables, Unsafe.Add(ref lane, 2)) += delta;
            Unsafe.Add(ref tables, Unsafe.Add(ref lane, 3)) += delta;
            Unsafe.Add(ref tables, Unsafe.Add(ref lane, 4)) += delta;
            Unsafe.Add(ref tables, Unsafe.Add(ref lane, 5)) += delta;
            Unsafe.Add(ref tables, Unsafe.Add(ref lane, 6)) += delta;
            Unsafe.Add(ref tables, Unsafe.Add(ref lane, 7)) += delta;
        }
        else
        {
            for (int j = 0; j < Vector<int>.Count; j++) Unsafe.Add(ref tables, Unsafe.Add(ref lane, j)) += delta;
        }
    }

    /// <summary>Counts the lanes of every whole vector of <paramref name="vs"/>, alternating between the table sets.</summary>
    public static void CountAll(ReadOnlySpan<Vector<float>> vs, float low, float scale, int bins, Span<int> tables, int delta = 1)
    {
        var vlow = new Vector<float>(low);
        var vscale = new Vector<float>(scale);
        var vlast = new Vector<int>(bins - 1);
        var first = FirstSetOffsets(bins);
        var second = SecondSetOffsets(bins);
        ref int table = ref MemoryMarshal.GetReference(tables);
        Span<int> lanes = stackalloc int[Vector<int>.Count];
        int k = 0;
        for (; k + 1 < vs.Length; k += 2)
        {
            Count(BinIndex(vs[k], vlow, vscale, vlast) + first, lanes, ref table, delta);
            Count(BinIndex(vs[k + 1], vlow, vscale, vlast) + second, lanes, ref table, delta);
        }
        if (k < vs.Length) Count(BinIndex(vs[k], vlow, vscale, vlast) + first, lanes, ref table, delta);
    }
}
