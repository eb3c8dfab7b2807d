using static TorchSharp.torch;

namespace ConvVis;

/// <summary>The result of <see cref="TSne"/>: a 2-D position per point, the final KL divergence and how it fell.</summary>
public sealed class TSneEmbedding
{
    readonly double[] _xy;

    internal TSneEmbedding(double[] xy, IReadOnlyList<long>? labels, TSneMethod method, double kl,
        IReadOnlyList<(int Iteration, double Kl)> history, int iterations, double perplexity, int inputDimensions)
    {
        _xy = xy;
        Labels = labels;
        Method = method;
        KlDivergence = kl;
        KlHistory = history;
        Iterations = iterations;
        Perplexity = perplexity;
        InputDimensions = inputDimensions;
    }

    /// <summary>Number of points.</summary>
    public int Count => _xy.Length / 2;

    /// <summary>The x coordinate of point <paramref name="i"/>.</summary>
    public double X(int i) => _xy[2 * i];

    /// <summary>The y coordinate of point <paramref name="i"/>.</summary>
    public double Y(int i) => _xy[2 * i + 1];

    /// <summary>The labels of the points (from the codes), or null.</summary>
    public IReadOnlyList<long>? Labels { get; }

    /// <summary>The method that ran (never <see cref="TSneMethod.Auto"/>).</summary>
    public TSneMethod Method { get; }

    /// <summary>
    /// KL(P || Q) of the final embedding. Exact: over all pairs. Barnes-Hut: over the sparse P the method optimised, with
    /// Q's normaliser from the quadtree (the figure bhtsne and scikit-learn report).
    /// </summary>
    public double KlDivergence { get; }

    /// <summary>The KL divergence (of the unexaggerated P) every <see cref="TSneOptions.ReportEvery"/> iterations and at the end.</summary>
    public IReadOnlyList<(int Iteration, double Kl)> KlHistory { get; }

    /// <summary>Iterations run.</summary>
    public int Iterations { get; }

    /// <summary>The perplexity used.</summary>
    public double Perplexity { get; }

    /// <summary>Dimensions of the input codes (before PCA).</summary>
    public int InputDimensions { get; }

    /// <summary>The positions as a copy, [x0, y0, x1, y1, ...].</summary>
    public double[] ToArray() => (double[])_xy.Clone();

    /// <summary>The positions as a new float64 tensor [N, 2] (the caller owns it).</summary>
    public Tensor ToTensor() => tensor((double[])_xy.Clone(), [Count, 2]);

    internal double[] Raw => _xy;
}
