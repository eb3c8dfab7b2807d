using ConvVis.Health;
using ConvVis.Tests.Fixtures;
using static TorchSharp.torch;

namespace ConvVis.Tests.Health;

/// <summary>
/// The scan's fused moments-and-histogram pass over one map against brute force in double: for every map length from 1
/// to 100 and longer ones with odd tails, counts, extremes and zero and threshold counts exactly, the sum to float
/// rounding. Through <see cref="LayerAccumulator"/>, a range that grows (maps un-binned and binned again) must still
/// give the brute-force histogram.
/// </summary>
public class ScanPassTests
{
    const int Bins = 12;
    const float Low = -1.5f, Scale = Bins / 4f, Threshold = 0.25f; // the range [-1.5, 2.5]

    static readonly int[] Lengths = [.. Enumerable.Range(1, 100), 127, 128, 129, 255, 1023, 3136];

    /// <summary>Like a ReLU's output: runs of exact zeros (about half), the rest spread over and beyond the range, some on its edges.</summary>
    static float[] ReluLikeValues(int length, int seed)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < length; i++)
            values[i] = (i / 3 + seed) % 2 == 0 ? 0f : random.Next(20) switch
            {
                0 => Low,
                1 => Low + 4f,
                2 => Threshold,
                _ => (float)(random.NextDouble() * 6 - 2.5),
            };
        return values;
    }

    [Fact]
    public void ScanAndBinMatchesBruteForceForEveryMapLength()
    {
        foreach (int length in Lengths)
        {
            var values = ReluLikeValues(length, length);
            var tables = new int[LaneTables.Size(Bins)];
            var (sum, min, max, zeros, atOrBelow) = LayerAccumulator.ScanAndBin(values, Threshold, Low, Scale, Bins, tables);
            var counts = new long[Bins];
            LaneTables.AddTo(counts, tables, Bins);

            var expected = new long[Bins];
            foreach (float v in values) expected[Math.Clamp((int)MathF.Floor((v - Low) * Scale), 0, Bins - 1)]++;
            string at = $"map length {length}";
            Assert.True(expected.SequenceEqual(counts), at);
            Assert.True(values.Min() == min, at);
            Assert.True(values.Max() == max, at);
            Assert.True(values.Count(v => v == 0) == zeros, at);
            Assert.True(values.Count(v => v <= Threshold) == atOrBelow, at);
            double exactSum = values.Sum(v => (double)v), scale = values.Sum(v => Math.Abs((double)v));
            Assert.True(Math.Abs(sum - exactSum) <= 1e-6 * scale + 1e-12, $"{at}: sum {sum}, exact {exactSum}");
        }
    }

    [Fact]
    public void HistogramsStayExactWhenTheRangeGrows()
    {
        foreach (int length in new[] { 1, 7, 8, 9, 15, 16, 17, 33, 49, 100 })
        {
            // Batch 1 sets the range [-1.5, 2.5]; in batch 2 input 0 stays inside it and input 1 reaches 9 (the range
            // doubles twice, to [-1.5, 14.5]): its maps are counted, taken back, and counted again after the growth.
            var first = ReluLikeValues(2 * 2 * length, length).Select(v => Math.Clamp(v, Low, Low + 4f)).ToArray();
            first[0] = Low;
            first[1] = Low + 4f;
            var second = ReluLikeValues(2 * 2 * length, 100 + length).Select(v => Math.Clamp(v, Low, Low + 4f)).ToArray();
            for (int i = 2 * length; i < second.Length; i += 3) second[i] = 9f;
            var accumulator = new LayerAccumulator("tap", "Tap", Threshold, Bins);
            foreach (var batch in new[] { first, second })
            {
                using var t = tensor(batch).reshape(2, 2, 1, length);
                accumulator.Add(t);
            }
            var layer = accumulator.ToStats(0.9);
            for (int c = 0; c < 2; c++)
            {
                var maps = new[] { first, second }.SelectMany(b => Enumerable.Range(0, 2).Select(s => b.Skip((s * 2 + c) * length).Take(length).ToArray())).ToArray();
                var histogram = layer.Channels[c].Histogram;
                Assert.Equal(-1.5, histogram.Low);
                Assert.Equal(14.5, histogram.High);
                // A map inside the old range keeps its old bins, merged in pairs twice; a map that reached outside is binned
                // with the grown range (scale 12 / 16).
                var expected = new long[Bins];
                foreach (var map in maps)
                    foreach (float v in map)
                        expected[map.Max() > Low + 4f
                            ? Math.Clamp((int)MathF.Floor((v - Low) * 0.75f), 0, Bins - 1)
                            : Math.Clamp((int)MathF.Floor((v - Low) * Scale), 0, Bins - 1) / 4]++;
                Assert.True(expected.SequenceEqual(histogram.Counts), $"map length {length}, channel {c}");
                Assert.Equal(maps.Sum(m => m.Count(v => v == 0)), layer.Channels[c].ZeroFraction * 4 * length, 6);
            }
        }
    }
}
