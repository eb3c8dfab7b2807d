using System.Diagnostics;
using ConvVis.Health;
using static TorchSharp.torch;

namespace ConvVis.Benchmarks;

/// <summary>
/// <c>scan-add [repeats] [threads]</c>: the hook's own work, <see cref="LayerAccumulator.Add"/>, on the outputs of every leaf
/// of the pretrained ResNet-18 for one real batch (16 images at 224), without the forward pass. The accumulators are
/// primed with two batches (they set and grow the histogram ranges); each repeat then times adding the second batch
/// again, the steady state of a scan; it prints CPU time and wall time per value (medians). Why: the scan's overhead over plain inference is this
/// time, and measured alone it is far less noisy than the scan/plain ratio.
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
        var accumulators = batches[0].Select(o => new LayerAccumulator(o.Key, "", 0, 50)).ToArray();
        // Both batches first: the ranges are set and grown, so the timed adds are the steady state (every map in range).
        foreach (var batch in batches) AddAll(accumulators, batch);
        var cpu = new List<double>();
        var wall = new List<double>();
        for (int r = 0; r < repeats; r++)
        {
            var process = Process.GetCurrentProcess();
            var cpuBefore = process.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            AddAll(accumulators, batches[1]);
            watch.Stop();
            process.Refresh();
            cpu.Add((process.TotalProcessorTime - cpuBefore).TotalNanoseconds / values);
            wall.Add(watch.Elapsed.TotalNanoseconds / values);
            Console.WriteLine($"repeat {r + 1}: CPU {cpu[^1]:F3} ns/value, wall {wall[^1]:F3} ns/value");
        }
        // Per output shape (one Add per layer, wall time): where the time per value is high.
        var perShape = new Dictionary<string, (double Ms, long Values)>();
        for (int r = 0; r < repeats; r++)
            foreach (var o in batches[1])
            {
                int i = batches[1].IndexOf(o);
                var watch = Stopwatch.StartNew();
                accumulators[i].Add(o.Value);
                string key = string.Join("x", o.Value.shape);
                var (ms, n) = perShape.GetValueOrDefault(key);
                perShape[key] = (ms + watch.Elapsed.TotalMilliseconds, n + o.Value.numel());
            }
        foreach (var (key, (ms, n)) in perShape)
            Console.WriteLine($"{key}\t{n / repeats} values per batch\t{ms * 1e6 / n:F3} ns/value (wall)\t{ms / repeats:F1} ms per batch");
        // The floor: reading every value once (a SIMD sum per map, channels in parallel as Add does).
        var floor = new List<double>();
        for (int r = 0; r < repeats; r++)
        {
            var watch = Stopwatch.StartNew();
            foreach (var o in batches[1]) ReadAll(o.Value);
            floor.Add(watch.Elapsed.TotalNanoseconds / values);
        }
        Console.WriteLine($"read floor: {Median(floor):F3} ns/value (wall)");
        Console.WriteLine($"# {batches[1].Count} layers, {values} values, {threads} threads");
        Console.WriteLine($"median: CPU {Median(cpu):F3} ns/value, wall {Median(wall):F3} ns/value");
        foreach (var b in batches) foreach (var o in b) o.Value.Dispose();
    }

    static float ReadAll(Tensor t)
    {
        int n = (int)t.shape[0], c = (int)t.shape[1], l = (int)(t.numel() / (n * c));
        var sums = new float[c];
        Parallel.For(0, c, ch =>
        {
            var data = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(t.bytes);
            var total = System.Numerics.Vector<float>.Zero;
            for (int s = 0; s < n; s++)
            {
                var map = System.Runtime.InteropServices.MemoryMarshal.Cast<float, System.Numerics.Vector<float>>(data.Slice((s * c + ch) * l, l));
                foreach (var v in map) total += v;
            }
            sums[ch] = System.Numerics.Vector.Sum(total);
        });
        return sums.Sum();
    }

    static void AddAll(LayerAccumulator[] accumulators, List<KeyValuePair<string, Tensor>> outputs)
    {
        for (int i = 0; i < outputs.Count; i++) accumulators[i].Add(outputs[i].Value);
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
