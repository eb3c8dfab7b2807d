using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ConvVis.Internal;
using static TorchSharp.torch;

namespace ConvVis.Health;

/// <summary>
/// Running per-channel statistics of one layer's outputs, fed one batch at a time.
/// </summary>
/// <remarks>
/// <para>Speed: the batch is read in place (a contiguous CPU float32 output needs no copy) and reduced per (input,
/// channel) map, channels in parallel on libtorch's own threads (see LibTorchTeam), in two SIMD passes: the first reads
/// the map from memory once and gives the counts of zeros and of values at or below the threshold, sum, min, max and,
/// once the histogram has a range, the map's bins (counted in per-lane tables, see LaneTables, about 1.5x faster than
/// one table with a shortcut for vectors whose lanes share a bin); the second, while the map is still in cache, its
/// centred sum of squares. Doing this with separate torch reductions took 8 full passes plus an int64 index tensor per
/// layer, several times the cost of the forward pass of a small CNN. A map that reaches outside the current histogram
/// range (all of the first batch) is un-binned and binned again after the range has grown (exactly, see
/// GrowingHistogram).</para>
/// <para>Accuracy: each map's mean and centred sum of squares are exact up to float rounding over at
/// most a few thousand values; maps are merged in double with Chan et al.'s pairwise update, which
/// stays accurate over millions of values (a running sum of squares does not).</para>
/// </remarks>
internal sealed class LayerAccumulator
{
    /// <summary>Elements; below this the thread hand-off costs more than it saves. Settable so that benchmarks can compare.</summary>
    internal static long ParallelThreshold { get; set; } = 1 << 15;

    readonly float _threshold;
    readonly int _bins;
    int _channels = -1;
    long[] _outputShape = [];
    long _inputs;
    long _calls;
    long[] _values = [], _zeros = [], _atOrBelow = [], _active = [];
    double[] _mean = [], _m2 = [], _max = [], _min = [];
    GrowingHistogram? _histogram;

    public LayerAccumulator(string name, string typeName, float threshold, int bins)
    {
        Name = name;
        TypeName = typeName;
        _threshold = threshold;
        _bins = bins;
    }

    public string Name { get; }
    public string TypeName { get; }

    /// <summary>Reduces one output batch [N, C, ...] (or [N]) and merges it in.</summary>
    public void Add(Tensor output)
    {
        using var scope = NewDisposeScope();
        var x = output.detach();
        if (x.dim() == 0) x = x.reshape(1);
        long n = x.shape[0];
        long c = x.dim() >= 2 ? x.shape[1] : 1;
        if (n == 0 || c == 0) return;
        long l = x.numel() / (n * c);
        if (_channels < 0) Init((int)c, x.shape.Skip(1).ToArray());
        else if (c != _channels)
            throw new InvalidOperationException(
                $"Layer '{Name}' produced {c} channels in one batch and {_channels} in an earlier one; the statistics need a fixed channel count.");
        if (x.numel() > int.MaxValue) throw new InvalidOperationException($"Layer '{Name}' produced a batch of {x.numel()} values; use smaller batches.");

        // A no-op for the usual contiguous CPU float32 output. Workers read its memory in place
        // (each takes the span itself: spans cannot be captured by the parallel lambdas).
        var cpu = x.to(ScalarType.Float32).cpu().contiguous();
        int cc = (int)c, nn = (int)n, ll = (int)l, total = nn * cc * ll;
        var batchMin = new double[cc];
        var batchMax = new double[cc];
        // Maps inside the current histogram range are binned while they are in cache; the others
        // (all of the first batch, and any that overflow) after the range has grown to cover them.
        var deferred = new bool[nn * cc];
        For(cc, total, ch => Moments(Floats(cpu), ch, nn, cc, ll, batchMin, batchMax, deferred));
        _histogram!.Cover(batchMin.Min(), batchMax.Max());
        if (_histogram.HasRange && deferred.Contains(true)) For(cc, total, ch => Bin(Floats(cpu), ch, nn, cc, ll, deferred));
        _inputs += n;
        _calls++;
    }

    static ReadOnlySpan<float> Floats(Tensor t) => MemoryMarshal.Cast<byte, float>(t.bytes);

