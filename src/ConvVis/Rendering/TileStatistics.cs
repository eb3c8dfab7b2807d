using static TorchSharp.torch;

namespace ConvVis.Rendering;

/// <summary>Per-tile statistics computed with a handful of torch reductions over a [tiles, values] matrix.</summary>
internal static class TileStatistics
{
    /// <summary>Statistics of each row of <paramref name="rows"/> ([S, P] float32, CPU); <paramref name="ids"/> names the rows.</summary>
    public static TileStats[] Compute(Tensor rows, IReadOnlyList<int> ids)
    {
        using var scope = NewDisposeScope();
        var finite = rows.isfinite();
        var notFinite = finite.logical_not();
        long p = rows.shape[1];
        float[] count = finite.sum(1, type: ScalarType.Float32).data<float>().ToArray();
        float[] min = rows.masked_fill(notFinite, float.PositiveInfinity).amin([1]).data<float>().ToArray();
        float[] max = rows.masked_fill(notFinite, float.NegativeInfinity).amax([1]).data<float>().ToArray();
        double[] sum = rows.masked_fill(notFinite, 0f).to(ScalarType.Float64).sum(1).data<double>().ToArray();
        var zeros = rows.eq(0f);
        float[] zeroCount = zeros.sum(1, type: ScalarType.Float32).data<float>().ToArray();
        var result = new TileStats[ids.Count];
        for (int s = 0; s < result.Length; s++)
        {
            bool none = count[s] == 0;
            bool nonFinite = count[s] < p;
            bool dead = zeroCount[s] == p;
            result[s] = new TileStats(
                ids[s],
                none ? float.NaN : min[s],
                none ? float.NaN : max[s],
                none ? float.NaN : (float)(sum[s] / count[s]),
                p == 0 ? 0f : zeroCount[s] / p,
                dead,
                !nonFinite && p > 0 && min[s] == max[s],
                nonFinite);
        }
        return result;
    }
}
