using System.Diagnostics;
using ConvVis;
using static TorchSharp.torch;
using static ConvVis.Benchmarks.RoundStatistics;

namespace ConvVis.Benchmarks;

/// <summary>
/// <c>scan-pairs [batches per scan] [threads] [repeats]</c>: the statistics rows of issue 13 with each scanned batch
/// timed right next to a plain forward pass of the same batch.
/// </summary>
/// <remarks>
/// Why: on the shared VM the plain forward's own speed wanders by 30 % within minutes, so ratios of whole passes
/// (<see cref="StatsScanRounds"/>) spread from 0.86 to 1.33 in one run, far more than the scan costs. Here one long scan
/// runs, and just before it gets each batch the batch goes through a twin of the model (the same ResNet-18 loaded
/// again, without hooks) in the scan's own loop form (no_grad, a dispose scope). The scan's time for a batch is from
/// handing it over to being asked for the next, which covers the forward pass with its hooks and the scan's loop. So
/// each pair is measured within about two seconds, and the histogram state is the steady one of a long scan (only its
/// first batch is binned late). Printed per case: the ratio of summed scan time to summed plain time (the inverse of
/// the throughput ratio) and the median and quartiles of the per-batch ratios. Setting up the hooks and building the
/// report, once per scan, are not in the pairs.
/// </remarks>
public static class StatsScanPairs
{
    public static void Run(string[] args)
    {
        int perScan = args.Length > 0 ? int.Parse(args[0]) : 24;
        int threads = args.Length > 1 ? int.Parse(args[1]) : 2;
        int repeats = args.Length > 2 ? int.Parse(args[2]) : 1;
        set_num_threads(threads);
        manual_seed(1);
        using var scanned = PretrainedResNet18.Load();
        using var twin = PretrainedResNet18.Load();
        var batches = StatsScanResNet18Benchmarks.MakeBatches(8);
        var cases = new (string Name, Action<InputBatches> Scan)[]
        {
            ("ReLU layers", data => ActivationStats.Collect(scanned.Model, data, "ReLU")),
            ("every leaf", data => ActivationStats.Collect(scanned.Model, data)),
            ("every leaf, hooks on the .NET pool", data => StatsScanRounds.OnDotNetPool(() => ActivationStats.Collect(scanned.Model, data))),
            // The control: scanning the 512 pooled features per image costs next to nothing, so this ratio is what the
            // harness and the two copies of the model differ by.
            ("control: the avgpool layer only", data => ActivationStats.Collect(scanned.Model, data, "avgpool")),
        };
        var pairs = cases.ToDictionary(c => c.Name, _ => new List<(double Plain, double Scan)>());
        try
        {
            Plain(twin.Model, batches[0]);
            Plain(scanned.Model, batches[0]);
            Console.WriteLine($"# ResNet-18, batches of 16 at 224, {threads} threads, {perScan} batches per scan, {repeats} repeats; ms");
            Console.WriteLine("repeat\tcase\tplain_sum\tscan_sum\tscan/plain");
            for (int r = 0; r < repeats; r++)
            {
                // The cases' order turns each repeat, so that none is always first.
                for (int k = 0; k < cases.Length; k++)
                {
                    var (name, scan) = cases[(k + r) % cases.Length];
                    var timed = new PairedBatches(twin.Model, batches, perScan);
                    scan(InputBatches.From(timed.Batches()));
                    pairs[name].AddRange(timed.Pairs);
                    double plainSum = timed.Pairs.Sum(p => p.Plain), scanSum = timed.Pairs.Sum(p => p.Scan);
                    Console.WriteLine($"{r + 1}\t{name}\t{plainSum:F0}\t{scanSum:F0}\t{scanSum / plainSum:F3}");
                }
            }
            Console.WriteLine("case\tpairs\tsum scan/sum plain (throughput)\tmedian pair ratio (quartiles)");
            foreach (var (name, list) in pairs)
            {
                var ratios = list.Select(p => p.Scan / p.Plain).Order().ToArray();
                double sumRatio = list.Sum(p => p.Scan) / list.Sum(p => p.Plain);
                Console.WriteLine($"{name}\t{list.Count}\t{sumRatio:F3} ({1 / sumRatio:F3})\t{Median(ratios):F3} ({Quantile(ratios, 0.25):F3}-{Quantile(ratios, 0.75):F3})");
            }
        }
        finally
        {
            foreach (var b in batches) b.Dispose();
        }
    }

    static double Quantile(double[] sorted, double q) => sorted[(int)Math.Round(q * (sorted.Length - 1))];

    /// <summary>One batch through <paramref name="model"/> as the scan's loop runs it, without hooks; its time in ms.</summary>
    static double Plain(nn.Module<Tensor, Tensor> model, Tensor batch) => Time(() =>
    {
        using (no_grad())
        using (NewDisposeScope())
            model.call(batch);
    });

    /// <summary>The batches for one scan, each sent through the twin first; records (plain, scan) per batch.</summary>
    sealed class PairedBatches(nn.Module<Tensor, Tensor> twin, List<Tensor> batches, int count)
    {
        public List<(double Plain, double Scan)> Pairs { get; } = [];

        public IEnumerable<Tensor> Batches()
        {
            var scanWatch = new Stopwatch();
            double plain = 0;
            for (int i = 0; i < count; i++)
            {
                if (i > 0) Pairs.Add((plain, scanWatch.Elapsed.TotalMilliseconds)); // the scan asked for the next batch
                var batch = batches[i % batches.Count];
                plain = Plain(twin, batch);
                scanWatch.Restart();
                yield return batch;
            }
            Pairs.Add((plain, scanWatch.Elapsed.TotalMilliseconds));
        }
    }
}
