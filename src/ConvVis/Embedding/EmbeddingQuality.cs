using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// How well a 2-D map keeps the neighbourhoods of the codes it was made from: k-nearest-neighbour preservation and
/// trustworthiness (Venna and Kaski, 2001). Both compare exact neighbour rankings (O(N² log N): for up to a few thousand points).
/// </summary>
public static class EmbeddingQuality
{
    /// <summary>The mean fraction of each point's <paramref name="k"/> nearest neighbours in the codes that are also among its <paramref name="k"/> nearest in the map (1: all kept; random maps give about k / N).</summary>
    /// <param name="codes">The codes [N, D].</param>
    /// <param name="map">The map of the same points.</param>
    /// <param name="k">Neighbours per point.</param>
    public static double NeighborPreservation(Tensor codes, TSneEmbedding map, int k = 10)
    {
        var (high, low) = Rankings(codes, map, k);
        int n = high.Length;
        double kept = 0;
        for (int i = 0; i < n; i++)
        {
            var set = new HashSet<int>(high[i].Take(k));
            kept += low[i].Take(k).Count(set.Contains);
        }
        return kept / ((double)n * k);
    }

    /// <summary>
    /// Trustworthiness: 1 minus a penalty for every point that is among a point's <paramref name="k"/> nearest in the map
    /// but not in the codes, weighted by how far down the codes' ranking it is. 1: no false neighbours; about 0.5: random.
    /// </summary>
    /// <param name="codes">The codes [N, D].</param>
    /// <param name="map">The map of the same points.</param>
    /// <param name="k">Neighbours per point; below N / 2.</param>
    public static double Trustworthiness(Tensor codes, TSneEmbedding map, int k = 10)
    {
        var (high, low) = Rankings(codes, map, k);
        int n = high.Length;
        if (2 * k >= n) throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be below N / 2 = {n / 2} for trustworthiness.");
        double penalty = 0;
        for (int i = 0; i < n; i++)
        {
            var rank = new int[n];
            for (int r = 0; r < high[i].Length; r++) rank[high[i][r]] = r + 1;
            foreach (int j in low[i].Take(k))
                if (rank[j] > k) penalty += rank[j] - k;
        }
        return 1 - 2.0 / (n * k * (2.0 * n - 3.0 * k - 1)) * penalty;
    }

    /// <summary>Every point's other points ordered by distance, in the codes and in the map.</summary>
    static (int[][] High, int[][] Low) Rankings(Tensor codes, TSneEmbedding map, int k)
    {
        ArgumentNullException.ThrowIfNull(codes);
        ArgumentNullException.ThrowIfNull(map);
        if (codes.dim() != 2 || codes.shape[0] != map.Count)
            throw new ArgumentException($"The codes must be [N, D] with N = {map.Count} (the map's points); got [{string.Join(", ", codes.shape)}].", nameof(codes));
        if (k < 1 || k >= map.Count) throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be in 1..{map.Count - 1}.");
        double[] high;
        using (var scope = NewDisposeScope())
        {
            var x = codes.detach().cpu().to(ScalarType.Float64);
            var sq = x.pow(2).sum(1);
            var d2 = (sq.unsqueeze(1) + sq.unsqueeze(0) - 2 * x.mm(x.t())).clamp_min(0).contiguous();
            high = MemoryMarshal.Cast<byte, double>(d2.bytes).ToArray();
        }
        int n = map.Count;
        var low = new double[(long)n * n];
        var xy = map.Raw;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double dx = xy[2 * i] - xy[2 * j], dy = xy[2 * i + 1] - xy[2 * j + 1];
                low[(long)i * n + j] = dx * dx + dy * dy;
            }
        return (Order(high, n), Order(low, n));
    }

    static int[][] Order(double[] d2, int n)
    {
        var result = new int[n][];
        Parallel.For(0, n, i =>
        {
            var others = Enumerable.Range(0, n).Where(j => j != i).ToArray();
            var keys = others.Select(j => d2[(long)i * n + j]).ToArray();
            Array.Sort(keys, others); // introsort is not stable, but ties in real data are measure-zero
            result[i] = others;
        });
        return result;
    }
}
