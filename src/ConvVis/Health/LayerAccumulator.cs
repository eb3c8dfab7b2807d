using System.Numerics;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace ConvVis.Health;

/// <summary>
/// Running per-channel statistics of one layer's outputs, fed one batch at a time.
/// </summary>
/// <remarks>
/// <para>Speed: the batch is read in place (a contiguous CPU float32 output needs no copy) and
/// reduced by a fused SIMD loop per (input, channel) map, channels in parallel: counts of zeros
/// and of values at or below the threshold, sum, min, max, then the map's centred sum of squares
/// while it is still in L1 cache, and its histogram bins. Doing this with separate torch
/// reductions took 8 full passes plus an int64 index tensor per layer, several times the cost of
/// the forward pass of a small CNN. Maps that fall inside the current histogram range are binned
/// right after their moments, still in L1 cache; only maps that extend the range (all of the first
/// batch) are binned in a second pass, after the range has grown (exactly, see GrowingHistogram).</para>
/// <para>Accuracy: each map's mean and centred sum of squares are exact up to float rounding over at
/// most a few thousand values; maps are merged in double with Chan et al.'s pairwise update, which
/// stays accurate over millions of values (a running sum of squares does not).</para>
/// </remarks>
internal sealed class LayerAccumulator
{
    const int ParallelThreshold = 1 << 15; // elements; below this the thread hand-off costs more than it saves

    readonly float threshold;
    readonly int bins;
    int channels = -1;
    long[] outputShape = [];
    long inputs;
    long calls;
    long[] values = [], zeros = [], atOrBelow = [], active = [];
    double[] mean = [], m2 = [], max = [], min = [];
    GrowingHistogram? histogram;

    public LayerAccumulator(string name, string typeName, float threshold, int bins)
    {
        Name = name;
        TypeName = typeName;
        this.threshold = threshold;
        this.bins = bins;
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
        if (channels < 0) Init((int)c, x.shape.Skip(1).ToArray());
        else if (c != channels)
            throw new InvalidOperationException(
                $"Layer '{Name}' produced {c} channels in one batch and {channels} in an earlier one; the statistics need a fixed channel count.");
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
        histogram!.Cover(batchMin.Min(), batchMax.Max());
        if (histogram.HasRange && deferred.Contains(true)) For(cc, total, ch => Bin(Floats(cpu), ch, nn, cc, ll, deferred));
        inputs += n;
        calls++;
    }

    static ReadOnlySpan<float> Floats(Tensor t) => MemoryMarshal.Cast<byte, float>(t.bytes);

    static void For(int channels, long elements, Action<int> body)
    {
        if (elements < ParallelThreshold || channels == 1 || Environment.ProcessorCount == 1)
            for (int ch = 0; ch < channels; ch++) body(ch);
        else
            Parallel.For(0, channels, body);
    }

