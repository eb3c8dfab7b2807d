using static TorchSharp.torch;

namespace ConvVis.Embedding;

/// <summary>PCA in float64 through the eigen-decomposition of the smaller Gram matrix, with signs fixed so the result is reproducible.</summary>
internal static class PrincipalComponents
{
    /// <summary>The scores of the first <paramref name="k"/> principal components of <paramref name="x"/> [N, D] float64 (a new tensor in the caller's scope).</summary>
    public static Tensor Scores(Tensor x, int k)
    {
        long n = x.shape[0], d = x.shape[1];
        k = (int)Math.Min(k, Math.Min(n, d));
        var centered = x - x.mean([0L], keepdim: true);
        Tensor scores;
        if (d <= n)
        {
            // Eigenvectors of X^T X are the loadings; eigh sorts eigenvalues ascending.
            var (_, vectors) = linalg.eigh(centered.t().mm(centered));
            var loadings = vectors.flip(1).narrow(1, 0, k);
            loadings = loadings * SignOfLargest(loadings);
            scores = centered.mm(loadings);
        }
        else
        {
            // Fewer points than dimensions: eigenvectors of X X^T times sqrt(eigenvalue) are the scores.
            var (values, vectors) = linalg.eigh(centered.mm(centered.t()));
            var u = vectors.flip(1).narrow(1, 0, k);
            var s = values.flip(0).narrow(0, 0, k).clamp_min(0).sqrt();
            var loadings = centered.t().mm(u);
            scores = u * s.unsqueeze(0) * SignOfLargest(loadings);
        }
        return scores;
    }

    /// <summary>+1 or -1 per column so that each column's largest-magnitude entry is positive (eigenvectors have no sign of their own).</summary>
    static Tensor SignOfLargest(Tensor columns)
    {
        var index = columns.abs().argmax(0, keepdim: true);
        var sign = columns.gather(0, index).sign();
        return where(sign == 0, ones_like(sign), sign);
    }
}
