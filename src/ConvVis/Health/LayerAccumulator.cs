using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace ConvVis.Health;

/// <summary>
/// Running per-channel statistics of one layer's outputs, fed one batch at a time. Each batch is
/// reduced on its own device to a few numbers per channel (counts, batch mean and centred sum of
/// squares, min, max, active inputs, bin counts), which are merged here in double precision:
/// means and variances with Chan et al.'s pairwise update, which stays accurate over millions of
/// values (a naive sum of squares does not).
/// </summary>
internal sealed class LayerAccumulator
{
    readonly float threshold;
    int channels = -1;
    long[] perChannelValues = [];
    long inputs;
    long calls;
    double[] zeros = [], atOrBelow = [], mean = [], m2 = [], max = [], min = [], active = [];
    GrowingHistogram? histogram;
    readonly int bins;
    long[]? outputShape;

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
        if (!x.is_floating_point()) x = x.to(ScalarType.Float32);
        if (x.dim() == 0) x = x.reshape(1);
        long n = x.shape[0];
        long c = x.dim() >= 2 ? x.shape[1] : 1;
        if (n == 0) return;
        long l = x.numel() / (n * c);
        var x3 = x.reshape(n, c, l);
        if (channels < 0) Init((int)c, x.shape.Skip(1).ToArray());
        else if (c != channels)
            throw new InvalidOperationException(
                $"Layer '{Name}' produced {c} channels in one batch and {channels} in an earlier one; the statistics need a fixed channel count.");

        var bmean = x3.mean(new long[] { 0, 2 });
        var bm2 = (x3 - bmean.view(1, c, 1)).square().sum(new long[] { 0, 2 });
        var reduced = stack(new[]
        {
            x3.eq(0).sum(new long[] { 0, 2 }).to(ScalarType.Float64),
            x3.le(threshold).sum(new long[] { 0, 2 }).to(ScalarType.Float64),
            bmean.to(ScalarType.Float64),
            bm2.to(ScalarType.Float64),
            x3.amax(new long[] { 0, 2 }).to(ScalarType.Float64),
            x3.amin(new long[] { 0, 2 }).to(ScalarType.Float64),
            x3.amax(new long[] { 2 }).gt(threshold).sum(new long[] { 0 }).to(ScalarType.Float64),
        }).cpu().contiguous();
        var r = MemoryMarshal.Cast<byte, double>(reduced.bytes);
        long count = n * l; // values per channel in this batch
        double batchMin = double.PositiveInfinity, batchMax = double.NegativeInfinity;
        for (int ch = 0; ch < channels; ch++)
        {
            zeros[ch] += r[0 * channels + ch];
            atOrBelow[ch] += r[1 * channels + ch];
            // Chan et al. merge of (count, mean, M2).
            long na = perChannelValues[ch], nb = count, nab = na + nb;
            double delta = r[2 * channels + ch] - mean[ch];
            mean[ch] += delta * nb / nab;
            m2[ch] += r[3 * channels + ch] + delta * delta * ((double)na * nb / nab);
            perChannelValues[ch] = nab;
            max[ch] = Math.Max(max[ch], r[4 * channels + ch]);
            min[ch] = Math.Min(min[ch], r[5 * channels + ch]);
            active[ch] += r[6 * channels + ch];
            batchMax = Math.Max(batchMax, r[4 * channels + ch]);
            batchMin = Math.Min(batchMin, r[5 * channels + ch]);
        }
        inputs += n;
        calls++;

        histogram!.Cover(batchMin, batchMax);
        if (histogram.HasRange)
        {
            double lo = histogram.Low, w = histogram.Width;
            var idx = ((x3 - lo) / w).floor_().clamp_(0, bins - 1).to(ScalarType.Int64)
                      + (arange(c, dtype: ScalarType.Int64, device: x3.device) * bins).view(1, c, 1);
            var counts = idx.flatten().bincount(null, c * bins).cpu().contiguous();
            histogram.Add(MemoryMarshal.Cast<byte, long>(counts.bytes));
        }
    }

    void Init(int c, long[] shape)
    {
        channels = c;
        outputShape = shape;
        perChannelValues = new long[c];
        zeros = new double[c]; atOrBelow = new double[c]; mean = new double[c]; m2 = new double[c];
        active = new double[c];
        max = Enumerable.Repeat(double.NegativeInfinity, c).ToArray();
        min = Enumerable.Repeat(double.PositiveInfinity, c).ToArray();
        histogram = new GrowingHistogram(bins, c);
    }

    public LayerStats ToStats(double nearlyDeadFraction)
    {
        var stats = new List<ChannelStats>();
        for (int ch = 0; ch < Math.Max(channels, 0); ch++)
        {
            long values = perChannelValues[ch];
            stats.Add(new ChannelStats(
                ch,
                values,
                zeros[ch] / values,
                atOrBelow[ch] / values,
                mean[ch],
                Math.Sqrt(m2[ch] / values),
                min[ch],
                max[ch],
                (long)active[ch],
                inputs,
                histogram!.Channel(ch),
                nearlyDeadFraction));
        }
        return new LayerStats(Name, TypeName, outputShape ?? [], inputs, calls, threshold, stats,
            histogram?.Layer() ?? new Histogram(0, 1, new long[bins]), MergeLayer());
    }

    (double Mean, double Std) MergeLayer()
    {
        long n = 0; double m = 0, s = 0;
        for (int ch = 0; ch < Math.Max(channels, 0); ch++)
        {
            long nb = perChannelValues[ch];
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
