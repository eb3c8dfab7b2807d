using System.Diagnostics;

namespace ConvVis.Benchmarks;

/// <summary>Timing and statistics of the rounds that the commands outside BenchmarkDotNet print.</summary>
internal static class RoundStatistics
{
    /// <summary>The median (the mean of the two middle values for an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>The wall time of <paramref name="action"/>, in ms.</summary>
    public static double Time(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalMilliseconds;
    }
}