    static void For(int channels, long elements, Action<int> body)
    {
        if (elements < ParallelThreshold || channels == 1 || Environment.ProcessorCount == 1)
            for (int ch = 0; ch < channels; ch++) body(ch);
        else
            LibTorchTeam.For(channels, body); // this runs in a forward hook: see LibTorchTeam for why not Parallel.For
    }

    void Moments(ReadOnlySpan<float> data, int ch, int n, int c, int l, double[] batchMin, double[] batchMax, bool[] deferred)
    {
        var hist = _histogram!;
        bool canBin = hist.HasRange;
        double rangeLow = hist.Low, rangeHigh = hist.High;
        float binLow = (float)rangeLow, binScale = canBin ? (float)(_bins / (rangeHigh - rangeLow)) : 0;
        int size = LaneTables.Size(_bins);
        Span<int> tables = size <= LaneTables.StackLimit ? stackalloc int[size] : new int[size];
        tables.Clear();
        long zeroCount = 0, leCount = 0, activeCount = 0;
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        long count = _values[ch];
        double runningMean = _mean[ch], runningM2 = _m2[ch];
        for (int s = 0; s < n; s++)
        {
            var map = data.Slice((s * c + ch) * l, l);
            // Binned optimistically in the same pass (the map is read from memory once); a map that turns out to reach
            // outside the range is un-binned with the very same indices and binned after the range has grown.
            var (sum, mapMin, mapMax, zerosHere, leHere) = canBin
                ? ScanAndBin(map, _threshold, binLow, binScale, _bins, tables)
                : Scan(map, _threshold);
            if (canBin && !(mapMin >= rangeLow && mapMax <= rangeHigh))
            {
                Unbin(map, binLow, binScale, _bins, tables);
                deferred[s * c + ch] = true;
            }
            else if (!canBin) deferred[s * c + ch] = true;
            double mapMean = sum / l;
            double mapM2 = CentredSquares(map, (float)mapMean); // the map is still in cache
            zeroCount += zerosHere;
            leCount += leHere;
            if (mapMax > _threshold) activeCount++;
            lo = Math.Min(lo, mapMin);
            hi = Math.Max(hi, mapMax);
            // Chan et al.: merge (l, mapMean, mapM2) into (count, runningMean, runningM2).
            long total = count + l;
            double delta = mapMean - runningMean;
            runningMean += delta * l / total;
            runningM2 += mapM2 + delta * delta * ((double)count * l / total);
            count = total;
        }
        if (canBin) LaneTables.AddTo(hist.ChannelCounts(ch), tables, _bins);
        _values[ch] = count;
        _mean[ch] = runningMean;
        _m2[ch] = runningM2;
        _zeros[ch] += zeroCount;
        _atOrBelow[ch] += leCount;
        _active[ch] += activeCount;
        _min[ch] = Math.Min(_min[ch], lo);
        _max[ch] = Math.Max(_max[ch], hi);
        batchMin[ch] = lo;
        batchMax[ch] = hi;
    }

    /// <summary>One SIMD pass: sum, min, max, count of zeros and of values at or below t.</summary>
    static (double Sum, float Min, float Max, long Zeros, long AtOrBelow) Scan(ReadOnlySpan<float> map, float t)
    {
        int i = 0;
        double sum = 0;
        float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
        long zeroCount = 0, leCount = 0;
        int w = Vector<float>.Count;
        if (map.Length >= w)
        {
            var vs = MemoryMarshal.Cast<float, Vector<float>>(map);
            var vsum = Vector<float>.Zero;
            var vmin = new Vector<float>(float.PositiveInfinity);
            var vmax = new Vector<float>(float.NegativeInfinity);
            var vzero = Vector<int>.Zero;
            var vle = Vector<int>.Zero;
            var vt = new Vector<float>(t);
            for (int k = 0; k < vs.Length; k++)
            {
                var v = vs[k];
                vsum += v;
                vmin = Vector.Min(vmin, v);
                vmax = Vector.Max(vmax, v);
                vzero -= Vector.Equals(v, Vector<float>.Zero); // a true lane is -1
                vle -= Vector.LessThanOrEqual(v, vt);
            }
            sum = Vector.Sum(vsum);
            for (int k = 0; k < w; k++)
            {
                lo = Math.Min(lo, vmin[k]);
                hi = Math.Max(hi, vmax[k]);
            }
            zeroCount = Vector.Sum(vzero);
            leCount = Vector.Sum(vle);
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
        }
        return (sum, lo, hi, zeroCount, leCount);
    }

