using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace ConvVis.Embedding;

/// <summary>
/// Exact t-SNE: dense affinities and the full O(N²) gradient, one fused pass over P per iteration
/// (<see cref="DenseAffinities"/>). The reference the Barnes-Hut approximation is tested against, and the method for
/// small sets.
/// </summary>
internal static class ExactTSne
{
    /// <summary>The symmetric joint affinities P [N, N] float64 (sum 1, zero diagonal) of points <paramref name="x"/> [N, D] float64.</summary>
    public static Tensor Affinities(Tensor x, double perplexity, CancellationToken token)
    {
        int n = (int)x.shape[0];
        var sq = x.pow(2).sum(1);
        var d2 = (sq.unsqueeze(1) + sq.unsqueeze(0) - 2 * x.mm(x.t())).clamp_min(0).contiguous();
        var distances = MemoryMarshal.Cast<byte, double>(d2.bytes).ToArray();
        var conditional = new double[(long)n * n];
        var options = new ParallelOptions { CancellationToken = token };
        Parallel.For(0, n, options, () => (D: new double[n - 1], P: new double[n - 1]), (i, _, buffers) =>
        {
            var row = distances.AsSpan(i * n, n);
            row[..i].CopyTo(buffers.D);
            row[(i + 1)..].CopyTo(buffers.D.AsSpan(i));
            PerplexityCalibration.Fit(buffers.D, perplexity, buffers.P);
            var target = conditional.AsSpan(i * n, n);
            buffers.P.AsSpan(0, i).CopyTo(target);
            buffers.P.AsSpan(i).CopyTo(target[(i + 1)..]);
            return buffers;
        }, _ => { });
        var pc = tensor(conditional, [n, n]);
        return (pc + pc.t()) / (2.0 * n);
    }

    /// <summary>KL(P || Q) of positions <paramref name="y"/> [N, 2] for joint affinities <paramref name="p"/> [N, N].</summary>
    public static double Kl(Tensor p, Tensor y) =>
        new DenseAffinities(p).Kl(MemoryMarshal.Cast<byte, double>(y.to(ScalarType.Float64).contiguous().bytes).ToArray());

    /// <summary>Runs the optimisation from <paramref name="start"/> ([x0, y0, x1, y1, ...]); returns the final positions, KL and KL history.</summary>
    public static (double[] Y, double Kl, List<(int, double)> History) Optimize(Tensor p, double[] start, TSneOptions options)
    {
        var dense = new DenseAffinities(p);
        var history = new List<(int, double)>();
        var y = (double[])start.Clone();
        var descent = new TSneDescent(start.Length / 2, options);
        for (int it = 0; it < options.Iterations; it++)
        {
            options.CancellationToken.ThrowIfCancellationRequested();
            Step(dense, y, descent, it);
            int done = it + 1;
            if (done % options.ReportEvery == 0 || done == options.Iterations)
            {
                history.Add((done, dense.Kl(y)));
                options.Progress?.Report(new WorkProgress("t-SNE", done, options.Iterations, "iterations"));
            }
        }
        return (y, history[^1].Item2, history);
    }

    /// <summary>Iteration <paramref name="it"/>: one pass over P for the exact forces, then the descent's step.</summary>
    internal static void Step(DenseAffinities p, double[] y, TSneDescent descent, int it) =>
        descent.Step(y, p.Forces(y, descent.Attraction, descent.Repulsion), it);
}
