using ConvVis.Health;

namespace ConvVis.Tests.Health;

/// <summary>
/// <see cref="LaneTables.AddTo"/> sums the tables a vector of bins at a time with a scalar tail: for bin counts below,
/// at and above the vector width, with negative table entries (counts taken back) and counts already there, the result
/// must be the plain per-bin sum.
/// </summary>
public class LaneTablesSumTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(8)]
    [InlineData(12)]
    [InlineData(16)]
    [InlineData(50)]
    [InlineData(256)]
    public void EveryBinGetsTheSumOfItsCountersOverAllTables(int bins)
    {
        var random = new Random(bins);
        var tables = Enumerable.Range(0, LaneTables.Size(bins)).Select(_ => random.Next(-5, 1000)).ToArray();
        var counts = Enumerable.Range(0, bins).Select(b => 10_000_000_000L + b).ToArray();

        var expected = new long[bins];
        for (int b = 0; b < bins; b++)
        {
            expected[b] = counts[b];
            for (int t = 0; t < LaneTables.TableCount; t++) expected[b] += tables[t * bins + b];
        }
        LaneTables.AddTo(counts, tables, bins);
        Assert.Equal(expected, counts);
    }
}