    /// <summary>
    /// <see cref="Scan"/> (the same arithmetic in the same order, so the same results) fused with binning into the
    /// lane tables (see <see cref="LaneTables"/>): two vectors per step, each lane of each counting into its own table.
    /// </summary>
    internal static (double Sum, float Min, float Max, long Zeros, long AtOrBelow) ScanAndBin(ReadOnlySpan<float> map, float t,
        float binLow, float binScale, int bins, Span<int> tables)
    {
        int i = 0;
        double sum = 0;
        float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
        long zeroCount = 0, leCount = 0;
        int w = Vector<float>.Count;
        if (map.Length >= w)
        {
            var vs = MemoryMarshal.Cast<float, Vector<float>>(map);
            var vsum = Vector<float>.Zero;
            var vmin = new Vector<float>(float.PositiveInfinity);
            var vmax = new Vector<float>(float.NegativeInfinity);
            var vzero = Vector<int>.Zero;
            var vle = Vector<int>.Zero;
            var vt = new Vector<float>(t);
            var vlo = new Vector<float>(binLow);
            var vscale = new Vector<float>(binScale);
            var vlast = new Vector<int>(bins - 1);
            var first = LaneTables.FirstSetOffsets(bins);
            var second = LaneTables.SecondSetOffsets(bins);
            ref int table = ref MemoryMarshal.GetReference(tables);
            Span<int> lanes = stackalloc int[w];
            // Two vectors per step, one into each table set (see LaneTables).
            int k = 0;
            for (; k + 1 < vs.Length; k += 2)
            {
                var v = vs[k];
                var u = vs[k + 1];
                vsum += v;
                vmin = Vector.Min(vmin, v);
                vmax = Vector.Max(vmax, v);
                vzero -= Vector.Equals(v, Vector<float>.Zero); // a true lane is -1
                vle -= Vector.LessThanOrEqual(v, vt);
                vsum += u;
                vmin = Vector.Min(vmin, u);
                vmax = Vector.Max(vmax, u);
                vzero -= Vector.Equals(u, Vector<float>.Zero);
                vle -= Vector.LessThanOrEqual(u, vt);
                LaneTables.Count(LaneTables.BinIndex(v, vlo, vscale, vlast) + first, lanes, ref table);
                LaneTables.Count(LaneTables.BinIndex(u, vlo, vscale, vlast) + second, lanes, ref table);
            }
            if (k < vs.Length)
            {
                var v = vs[k];
                vsum += v;
                vmin = Vector.Min(vmin, v);
                vmax = Vector.Max(vmax, v);
                vzero -= Vector.Equals(v, Vector<float>.Zero);
                vle -= Vector.LessThanOrEqual(v, vt);
                LaneTables.Count(LaneTables.BinIndex(v, vlo, vscale, vlast) + first, lanes, ref table);
            }
            sum = Vector.Sum(vsum);
            for (int j = 0; j < w; j++)
            {
                lo = Math.Min(lo, vmin[j]);
                hi = Math.Max(hi, vmax[j]);
            }
            zeroCount = Vector.Sum(vzero);
            leCount = Vector.Sum(vle);
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

    /// <summary>Takes back what <see cref="ScanAndBin"/> or <see cref="BinMap"/> added for <paramref name="map"/> (same indices, so exactly).</summary>
    static void Unbin(ReadOnlySpan<float> map, float binLow, float binScale, int bins, Span<int> tables)
    {
        int i = 0, w = Vector<float>.Count;
        if (map.Length >= w)
        {
            var vs = MemoryMarshal.Cast<float, Vector<float>>(map);
            LaneTables.CountAll(vs, binLow, binScale, bins, tables, delta: -1);
            i = vs.Length * w;
        }
        for (; i < map.Length; i++) tables[LaneTables.BinIndex(map[i], binLow, binScale, bins - 1)]--;
    }

    /// <summary>The sum of (x - mean)² over the map, in four accumulators so that the additions do not wait for each other.</summary>
    static double CentredSquares(ReadOnlySpan<float> map, float mapMean)
    {
        int i = 0;
        double total = 0;
        int w = Vector<float>.Count;
        if (map.Length >= w)
        {
            var vs = MemoryMarshal.Cast<float, Vector<float>>(map);
            var vm = new Vector<float>(mapMean);
            Vector<float> a0 = default, a1 = default, a2 = default, a3 = default;
            int k = 0;
            for (; k + 3 < vs.Length; k += 4)
            {
                var d0 = vs[k] - vm;
                var d1 = vs[k + 1] - vm;
                var d2 = vs[k + 2] - vm;
                var d3 = vs[k + 3] - vm;
                a0 += d0 * d0;
                a1 += d1 * d1;
                a2 += d2 * d2;
                a3 += d3 * d3;
            }
            for (; k < vs.Length; k++)
            {
                var d = vs[k] - vm;
                a0 += d * d;
            }
            total = Vector.Sum(a0 + a1 + (a2 + a3));
            i = vs.Length * w;
        }
        for (; i < map.Length; i++)
        {
            double d = map[i] - mapMean;
            total += d * d;
        }
        return total;
    }

    /// <summary>Bins the deferred maps of channel <paramref name="ch"/> with the (grown) range.</summary>
    void Bin(ReadOnlySpan<float> data, int ch, int n, int c, int l, bool[] deferred)
    {
        float lo = (float)_histogram!.Low, scale = (float)(_bins / (_histogram.High - _histogram.Low));
        int size = LaneTables.Size(_bins);
        Span<int> tables = size <= LaneTables.StackLimit ? stackalloc int[size] : new int[size];
        tables.Clear();
        for (int s = 0; s < n; s++)
            if (deferred[s * c + ch]) BinMap(data.Slice((s * c + ch) * l, l), lo, scale, _bins, tables);
        LaneTables.AddTo(_histogram.ChannelCounts(ch), tables, _bins);
    }

    /// <summary>Adds one map to the lane tables (the binning half of <see cref="ScanAndBin"/>).</summary>
    static void BinMap(ReadOnlySpan<float> map, float lo, float scale, int bins, Span<int> tables)
    {
        int i = 0, w = Vector<float>.Count;
        if (map.Length >= w)
        {
            var vs = MemoryMarshal.Cast<float, Vector<float>>(map);
            LaneTables.CountAll(vs, lo, scale, bins, tables);
            i = vs.Length * w;
        }
        for (; i < map.Length; i++) tables[LaneTables.BinIndex(map[i], lo, scale, bins - 1)]++;
    }

    void Init(int c, long[] shape)
    {
        _channels = c;
        _outputShape = shape;
        _values = new long[c]; _zeros = new long[c]; _atOrBelow = new long[c]; _active = new long[c];
        _mean = new double[c]; _m2 = new double[c];
        _max = Enumerable.Repeat(double.NegativeInfinity, c).ToArray();
        _min = Enumerable.Repeat(double.PositiveInfinity, c).ToArray();
        _histogram = new GrowingHistogram(_bins, c);
    }

    public LayerStats ToStats(double nearlyDeadFraction)
    {
        var stats = new List<ChannelStats>();
        for (int ch = 0; ch < Math.Max(_channels, 0); ch++)
        {
            long v = _values[ch];
            stats.Add(new ChannelStats(ch, v, (double)_zeros[ch] / v, (double)_atOrBelow[ch] / v, _mean[ch], Math.Sqrt(_m2[ch] / v),
                _min[ch], _max[ch], _active[ch], _inputs, _histogram!.Channel(ch), nearlyDeadFraction));
        }
        return new LayerStats(Name, TypeName, _outputShape, _inputs, _calls, _threshold, stats,
            _histogram?.Layer() ?? new Histogram(0, 1, new long[_bins]), MergeLayer());
    }

    (double Mean, double Std) MergeLayer()
    {
        long n = 0; double m = 0, s = 0;
        for (int ch = 0; ch < Math.Max(_channels, 0); ch++)
        {
            long nb = _values[ch];
            if (nb == 0) continue;
            long nab = n + nb;
            double delta = _mean[ch] - m;
            m += delta * nb / nab;
            s += _m2[ch] + delta * delta * ((double)n * nb / nab);
            n = nab;
        }
        return n == 0 ? (double.NaN, double.NaN) : (m, Math.Sqrt(s / n));
    }
}
