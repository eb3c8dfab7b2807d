using static TorchSharp.torch;

namespace ConvVis.Rendering;

/// <summary>What <see cref="ValueStatistics.Of"/> found: counts over all values (estimated when <see cref="Sampled"/>) and finite min/max/mean.</summary>
/// <param name="Count">Values in the tensor.</param>
/// <param name="Examined">Values read: <see cref="Count"/>, or the sample size.</param>
/// <param name="Sampled">True when the statistics come from a random sample of <see cref="Examined"/> values.</param>
/// <param name="Zeros">Values equal to zero (among the examined ones when sampled).</param>
/// <param name="NaN">NaN values (among the examined ones when sampled).</param>
/// <param name="Inf">Infinite values (among the examined ones when sampled).</param>
/// <param name="Min">Smallest finite value (NaN when there is none).</param>
/// <param name="Max">Largest finite value (NaN when there is none).</param>
/// <param name="Mean">Mean of the finite values (NaN when there is none).</param>
internal sealed record ValueSummary(long Count, long Examined, bool Sampled, long Zeros, long NaN, long Inf, double Min, double Max, double Mean);

/// <summary>
/// Statistics of any tensor in bounded time and memory: the values are read in chunks of <see cref="ChunkSize"/> (no
/// full-size temporary, no float64 copy), a tensor of more than <see cref="ExactLimit"/> values is summarised from a
/// random sample of <see cref="SampleSize"/> values (stratified: one random value from each of that many equal runs of
/// the row-major order, read in order; a fixed seed, so the same tensor gives the same header), and an
/// expanded view (stride 0, e.g. <c>ones(1).expand(4096, 2048, 2048)</c>) is read through its storage: the repeated
/// dimensions are read once and the counts multiplied.
/// </summary>
internal static class ValueStatistics
{
    /// <summary>Tensors up to this many (distinct) values are read whole.</summary>
    public const long ExactLimit = 1L << 21;

    /// <summary>Values in the sample of a larger tensor: enough for the mean and fractions to about 0.2 %.</summary>
    public const int SampleSize = 1 << 18;

    /// <summary>Values read at a time: the temporaries are a few bytes per value of one chunk.</summary>
    public const long ChunkSize = 1L << 20;

    /// <summary>Statistics of <paramref name="t"/> (any real dtype, any device with values; not empty).</summary>
    public static ValueSummary Of(Tensor t)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = Storage(t.detach(), out long repeat);
        long n = x.numel();
        var acc = new Accumulator();
        if (n <= ExactLimit)
        {
            // Contiguous: chunks are views. Otherwise take() gathers each chunk (in row-major order) without a full copy.
            var flat = x.is_contiguous() ? x.reshape(-1) : null;
            for (long start = 0; start < n; start += ChunkSize)
            {
                using var chunkScope = NewDisposeScope();
                long length = Math.Min(ChunkSize, n - start);
                acc.Add(flat is not null ? flat.narrow(0, start, length) : x.take(arange(start, start + length, dtype: ScalarType.Int64, device: x.device)));
            }
            return acc.Summary(t.numel(), t.numel(), sampled: false, repeat);
        }
        using var generator = new Generator(0, x.device);
        long run = n / SampleSize;
        var indices = arange(0, SampleSize, dtype: ScalarType.Int64, device: x.device).mul_(run)
            .add_(randint(0, run, [SampleSize], dtype: ScalarType.Int64, device: x.device, generator: generator));
        acc.Add(x.take(indices));
        return acc.Summary(t.numel(), SampleSize, sampled: true, 1);
    }

    /// <summary>
    /// The values behind <paramref name="x"/>: every dimension with stride 0 (an expanded view repeats the same values)
    /// narrowed to one element; <paramref name="repeat"/> is how often each value repeats.
    /// </summary>
    private static Tensor Storage(Tensor x, out long repeat)
    {
        repeat = 1;
        var strides = x.stride();
        for (int d = 0; d < x.dim(); d++)
        {
            if (strides[d] != 0 || x.shape[d] <= 1) continue;
            repeat *= x.shape[d];
            x = x.narrow(d, 0, 1);
        }
        return x;
    }

    private sealed class Accumulator
    {
        private long _zeros, _nan, _inf, _finite;
        private double _min = double.PositiveInfinity, _max = double.NegativeInfinity, _sum;

        /// <summary>Adds one chunk; reductions run in the chunk's own dtype (sums accumulate in float64).</summary>
        public void Add(Tensor chunk)
        {
            long length = chunk.numel();
            if (length == 0) return;
            if (chunk.dtype == ScalarType.Bool) chunk = chunk.to(ScalarType.Byte);
            long finiteHere = length;
            if (chunk.is_floating_point())
            {
                var isFinite = chunk.isfinite();
                finiteHere = isFinite.sum().item<long>();
                if (finiteHere < length)
                {
                    long nanHere = chunk.isnan().sum().item<long>();
                    _nan += nanHere;
                    _inf += length - finiteHere - nanHere;
                    chunk = chunk.masked_select(isFinite);
                }
            }
            if (finiteHere == 0) return;
            _zeros += chunk.eq(0).sum().item<long>();
            _finite += finiteHere;
            _min = Math.Min(_min, chunk.min().to(ScalarType.Float64).item<double>());
            _max = Math.Max(_max, chunk.max().to(ScalarType.Float64).item<double>());
            _sum += chunk.sum(type: ScalarType.Float64).item<double>();
        }

        public ValueSummary Summary(long count, long examined, bool sampled, long repeat) =>
            new(count, examined, sampled, _zeros * repeat, _nan * repeat, _inf * repeat,
                _finite > 0 ? _min : double.NaN, _finite > 0 ? _max : double.NaN, _finite > 0 ? _sum / _finite : double.NaN);
    }
}
