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
    public static int Count => 2 * Vector<int>.Count;

    /// <summary>The largest table block (in ints) worth taking from the stack; larger ones come from the heap.</summary>
    public const int StackLimit = 16 * 256;

    /// <summary>The number of counters for <paramref name="bins"/> bins.</summary>
    public static int Size(int bins) => Count * bins;

    /// <summary>Adds the tables' counts, summed over tables, to <paramref name="counts"/>.</summary>
    public static void AddTo(Span<long> counts, ReadOnlySpan<int> tables, int bins)
    {
        for (int t = 0; t < Count; t++)
        {
            var table = tables.Slice(t * bins, bins);
            for (int b = 0; b < bins; b++) counts[b] += table[b];
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

    /// <summary>Bins whole vectors into the tables, alternating between the two sets.</summary>
    public ref struct Binner
    {
        readonly Vector<float> _low, _scale;
        readonly Vector<int> _last;
        readonly ref int _tables;
        readonly Span<int> _lanes;
        Vector<int> _offsets, _otherOffsets;

        /// <param name="low">The histogram's lower edge.</param>
        /// <param name="scale">Bins per unit.</param>
        /// <param name="bins">The number of bins.</param>
        /// <param name="tables"><see cref="Count"/> x <paramref name="bins"/> counters (<see cref="Size"/>), zeroed.</param>
        /// <param name="lanes">Scratch space for one vector of bin indices.</param>
        public Binner(float low, float scale, int bins, Span<int> tables, Span<int> lanes)
        {
            _low = new Vector<float>(low);
            _scale = new Vector<float>(scale);
            _last = new Vector<int>(bins - 1);
            _tables = ref MemoryMarshal.GetReference(tables);
            _lanes = lanes;
            Span<int> offsets = stackalloc int[Vector<int>.Count];
            for (int j = 0; j < offsets.Length; j++) offsets[j] = j * bins;
            _offsets = new Vector<int>(offsets);
            _otherOffsets = _offsets + new Vector<int>(Vector<int>.Count * bins);
        }

        /// <summary>Counts the lanes of <paramref name="v"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(Vector<float> v)
        {
            (BinIndex(v, _low, _scale, _last) + _offsets).CopyTo(_lanes);
            (_offsets, _otherOffsets) = (_otherOffsets, _offsets);
            foreach (int index in _lanes) Unsafe.Add(ref _tables, index)++;
        }

        /// <summary>Takes back the lanes of <paramref name="v"/> (from either table set: the tables are summed, so which one does not matter).</summary>
        public readonly void Remove(Vector<float> v)
        {
            (BinIndex(v, _low, _scale, _last) + _offsets).CopyTo(_lanes);
            foreach (int index in _lanes) Unsafe.Add(ref _tables, index)--;
        }
    }
}
