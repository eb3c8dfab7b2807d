using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace ConvVis.Embedding;

/// <summary>
/// Exact k nearest neighbours by blocked brute force: candidates from float64 matrix products on tensors (BLAS does the
/// N² D work), then the chosen distances recomputed directly (the expansion |a|² + |b|² - 2ab loses digits for close points).
/// </summary>
internal static class NearestNeighbors
{
    const int Block = 512;

    /// <summary>For every row of <paramref name="x"/> [N, D] float64, its <paramref name="k"/> nearest other rows (ascending) and their squared distances, row-major [N * k].</summary>
    public static (int[] Index, double[] Distance2) Find(Tensor x, int k, CancellationToken token)
    {
        int n = (int)x.shape[0], d = (int)x.shape[1];
        var data = MemoryMarshal.Cast<byte, double>(x.contiguous().bytes).ToArray();
        var index = new int[(long)n * k];
        var dist = new double[(long)n * k];
        int take = Math.Min(n, k + 1);
        var sqRow = x.pow(2).sum(1).unsqueeze(0);
        var xt = x.t();
        for (int start = 0; start < n; start += Block)
        {
            token.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            int rows = Math.Min(Block, n - start);
            // |b|² - 2ab ranks row a's candidates as |a - b|² does (|a|² is the same along the row); one fused
            // matrix product writes it, where three broadcast sums over the block took three times as long as the product.
            var d2 = addmm(sqRow, x.narrow(0, start, rows), xt, beta: 1, alpha: -2);
            var (_, nearest) = d2.topk(take, dim: 1, largest: false, sorted: true);
            var candidates = MemoryMarshal.Cast<byte, long>(nearest.contiguous().bytes).ToArray();
            Parallel.For(0, rows, r =>
            {
                int i = start + r;
                var row = new (double D, int J)[take];
                int m = 0;
                for (int c = 0; c < take; c++)
                {
                    int j = (int)candidates[r * take + c];
                    if (j == i) continue;
                    double s = 0;
                    for (int t = 0; t < d; t++) { double v = data[(long)i * d + t] - data[(long)j * d + t]; s += v * v; }
                    row[m++] = (s, j);
                }
                // Self was not among the candidates (a duplicate point tied with it): drop the farthest extra one.
                Array.Sort(row, 0, m);
                for (int c = 0; c < k; c++)
                {
                    index[(long)i * k + c] = row[c].J;
                    dist[(long)i * k + c] = row[c].D;
                }
            });
        }
        return (index, dist);
    }
}
