namespace ConvVis.Health;

/// <summary>
/// The fixed-bin histogram range of one layer during a one-pass scan. The range starts as the
/// [min, max] of the first batch; when a later batch falls outside, the range doubles (towards the
/// side that overflowed) as often as needed, merging neighbouring bins in pairs. Doubling keeps the
/// old bin edges, so the counts stay exact: no value is ever re-binned approximately, and the scan
/// needs no second pass over the data. The price is up to 2x coarser bins than a two-pass range.
/// </summary>
internal sealed class GrowingHistogram
{
    readonly int _bins;
    readonly int _channels;
    long[] _counts = Array.Empty<long>(); // [channel * bins + bin]

    public GrowingHistogram(int bins, int channels)
    {
        if (bins < 2 || bins % 2 != 0) throw new ArgumentOutOfRangeException(nameof(bins), bins, "The number of histogram bins must be even and at least 2.");
        _bins = bins;
        _channels = channels;
    }

    public bool HasRange { get; private set; }
    public double Low { get; private set; }
    public double High { get; private set; }
    public double Width => (High - Low) / _bins;
    public int Bins => _bins;

    /// <summary>Makes sure [min, max] lies inside the range (first call: sets it).</summary>
    public void Cover(double min, double max)
    {
        if (double.IsNaN(min) || double.IsNaN(max) || double.IsInfinity(min) || double.IsInfinity(max)) return;
        if (!HasRange)
        {
            if (max <= min) { Low = min - 0.5; High = min + 0.5; }
            else { Low = min; High = max; }
            _counts = new long[_channels * _bins];
            HasRange = true;
            return;
        }
        while (max > High) GrowRight();
        while (min < Low) GrowLeft();
    }

    /// <summary>Adds per-channel bin counts computed for the current range ([channel * bins + bin]).</summary>
    public void Add(ReadOnlySpan<long> batchCounts)
    {
        for (int i = 0; i < _counts.Length; i++) _counts[i] += batchCounts[i];
    }

    /// <summary>The live counts of one channel, for adding values of the current range in place.</summary>
    public Span<long> ChannelCounts(int c) => _counts.AsSpan(c * _bins, _bins);

    public Histogram Channel(int c) =>
        new(Low, High, HasRange ? _counts.AsSpan(c * _bins, _bins).ToArray() : new long[_bins]);

    public Histogram Layer()
    {
        var sum = new long[_bins];
        if (HasRange)
            for (int c = 0; c < _channels; c++)
                for (int b = 0; b < _bins; b++) sum[b] += _counts[c * _bins + b];
        return new Histogram(Low, High, sum);
    }

    void GrowRight()
    {
        High = Low + 2 * (High - Low);
        Merge(targetOffset: 0);
    }

    void GrowLeft()
    {
        Low = High - 2 * (High - Low);
        Merge(targetOffset: _bins / 2);
    }

    void Merge(int targetOffset)
    {
        var merged = new long[_counts.Length];
        for (int c = 0; c < _channels; c++)
            for (int b = 0; b < _bins / 2; b++)
                merged[c * _bins + targetOffset + b] = _counts[c * _bins + 2 * b] + _counts[c * _bins + 2 * b + 1];
        _counts = merged;
    }
}
