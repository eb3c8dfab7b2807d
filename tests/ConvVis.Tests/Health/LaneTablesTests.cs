using ConvVis.Health;
using ConvVis.Tests.Fixtures;
using System.Numerics;
using static TorchSharp.torch;

namespace ConvVis.Tests.Health;

/// <summary>
/// The scan's histogram counting in per-lane tables (two sets, alternating per vector) must count every value
/// exactly once in the bin that floor((v - low) * scale), clamped, gives it: for every map length (whole vectors,
/// an odd number of them, a scalar tail) and through taking counts back.
/// </summary>
public class LaneTablesTests
{
    const int Bins = 12;
    const float Low = -1.5f, Scale = Bins / 4f; // the range [-1.5, 2.5]

    static float[] RandomValues(int length, int seed)
    {
        var random = new Random(seed);
        // Mostly inside the range, some outside (clamped), runs of zeros as after a ReLU.
        return Enumerable.Range(0, length).Select(i => i % 5 == 0 ? 0f : (float)(random.NextDouble() * 6 - 2.5)).ToArray();
    }

    static long[] BruteForce(IEnumerable<float> values)
    {
        var counts = new long[Bins];
        foreach (float v in values) counts[Math.Clamp((int)MathF.Floor((v - Low) * Scale), 0, Bins - 1)]++;
        return counts;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(40)]
    public void EveryVectorIsCountedOnceInItsBin(int vectors)
    {
        var values = RandomValues(vectors * Vector<float>.Count, vectors);
        var tables = new int[LaneTables.Size(Bins)];
        LaneTables.CountAll(System.Runtime.InteropServices.MemoryMarshal.Cast<float, Vector<float>>(values.AsSpan()), Low, Scale, Bins, tables);

        var counts = new long[Bins];
        LaneTables.AddTo(counts, tables, Bins);
        Assert.Equal(BruteForce(values), counts);
        // Both table sets are used once there are two vectors: a set alone must not hold everything.
        if (vectors >= 2) Assert.InRange(tables.Take(tables.Length / 2).Sum(), 1, values.Length - 1);
    }

    [Fact]
    public void TakingCountsBackLeavesZero()
    {
        var values = RandomValues(9 * Vector<float>.Count, 9);
        var vectors = System.Runtime.InteropServices.MemoryMarshal.Cast<float, Vector<float>>(values.AsSpan());
        var tables = new int[LaneTables.Size(Bins)];
        LaneTables.CountAll(vectors, Low, Scale, Bins, tables);
        LaneTables.CountAll(vectors, Low, Scale, Bins, tables, delta: -1);
        var counts = new long[Bins];
        LaneTables.AddTo(counts, tables, Bins);
        Assert.All(counts, c => Assert.Equal(0, c));
    }

    /// <summary>Through the scan itself: maps of every length from 1 to 41 values (no vector, odd and even vector counts, tails).</summary>
    [Fact]
    public void ScanHistogramsAreExactForEveryMapLength()
    {
        for (int length = 1; length <= 41; length++)
        {
            // Two inputs, two channels; the first batch sets the range [min, max], the second stays inside it.
            var first = RandomValues(2 * 2 * length, length).Select(v => Math.Clamp(v, -1.5f, 2.5f)).ToArray();
            first[0] = -1.5f;
            first[1] = 2.5f;
            var second = RandomValues(2 * 2 * length, 100 + length).Select(v => Math.Clamp(v, -1.4f, 2.4f)).ToArray();
            using var net = new TapNet();
            var batches = new[] { tensor(first).reshape(2, 2, 1, length), tensor(second).reshape(2, 2, 1, length) };
            var layer = ActivationStats.Collect(net, batches.ToList(), new StatsOptions { HistogramBins = Bins }, "tap")["tap"];
            for (int c = 0; c < 2; c++)
            {
                var values = new[] { first, second }.SelectMany(b => Enumerable.Range(0, 2).SelectMany(s => b.Skip((s * 2 + c) * length).Take(length))).ToArray();
                var histogram = layer.Channels[c].Histogram;
                Assert.Equal(-1.5, histogram.Low);
                Assert.Equal(2.5, histogram.High);
                Assert.True(BruteForce(values).SequenceEqual(histogram.Counts), $"map length {length}, channel {c}");
            }
            foreach (var b in batches) b.Dispose();
        }
    }
}
