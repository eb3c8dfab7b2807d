using System.Globalization;

namespace ConvVis;

/// <summary>
/// Counts of values in equal-width bins from <see cref="Low"/> to <see cref="High"/> (the last bin
/// includes <see cref="High"/>).
/// </summary>
public sealed class Histogram
{
    internal Histogram(double low, double high, long[] counts)
    {
        Low = low;
        High = high;
        Counts = counts;
    }

    /// <summary>Left edge of the first bin.</summary>
    public double Low { get; }

    /// <summary>Right edge of the last bin.</summary>
    public double High { get; }

    /// <summary>The count of every bin.</summary>
    public IReadOnlyList<long> Counts { get; }

    /// <summary>Width of every bin.</summary>
    public double BinWidth => (High - Low) / Counts.Count;

    /// <summary>Total number of values counted.</summary>
    public long Total => Counts.Sum();

    /// <summary>The centre of bin <paramref name="bin"/>.</summary>
    public double Center(int bin) => Low + (bin + 0.5) * BinWidth;

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"Histogram [{Low:G4}, {High:G4}] in {Counts.Count} bins, {Total} values");
}
