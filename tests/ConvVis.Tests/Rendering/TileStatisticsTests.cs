using ConvVis.Rendering;

namespace ConvVis.Tests.Rendering;

/// <summary>
/// Tile statistics: min, max, mean (float64 sum in order), zeros and marks, computed by hand; rows long enough for the
/// 8-wide pass and its tail, rows with NaN and infinities, and the sign of a zero min or max (the first zero of the row,
/// as a one-value-at-a-time scan keeps it; it shows in the tooltip as "0" or "-0").
/// </summary>
public class TileStatisticsTests
{
    private static TileStats Of(params float[] row) => TileStatistics.Compute(row, 1, row.Length, [7])[0];

    private static bool IsNegativeZero(float x) => x == 0 && float.IsNegative(x);

    [Fact]
    public void MinMaxMeanAndZerosOfAFiniteRow()
    {
        var row = new float[19];
        for (int i = 0; i < row.Length; i++) row[i] = i % 4 == 0 ? 0 : (i - 9) * 0.37f;
        var s = Of(row);
        double sum = 0;
        foreach (float x in row) sum += x;
        Assert.Equal((7, -8 * 0.37f, 9 * 0.37f), (s.Channel, s.Min, s.Max));
        Assert.Equal((float)(sum / 19), s.Mean);
        Assert.Equal(6f / 19, s.FractionZero); // 0, 4, 8, 9, 12, 16
        Assert.False(s.IsDead || s.IsConstant || s.HasNonFinite);
    }

    [Fact]
    public void AZeroMinOrMaxHasTheSignOfTheRowsFirstZero()
    {
        float[] Row(float first, float second) => [3, 2, first, 5, second, 1, 4, 6, 8, 9, 1];
        Assert.True(IsNegativeZero(Of(Row(-0f, 0f)).Min));
        Assert.False(IsNegativeZero(Of(Row(0f, -0f)).Min));
        float[] Negative(float first, float second) => [-3, -2, -1, first, -5, second, -1, -4, -6, -8];
        Assert.True(IsNegativeZero(Of(Negative(-0f, 0f)).Max));
        Assert.False(IsNegativeZero(Of(Negative(0f, -0f)).Max));
        Assert.Equal("min -0", Of(Row(-0f, 0f)).Describe().Split('\n')[1]);
    }

    [Fact]
    public void NonFiniteValuesAreLeftOutAndMarked()
    {
        var s = Of(1, float.NaN, 3, float.PositiveInfinity, 0, 2, float.NegativeInfinity, 5, 4, 6);
        Assert.Equal((0f, 6f, 3f, 0.1f), (s.Min, s.Max, s.Mean, s.FractionZero));
        Assert.True(s.HasNonFinite);
        Assert.False(s.IsConstant);
        var none = Of(float.NaN, float.NaN, float.NaN, float.NaN, float.NaN, float.NaN, float.NaN, float.NaN, float.NaN);
        Assert.True(float.IsNaN(none.Min) && float.IsNaN(none.Max) && float.IsNaN(none.Mean));
    }

    [Fact]
    public void DeadAndConstantRows()
    {
        var dead = Of(new float[17]);
        Assert.True(dead.IsDead && dead.IsConstant);
        Assert.Equal(1f, dead.FractionZero);
        var constant = Of(Enumerable.Repeat(2.5f, 17).ToArray());
        Assert.True(constant.IsConstant && !constant.IsDead);
        Assert.Equal((2.5f, 2.5f, 2.5f), (constant.Min, constant.Max, constant.Mean));
    }
}
