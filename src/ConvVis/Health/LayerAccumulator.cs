using System.Numerics;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace ConvVis.Health;

/// <summary>
/// Running per-channel statistics of one layer's outputs, fed one batch at a time.
/// </summary>
/// <remarks>
/// <para>Speed: the batch is copied once into a reused float buffer (a memcpy)
/// and reduced by a fused SIMD loop per (input, channel) map, channels in parallel: counts of zeros
/// and of values at or below the threshold, sum, min, max, then the map's centred sum of squares
/// while it is still in L1 cache; a second pass adds the histogram. Doing this with separate torch
/// reductions took 8 full passes plus an int64 index tensor per layer, several times the cost of
/// the forward pass of a small CNN.</para>
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
    float[] buffer = [];

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

        // A no-op for the usual contiguous CPU float32 output; then one memcpy into a reused managed
        // buffer, so the per-channel loops can run in parallel over spans (no unsafe code).
        var cpu = x.to(ScalarType.Float32).cpu().contiguous();
        int cc = (int)c, nn = (int)n, ll = (int)l, total = nn * cc * ll;
        if (buffer.Length < total) buffer = new float[total];
        MemoryMarshal.Cast<byte, float>(cpu.bytes).CopyTo(buffer);
        var data = buffer;
        var batchMin = new double[cc];
        var batchMax = new double[cc];
        For(cc, total, ch => Moments(data, ch, nn, cc, ll, batchMin, batchMax));
        histogram!.Cover(batchMin.Min(), batchMax.Max());
        if (histogram.HasRange) For(cc, total, ch => Bin(data, ch, nn, cc, ll));
        inputs += n;
        calls++;
    }

    static void For(int channels, long elements, Action<int> body)
    {
        if (elements < ParallelThreshold || channels == 1 || Environment.ProcessorCount == 1)
            for (int ch = 0; ch < channels; ch++) body(ch);
        else
            Parallel.For(0, channels, body);
    }

    void Moments(float[] data, int ch, int n, int c, int l, double[] batchMin, double[] batchMax)
    {
        long zeroCount = 0, leCount = 0, activeCount = 0;
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        long count = values[ch];
        double runningMean = mean[ch], runningM2 = m2[ch];
        for (int s = 0; s < n; s++)
        {
            var map = new ReadOnlySpan<float>(data, (s * c + ch) * l, l);
            var (sum, mapMin, mapMax, zerosHere, leHere) = Scan(map, threshold);
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

    void Bin(float[] data, int ch, int n, int c, int l)
    {
        var counts = histogram!.ChannelCounts(ch);
        double lo = histogram.Low, scale = bins / (histogram.High - histogram.Low);
        int last = bins - 1;
        for (int s = 0; s < n; s++)
        {
            var map = new ReadOnlySpan<float>(data, (s * c + ch) * l, l);
            foreach (float v in map)
            {
                if (float.IsNaN(v)) continue;
                int b = (int)Math.Floor((v - lo) * scale);
                counts[b < 0 ? 0 : b > last ? last : b]++;
            }
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
