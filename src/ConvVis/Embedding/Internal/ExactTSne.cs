using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace ConvVis.Embedding;

/// <summary>
/// Exact t-SNE: dense affinities and the full O(N²) gradient on float64 tensors. The reference the Barnes-Hut
/// approximation is tested against, and the method for small sets.
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
    public static double Kl(Tensor p, Tensor y)
    {
        using var scope = NewDisposeScope();
        var num = StudentT(y);
        var q = num / num.sum();
        return (p * (p.clamp_min(1e-12).log() - q.clamp_min(1e-12).log())).sum().item<double>();
    }

    /// <summary>1 / (1 + |y_i - y_j|²) with a zero diagonal.</summary>
    static Tensor StudentT(Tensor y)
    {
        var sq = y.pow(2).sum(1);
        var d2 = (sq.unsqueeze(1) + sq.unsqueeze(0) - 2 * y.mm(y.t())).clamp_min(0);
        var num = (d2 + 1).reciprocal();
        num.diagonal().zero_();
        return num;
    }

    /// <summary>Runs the optimisation from <paramref name="start"/> ([x0, y0, x1, y1, ...]); returns the final positions, KL and KL history.</summary>
    public static (double[] Y, double Kl, List<(int, double)> History) Optimize(Tensor p, double[] start, TSneOptions options)
    {
        int n = start.Length / 2;
        double eta = options.LearningRateFor(n);
        var history = new List<(int, double)>();
        using var outer = NewDisposeScope();
        var y = tensor((double[])start.Clone(), [n, 2]);
        var update = zeros_like(y);
        var gains = ones_like(y);
        for (int it = 0; it < options.Iterations; it++)
        {
            options.CancellationToken.ThrowIfCancellationRequested();
            using (var scope = NewDisposeScope())
            {
                bool early = it < options.ExaggerationIterations;
                double exaggeration = early ? options.EarlyExaggeration : 1;
                double momentum = early ? options.InitialMomentum : options.FinalMomentum;
                var num = StudentT(y);
                var q = num / num.sum();
                var pq = (p * exaggeration - q) * num;
                // dC/dy_i = 4 sum_j (p_ij - q_ij)(y_i - y_j) / (1 + |y_i - y_j|²)
                var grad = 4 * (pq.sum(1, keepdim: true) * y - pq.mm(y));
                // Jacobs' delta-bar-delta: grow a gain while the gradient keeps pushing the same way as the step, shrink it on a reversal.
                var same = grad.sign() == update.sign();
                gains.copy_(where(same, gains * 0.8, gains + 0.2).clamp_min(0.01));
                update.mul_(momentum).sub_(gains * grad * eta);
                y.add_(update);
                y.sub_(y.mean([0L], keepdim: true));
            }
            int done = it + 1;
            if (done % options.ReportEvery == 0 || done == options.Iterations)
            {
                history.Add((done, Kl(p, y)));
                options.Progress?.Report(new WorkProgress("t-SNE", done, options.Iterations, "iterations"));
            }
        }
        var result = MemoryMarshal.Cast<byte, double>(y.contiguous().bytes).ToArray();
        return (result, history[^1].Item2, history);
    }
}
