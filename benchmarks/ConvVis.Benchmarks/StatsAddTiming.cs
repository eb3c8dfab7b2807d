using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;
using ConvVis.Health;
using static TorchSharp.torch;

namespace ConvVis.Benchmarks;

/// <summary>
/// <c>scan-add [repeats] [threads]</c>: the hook's own work, <see cref="LayerAccumulator.Add"/>, on the outputs of every leaf
/// of the pretrained ResNet-18 for one real batch (16 images at 224), without the forward pass. The accumulators are
/// primed with two batches (they set and grow the histogram ranges); each repeat then times adding the second batch
/// again, the steady state of a scan, once with each scan pass this CPU has (512-bit and portable, interleaved), and a
/// read-only floor (a SIMD sum of every map). It prints wall and CPU time per value (medians) and wall time per value per
/// output shape. Why: the scan's overhead over plain inference is this time, and measured alone it is far less noisy
/// than the scan/plain ratio. CPU time counts the thread pool's spinning too; wall time is what the scan pays.
/// </summary>
public static class StatsAddTiming
{
    public static void Run(string[] args)
    {
        int repeats = args.Length > 0 ? int.Parse(args[0]) : 7;
        int threads = args.Length > 1 ? int.Parse(args[1]) : 2;
        set_num_threads(threads);
        manual_seed(1);
        using var resnet = PretrainedResNet18.Load();
        var batches = new[] { Outputs(resnet), Outputs(resnet) };
        long values = batches[1].Sum(o => o.Value.numel());
        var variants = WideScanAndBin.IsSupported ? new[] { true, false } : new[] { false };
        var accumulators = batches[0].Select(o => new LayerAccumulator(o.Key, "", 0, 50)).ToArray();
        // Both batches first: the ranges are set and grown, so the timed adds are the steady state (every map in range).
        foreach (var batch in batches) AddAll(accumulators, batch, null);
        var wall = variants.ToDictionary(v => v, _ => new List<double>());
        var cpu = variants.ToDictionary(v => v, _ => new List<double>());
        var perShape = variants.ToDictionary(v => v, _ => new Dictionary<string, (double Ms, long Values)>());
        var floor = new List<double>();
        for (int r = 0; r < repeats; r++)
        {
            foreach (bool wide in variants)
            {
                LayerAccumulator.UseWideScan = wide;
                var process = Process.GetCurrentProcess();
                var cpuBefore = process.TotalProcessorTime;
                var watch = Stopwatch.StartNew();
                AddAll(accumulators, batches[1], perShape[wide]);
                watch.Stop();
                process.Refresh();
                cpu[wide].Add((process.TotalProcessorTime - cpuBefore).TotalNanoseconds / values);
                wall[wide].Add(watch.Elapsed.TotalNanoseconds / values);
            }
            var floorWatch = Stopwatch.StartNew();
            foreach (var o in batches[1]) ReadAll(o.Value);
            floor.Add(floorWatch.Elapsed.TotalNanoseconds / values);
            Console.WriteLine($"repeat {r + 1}: " + string.Join(", ", variants.Select(v => $"{Name(v)} wall {wall[v][^1]:F3} CPU {cpu[v][^1]:F3}")) + $", read floor {floor[^1]:F3} ns/value");
        }
        LayerAccumulator.UseWideScan = WideScanAndBin.IsSupported;
        Console.WriteLine($"# {batches[1].Count} layers, {values} values, {threads} threads, {repeats} repeats; wall time per value per output shape:");
        Console.WriteLine("shape\tvalues\t" + string.Join("\t", variants.Select(Name)));
        foreach (string key in perShape[false].Keys)
            Console.WriteLine($"{key}\t{perShape[false][key].Values / repeats}\t" + string.Join("\t", variants.Select(v => $"{perShape[v][key].Ms * 1e6 / perShape[v][key].Values:F3}")));
        foreach (bool v in variants)
            Console.WriteLine($"median {Name(v)}: wall {Median(wall[v]):F3} ns/value (range {wall[v].Min():F3}-{wall[v].Max():F3}), CPU {Median(cpu[v]):F3}");
        Console.WriteLine($"median read floor: {Median(floor):F3} ns/value");
        foreach (var b in batches) foreach (var o in b) o.Value.Dispose();
    }

    static string Name(bool wide) => wide ? "512-bit" : "portable";

    static void AddAll(LayerAccumulator[] accumulators, List<KeyValuePair<string, Tensor>> outputs, Dictionary<string, (double Ms, long Values)>? perShape)
    {
        for (int i = 0; i < outputs.Count; i++)
        {
            var watch = Stopwatch.StartNew();
            accumulators[i].Add(outputs[i].Value);
            if (perShape is null) continue;
            string key = string.Join("x", outputs[i].Value.shape);
            var (ms, n) = perShape.GetValueOrDefault(key);
            perShape[key] = (ms + watch.Elapsed.TotalMilliseconds, n + outputs[i].Value.numel());
        }
    }

    /// <summary>A SIMD sum of every map, channels in parallel as <see cref="LayerAccumulator.Add"/> does them: reading the values and nothing else.</summary>
    static float ReadAll(Tensor t)
    {
        int n = (int)t.shape[0], c = (int)t.shape[1], l = (int)(t.numel() / (n * c));
        var sums = new float[c];
        Parallel.For(0, c, ch =>
        {
            var data = MemoryMarshal.Cast<byte, float>(t.bytes);
            var total = Vector<float>.Zero;
            for (int s = 0; s < n; s++)
                foreach (var v in MemoryMarshal.Cast<float, Vector<float>>(data.Slice((s * c + ch) * l, l))) total += v;
            sums[ch] = Vector.Sum(total);
        });
        return sums.Sum();
    }

    /// <summary>Every leaf's output for one batch of smooth random images (as <see cref="StatsScanResNet18Benchmarks"/> makes them).</summary>
    static List<KeyValuePair<string, Tensor>> Outputs(PretrainedResNet18 resnet)
    {
        using var scope = NewDisposeScope();
        var coarse = rand(16, 3, 28, 28) * 255f;
        var images = nn.functional.interpolate(coarse, size: [224, 224], mode: InterpolationMode.Bilinear, align_corners: false) - 120f;
        using var recorder = ActivationRecorder.Attach(resnet.Model);
        using (no_grad()) resnet.Model.call(images);
        return recorder.TakeAll().Select(kv => new KeyValuePair<string, Tensor>(kv.Key, kv.Value[^1].MoveToOuterDisposeScope())).ToList();
    }

    static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
