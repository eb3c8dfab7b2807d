using System.Diagnostics;
using System.Globalization;
using ConvVis;
using ConvVis.Embedding;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project benchmarks/ConvVis.Benchmarks -- tsne-exact-profile [N ...] [--iterations I]</c>:
/// where exact t-SNE's time goes. For each N: the affinities, then I iterations of the old optimisation (float64 tensor
/// expressions, <see cref="LegacyStep"/>) with a timer per phase, and I iterations of the new fused pass on the same
/// start, interleaved in blocks of ten so both see the same machine load.
/// </summary>
internal static class TSneExactProfile
{
    public static void Run(string[] args)
    {
        int at = Array.IndexOf(args, "--iterations");
        int iterations = at >= 0 ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : 30;
        var sizes = args.Where((a, i) => int.TryParse(a, out _) && (at < 0 || i != at + 1)).Select(int.Parse).DefaultIfEmpty(1000).ToList();
        Console.WriteLine($"{Environment.ProcessorCount} processors, libtorch threads {torch.get_num_threads()}");
        foreach (int n in sizes) Profile(n, iterations);
    }

    static void Profile(int n, int iterations)
    {
        using var scope = NewDisposeScope();
        var options = new TSneOptions { Method = TSneMethod.Exact };
        var points = TSneBenchmarkPoints.Make(n);
        var watch = Stopwatch.StartNew();
        var p = ExactTSne.Affinities(points, options.Perplexity, CancellationToken.None);
        double affinities = watch.Elapsed.TotalSeconds;
        watch.Restart();
        double kl0 = ExactTSne.Kl(p, zeros(n, 2, dtype: ScalarType.Float64) + arange(2 * n, dtype: ScalarType.Float64).reshape(n, 2) * 1e-4);
        double klSeconds = watch.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"N {n}: affinities {affinities:F2} s, one KL {klSeconds * 1000:F0} ms ({kl0:F3})"));

        var phases = new Stopwatch[6];
        for (int s = 0; s < phases.Length; s++) phases[s] = new Stopwatch();
        var random = new Random(0);
        var start = Enumerable.Range(0, 2 * n).Select(_ => 1e-4 * (random.NextDouble() - 0.5)).ToArray();
        var y = tensor((double[])start.Clone(), [n, 2]);
        var update = zeros_like(y);
        var gains = ones_like(y);
        var fused = new DenseAffinities(p);
        var yNew = (double[])start.Clone();
        var descent = new TSneDescent(n, options);
        var fusedWatch = new Stopwatch();
        for (int block = 0; block < iterations; block += 10)
        {
            for (int it = block; it < Math.Min(iterations, block + 10); it++) LegacyStep(p, y, update, gains, options, it, phases);
            fusedWatch.Start();
            for (int it = block; it < Math.Min(iterations, block + 10); it++) ExactTSne.Step(fused, yNew, descent, it);
            fusedWatch.Stop();
        }
        string[] names = ["student-t kernel (d², 1/(1+d²))", "Q = num / Z", "(E P - Q) num", "gradient (row sums, mm)", "gains, update, centre", "KL report (every iteration here)"];
        double total = phases.Sum(s => s.Elapsed.TotalMilliseconds) / iterations;
        Console.WriteLine("| phase | ms per iteration | share |");
        Console.WriteLine("| --- | --- | --- |");
        for (int s = 0; s < phases.Length; s++)
        {
            double ms = phases[s].Elapsed.TotalMilliseconds / iterations;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {names[s]} | {ms:F1} | {ms / total:P0} |"));
        }
        double fusedMs = fusedWatch.Elapsed.TotalMilliseconds / iterations;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"old: {total:F1} ms per iteration ({total - phases[5].Elapsed.TotalMilliseconds / iterations:F1} without the KL); fused: {fusedMs:F1} ms per iteration; old (without KL) / fused {(total - phases[5].Elapsed.TotalMilliseconds / iterations) / fusedMs:F1}"));
        var yOld = y.contiguous().data<double>().ToArray();
        double diff = 0, scale = 0;
        for (int c = 0; c < 2 * n; c++) { diff = Math.Max(diff, Math.Abs(yOld[c] - yNew[c])); scale = Math.Max(scale, Math.Abs(yOld[c])); }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"after {iterations} iterations: max |y_old - y_new| {diff:E2} (map extent {scale:E2})"));
    }

    /// <summary>One iteration of the previous exact optimisation (tensor expressions on [N, N] float64), phase by phase.</summary>
    static void LegacyStep(Tensor p, Tensor y, Tensor update, Tensor gains, TSneOptions options, int it, Stopwatch[] phases)
    {
        using var scope = NewDisposeScope();
        bool early = it < options.ExaggerationIterations;
        double exaggeration = early ? options.EarlyExaggeration : 1;
        double momentum = early ? options.InitialMomentum : options.FinalMomentum;
        double eta = options.LearningRateFor((int)y.shape[0]);
        phases[0].Start();
        var sq = y.pow(2).sum(1);
        var d2 = (sq.unsqueeze(1) + sq.unsqueeze(0) - 2 * y.mm(y.t())).clamp_min(0);
        var num = (d2 + 1).reciprocal();
        num.diagonal().zero_();
        phases[0].Stop();
        phases[1].Start();
        var q = num / num.sum();
        phases[1].Stop();
        phases[2].Start();
        var pq = (p * exaggeration - q) * num;
        phases[2].Stop();
        phases[3].Start();
        var grad = 4 * (pq.sum(1, keepdim: true) * y - pq.mm(y));
        phases[3].Stop();
        phases[4].Start();
        var same = grad.sign() == update.sign();
        gains.copy_(where(same, gains * 0.8, gains + 0.2).clamp_min(0.01));
        update.mul_(momentum).sub_(gains * grad * eta);
        y.add_(update);
        y.sub_(y.mean([0L], keepdim: true));
        phases[4].Stop();
        phases[5].Start();
        var q2 = num / num.sum();
        _ = (p * (p.clamp_min(1e-12).log() - q2.clamp_min(1e-12).log())).sum().item<double>();
        phases[5].Stop();
    }
}
