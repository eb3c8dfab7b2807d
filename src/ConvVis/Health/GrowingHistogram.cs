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
    readonly int bins;
    readonly int channels;
    long[] counts = Array.Empty<long>(); // [channel * bins + bin]

    public GrowingHistogram(int bins, int channels)
    {
        if (bins < 2 || bins % 2 != 0) throw new ArgumentOutOfRangeException(nameof(bins), bins, "The number of histogram bins must be even and at least 2.");
        this.bins = bins;
        this.channels = channels;
    }

    public bool HasRange { get; private set; }
    public double Low { get; private set; }
    public double High { get; private set; }
    public double Width => (High - Low) / bins;
    public int Bins => bins;

    /// <summary>Makes sure [min, max] lies inside the range (first call: sets it).</summary>
    public void Cover(double min, double max)
    {
        if (double.IsNaN(min) || double.IsNaN(max) || double.IsInfinity(min) || double.IsInfinity(max)) return;
        if (!HasRange)
        {
            if (max <= min) { Low = min - 0.5; High = min + 0.5; }
            else { Low = min; High = max; }
            counts = new long[channels * bins];
            HasRange = true;
            return;
        }
        while (max > High) GrowRight();
        while (min < Low) GrowLeft();
    }

    /// <summary>Adds per-channel bin counts computed for the current range ([channel * bins + bin]).</summary>
    public void Add(ReadOnlySpan<long> batchCounts)
    {
        for (int i = 0; i < counts.Length; i++) counts[i] += batchCounts[i];
    }

    /// <summary>The live counts of one channel, for adding values of the current range in place.</summary>
    public Span<long> ChannelCounts(int c) => counts.AsSpan(c * bins, bins);

    public Histogram Channel(int c) =>
        new(Low, High, HasRange ? counts.AsSpan(c * bins, bins).ToArray() : new long[bins]);

    public Histogram Layer()
    {
        var sum = new long[bins];
        if (HasRange)
            for (int c = 0; c < channels; c++)
                for (int b = 0; b < bins; b++) sum[b] += counts[c * bins + b];
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
        Merge(targetOffset: bins / 2);
    }

    void Merge(int targetOffset)
    {
        var merged = new long[counts.Length];
        for (int c = 0; c < channels; c++)
            for (int b = 0; b < bins / 2; b++)
                merged[c * bins + targetOffset + b] = counts[c * bins + 2 * b] + counts[c * bins + 2 * b + 1];
        counts = merged;
    }
}