    void Moments(ReadOnlySpan<float> data, int ch, int n, int c, int l, double[] batchMin, double[] batchMax, bool[] deferred)
    {
        var hist = histogram!;
        bool canBin = hist.HasRange;
        double rangeLow = hist.Low, rangeHigh = hist.High;
        float binLow = (float)rangeLow, binScale = canBin ? (float)(bins / (rangeHigh - rangeLow)) : 0;
        Span<int> index = stackalloc int[Math.Min(l, 1024)];
        Span<long> sub = bins <= 512 ? stackalloc long[4 * bins] : new long[4 * bins];
        sub.Clear();
        long zeroCount = 0, leCount = 0, activeCount = 0;
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        long count = values[ch];
        double runningMean = mean[ch], runningM2 = m2[ch];
        for (int s = 0; s < n; s++)
        {
            var map = data.Slice((s * c + ch) * l, l);
            var (sum, mapMin, mapMax, zerosHere, leHere) = Scan(map, threshold);
            if (canBin && mapMin >= rangeLow && mapMax <= rangeHigh) BinMap(map, binLow, binScale, index, sub);
            else deferred[s * c + ch] = true;
            double mapMean = sum / l;
            double mapM2 = CentredSquares(map, (float)mapMean);
            zeroCount += zerosHere;
            leCount += leHere;
            if (mapMax > threshold) activeCount++;
            lo = Math.Min(lo, mapMin);
            hi = Math.Max(hi, mapMax);
            // Chan et al.: merge (l, mapMean, mapM2) into (count, runningMean, runningM2).
            long total = count + l;
            double delta = mapMean - runningMean;
            runningMean += delta * l / total;
            runningM2 += mapM2 + delta * delta * ((double)count * l / total);
            count = total;
        }
        if (canBin) AddSub(hist.ChannelCounts(ch), sub);
        values[ch] = count;
        mean[ch] = runningMean;
        m2[ch] = runningM2;
        zeros[ch] += zeroCount;
        atOrBelow[ch] += leCount;
        active[ch] += activeCount;
        min[ch] = Math.Min(min[ch], lo);
        max[ch] = Math.Max(max[ch], hi);
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

    static double CentredSquares(ReadOnlySpan<float> map, float mapMean)
    {
        int i = 0;
        double total = 0;
        int w = Vector<float>.Count;
        if (map.Length >= w)
        {
            var vs = MemoryMarshal.Cast<float, Vector<float>>(map);
            var vm = new Vector<float>(mapMean);
            var acc = Vector<float>.Zero;
            for (int k = 0; k < vs.Length; k++)
            {
                var d = vs[k] - vm;
                acc += d * d;
            }
            total = Vector.Sum(acc);
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
        float lo = (float)histogram!.Low, scale = (float)(bins / (histogram.High - histogram.Low));
        Span<int> index = stackalloc int[Math.Min(l, 1024)];
        Span<long> sub = bins <= 512 ? stackalloc long[4 * bins] : new long[4 * bins];
        sub.Clear();
        for (int s = 0; s < n; s++)
            if (deferred[s * c + ch]) BinMap(data.Slice((s * c + ch) * l, l), lo, scale, index, sub);
        AddSub(histogram.ChannelCounts(ch), sub);
    }

    /// <summary>
    /// Adds one map to four interleaved sub-histograms: bin indices are computed with SIMD into a
    /// small buffer, then counted round-robin, because ReLU outputs send most values to one bin and a
    /// single counter would make every increment wait for the previous one.
    /// </summary>
    void BinMap(ReadOnlySpan<float> map, float lo, float scale, Span<int> index, Span<long> sub)
    {
        for (int start = 0; start < map.Length; start += index.Length)
        {
            var chunk = map.Slice(start, Math.Min(index.Length, map.Length - start));
            BinIndices(chunk, lo, scale, bins - 1, index);
            int i = 0;
            for (; i + 4 <= chunk.Length; i += 4)
            {
                sub[index[i]]++;
                sub[bins + index[i + 1]]++;
                sub[2 * bins + index[i + 2]]++;
                sub[3 * bins + index[i + 3]]++;
            }
            for (; i < chunk.Length; i++) sub[index[i]]++;
        }
    }

    void AddSub(Span<long> counts, ReadOnlySpan<long> sub)
    {
        for (int b = 0; b < bins; b++) counts[b] += sub[b] + sub[bins + b] + sub[2 * bins + b] + sub[3 * bins + b];
    }

    /// <summary>floor((v - lo) * scale) clamped to [0, last]. NaN and infinities (which never set the range) land in bin 0.</summary>
    static void BinIndices(ReadOnlySpan<float> values, float lo, float scale, int last, Span<int> index)
    {
        int i = 0, w = Vector<float>.Count;
        if (values.Length >= w)
        {
            var vlo = new Vector<float>(lo);
            var vscale = new Vector<float>(scale);
            var vlast = new Vector<int>(last);
            var vs = MemoryMarshal.Cast<float, Vector<float>>(values);
            var outs = MemoryMarshal.Cast<int, Vector<int>>(index);
            for (int k = 0; k < vs.Length; k++)
            {
                var b = Vector.ConvertToInt32(Vector.Floor((vs[k] - vlo) * vscale));
                outs[k] = Vector.Min(Vector.Max(b, Vector<int>.Zero), vlast);
            }
            i = vs.Length * w;
        }
        for (; i < values.Length; i++)
        {
            float v = values[i];
            int b = float.IsNaN(v) ? 0 : (int)MathF.Floor((v - lo) * scale);
            index[i] = b < 0 ? 0 : b > last ? last : b;
        }
    }

    void Init(int c, long[] shape)
    {
        channels = c;
        outputShape = shape;
        values = new long[c]; zeros = new long[c]; atOrBelow = new long[c]; active = new long[c];
        mean = new double[c]; m2 = new double[c];
        max = Enumerable.Repeat(double.NegativeInfinity, c).ToArray();
        min = Enumerable.Repeat(double.PositiveInfinity, c).ToArray();
        histogram = new GrowingHistogram(bins, c);
    }

    public LayerStats ToStats(double nearlyDeadFraction)
    {
        var stats = new List<ChannelStats>();
        for (int ch = 0; ch < Math.Max(channels, 0); ch++)
        {
            long v = values[ch];
            stats.Add(new ChannelStats(ch, v, (double)zeros[ch] / v, (double)atOrBelow[ch] / v, mean[ch], Math.Sqrt(m2[ch] / v),
                min[ch], max[ch], active[ch], inputs, histogram!.Channel(ch), nearlyDeadFraction));
        }
        return new LayerStats(Name, TypeName, outputShape, inputs, calls, threshold, stats,
            histogram?.Layer() ?? new Histogram(0, 1, new long[bins]), MergeLayer());
    }

    (double Mean, double Std) MergeLayer()
    {
        long n = 0; double m = 0, s = 0;
        for (int ch = 0; ch < Math.Max(channels, 0); ch++)
        {
            long nb = values[ch];
            if (nb == 0) continue;
            long nab = n + nb;
            double delta = mean[ch] - m;
            m += delta * nb / nab;
            s += m2[ch] + delta * delta * ((double)n * nb / nab);
            n = nab;
        }
        return n == 0 ? (double.NaN, double.NaN) : (m, Math.Sqrt(s / n));
    }
}
