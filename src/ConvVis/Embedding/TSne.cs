using System.Runtime.InteropServices;
using ConvVis.Embedding;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// t-SNE (van der Maaten and Hinton, 2008): a 2-D map of high-dimensional codes in which points that are neighbours in
/// the codes stay neighbours. Affinities P come from a Gaussian per point whose width is set by bisection to the given
/// perplexity; the map's affinities Q from a Student-t kernel; gradient descent on KL(P || Q) with early exaggeration,
/// momentum and per-parameter gains.
/// </summary>
/// <remarks>
/// Everything is computed in float64, except that the exact method holds its dense affinities P in float32 (relative
/// rounding 6e-8; the kernel and every sum stay float64). The codes are first reduced to <see cref="TSneOptions.PcaDimensions"/> principal
/// components and the map starts from the first two (scaled to std 1e-4), so the result is deterministic; with a random
/// start it is deterministic for a seed.
/// </remarks>
public static class TSne
{
    /// <summary>With <see cref="TSneMethod.Auto"/>, sets of at most this many points use the exact method.</summary>
    public const int ExactLimit = 1000;

    /// <summary>Embeds codes (their labels travel with the result).</summary>
    /// <param name="codes">Codes from <see cref="Codes.Of"/>.</param>
    /// <param name="options">Perplexity, iterations, method, progress, cancellation; null: defaults.</param>
    public static TSneEmbedding Embed(Codes codes, TSneOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(codes);
        return Embed(codes.Values, options, codes.Labels);
    }

    /// <summary>Embeds the rows of <paramref name="codes"/> [N, D] in 2-D.</summary>
    /// <param name="codes">One row per point, [N, D] (any real dtype, any device; read as float64).</param>
    /// <param name="options">Perplexity, iterations, method, progress, cancellation; null: defaults.</param>
    /// <param name="labels">Labels of the points to keep with the result (optional).</param>
    /// <exception cref="ArgumentException">The codes are not [N, D], contain NaN or infinity, or are too few for the perplexity.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public static TSneEmbedding Embed(Tensor codes, TSneOptions? options = null, IReadOnlyList<long>? labels = null)
    {
        ArgumentNullException.ThrowIfNull(codes);
        options ??= new TSneOptions();
        if (codes.dim() != 2)
            throw new ArgumentException($"t-SNE embeds codes [N, D] (one row per point) but got shape [{string.Join(", ", codes.shape)}]; flatten with t.flatten(1).", nameof(codes));
        int n = (int)codes.shape[0], inputDims = (int)codes.shape[1];
        if (labels is not null && labels.Count != n)
            throw new ArgumentException($"There are {n} points but {labels.Count} labels.", nameof(labels));
        options.Validate(n);
        options.CancellationToken.ThrowIfCancellationRequested();
        var method = options.Method == TSneMethod.Auto ? (n <= ExactLimit ? TSneMethod.Exact : TSneMethod.BarnesHut) : options.Method;

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = codes.detach().cpu().to(ScalarType.Float64).contiguous();
        var bad = x.isfinite().logical_not().any(1).nonzero();
        if (bad.shape[0] > 0)
            throw new ArgumentException($"Row {bad[0, 0].item<long>()} of the codes contains NaN or infinity ({bad.shape[0]} rows do); remove or fix those inputs first.", nameof(codes));
        if (options.PcaDimensions is int k && inputDims > k) x = PrincipalComponents.Scores(x, k);
        var start = Start(x, n, options);

        double[] y;
        double kl;
        List<(int, double)> history;
        if (method == TSneMethod.Exact)
        {
            var p = ExactTSne.Affinities(x, options.Perplexity, options.CancellationToken);
            (y, kl, history) = ExactTSne.Optimize(p, start, options);
        }
        else
        {
            var p = BarnesHutTSne.Affinities(x, options.Perplexity, options.CancellationToken);
            (y, kl, history) = BarnesHutTSne.Optimize(p, start, options);
        }
        return new TSneEmbedding(y, labels?.ToArray(), method, kl, history, options.Iterations, options.Perplexity, inputDims);
    }

    /// <summary>The starting map [x0, y0, ...]: the first two principal components or Gaussian noise, with std 1e-4 (small, so early exaggeration can pull clusters together).</summary>
    static double[] Start(Tensor x, int n, TSneOptions options)
    {
        var start = new double[2 * n];
        if (options.Initialization == TSneInitialization.Pca)
        {
            var scores = PrincipalComponents.Scores(x, 2).contiguous();
            MemoryMarshal.Cast<byte, double>(scores.bytes).CopyTo(start);
            if (scores.shape[1] < 2) Array.Clear(start);
            double sd = Std(start);
            // Points all equal (or one-dimensional data): fall back to noise so the map can still unfold.
            if (sd > 0 && scores.shape[1] == 2)
            {
                for (int i = 0; i < start.Length; i++) start[i] *= 1e-4 / sd;
                return start;
            }
        }
        var random = new Random(options.Seed);
        for (int i = 0; i < start.Length; i++)
        {
            // Box-Muller: System.Random with a seed gives the same numbers on every machine.
            double u1 = 1 - random.NextDouble(), u2 = random.NextDouble();
            start[i] = 1e-4 * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }
        return start;
    }

    /// <summary>The standard deviation of the first coordinate (as openTSNE and scikit-learn scale the PCA start).</summary>
    static double Std(double[] xy)
    {
        int n = xy.Length / 2;
        double mean = 0;
        for (int i = 0; i < n; i++) mean += xy[2 * i];
        mean /= n;
        double v = 0;
        for (int i = 0; i < n; i++) v += (xy[2 * i] - mean) * (xy[2 * i] - mean);
        return Math.Sqrt(v / n);
    }
}
