namespace ConvVis.Benchmarks;

/// <summary>Statistics of the timed rounds that the commands outside BenchmarkDotNet print.</summary>
internal static class RoundStatistics
{
    /// <summary>The median (the mean of the two middle values for an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
