using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;
using ConvVis.Health;
using static TorchSharp.torch;
using static ConvVis.Benchmarks.RoundStatistics;

namespace ConvVis.Benchmarks;

/// <summary>
/// <c>scan-add [repeats] [threads] [serial]</c>: the hook's own work, <see cref="LayerAccumulator.Add"/>, on the outputs of
/// every leaf of the pretrained ResNet-18 for one real batch (16 images at 224), without the forward pass. The
/// accumulators are primed with two batches (they set and grow the histogram ranges); each repeat then times adding the
/// second batch again, the steady state of a scan, once per variant (interleaved), and a read-only floor (a SIMD sum of
/// every map). It prints wall and CPU time per value (medians) and time per value per output shape. Why: the scan's
/// overhead over plain inference is this time, and measured alone it is far less noisy than the scan/plain ratio.
/// Process CPU time counts the thread pool's spinning too; wall time is what the scan pays. With <c>serial</c> the hooks
/// run on the calling thread only, and the per-shape figures are that thread's CPU time: the kernels' cost without the
/// thread hand-off and without the time slices other processes take on a busy machine.
/// </summary>
public static partial class StatsAddTiming
{
    /// <summary>A way to reduce one layer's outputs: its name and, per layer name, the function that takes a batch.</summary>
    public sealed record Variant(string Name, Func<string, Action<Tensor>> Make, Action? Before = null);

    public static void Run(string[] args)
    {
        int repeats = args.Length > 0 ? int.Parse(args[0]) : 7;
        int threads = args.Length > 1 ? int.Parse(args[1]) : 2;
        bool serial = args.Length > 2 && args[2] == "serial";
        if (serial) LayerAccumulator.ParallelThreshold = long.MaxValue;
        var variants = new List<Variant> { new("this code", name => new LayerAccumulator(name, "", 0, 50).Add) };
        AddVariants(variants, serial);
        set_num_threads(threads);
        manual_seed(1);
        using var resnet = PretrainedResNet18.Load();
        var batches = new[] { Outputs(resnet), Outputs(resnet) };
        long values = batches[1].Sum(o => o.Value.numel());
        var adds = variants.Select(v => batches[0].Select(o => v.Make(o.Key)).ToArray()).ToArray();
        // Both batches first: the ranges are set and grown, so the timed adds are the steady state (every map in range).
        for (int v = 0; v < variants.Count; v++)
        {
            variants[v].Before?.Invoke();
            foreach (var batch in batches) AddAll(adds[v], batch, null, serial);
        }
        var wall = variants.Select(_ => new List<double>()).ToArray();
        var cpu = variants.Select(_ => new List<double>()).ToArray();
        var perShape = variants.Select(_ => new Dictionary<string, (double Ms, long Values)>()).ToArray();
        var floor = new List<double>();
        for (int r = 0; r < repeats; r++)
        {
            for (int v = 0; v < variants.Count; v++)
            {
                variants[v].Before?.Invoke();
                var process = Process.GetCurrentProcess();
                var cpuBefore = process.TotalProcessorTime;
                var watch = Stopwatch.StartNew();
                AddAll(adds[v], batches[1], perShape[v], serial);
                watch.Stop();
                process.Refresh();
                cpu[v].Add((process.TotalProcessorTime - cpuBefore).TotalNanoseconds / values);
                wall[v].Add(watch.Elapsed.TotalNanoseconds / values);
            }
            var floorWatch = Stopwatch.StartNew();
            foreach (var o in batches[1]) ReadAll(o.Value);
            floor.Add(floorWatch.Elapsed.TotalNanoseconds / values);
            Console.WriteLine($"repeat {r + 1}: " + string.Join(", ", variants.Select((x, v) => $"{x.Name} wall {wall[v][^1]:F3} CPU {cpu[v][^1]:F3}")) + $", read floor {floor[^1]:F3} ns/value");
        }
        Console.WriteLine($"# {batches[1].Count} layers, {values} values, {threads} threads, {repeats} repeats; {(serial ? "thread CPU" : "wall")} time per value per output shape:");
        Console.WriteLine("shape\tvalues\t" + string.Join("\t", variants.Select(v => v.Name)));
        foreach (string key in perShape[0].Keys)
            Console.WriteLine($"{key}\t{perShape[0][key].Values / repeats}\t" + string.Join("\t", perShape.Select(p => $"{p[key].Ms * 1e6 / p[key].Values:F3}")));
        for (int v = 0; v < variants.Count; v++)
            Console.WriteLine($"median {variants[v].Name}: wall {Median(wall[v]):F3} ns/value (range {wall[v].Min():F3}-{wall[v].Max():F3}), CPU {Median(cpu[v]):F3} (range {cpu[v].Min():F3}-{cpu[v].Max():F3})");
        Console.WriteLine($"median read floor: {Median(floor):F3} ns/value");
        foreach (var b in batches) foreach (var o in b) o.Value.Dispose();
    }

    /// <summary>A scratch file may add variants to compare in the same process (say, a copy of the code before a change).</summary>
    static partial void AddVariants(List<Variant> variants, bool serial);

    static void AddAll(Action<Tensor>[] adds, List<KeyValuePair<string, Tensor>> outputs, Dictionary<string, (double Ms, long Values)>? perShape, bool threadCpu)
    {
        for (int i = 0; i < outputs.Count; i++)
        {
            double start = threadCpu ? ThreadCpuMs() : 0;
            var watch = Stopwatch.StartNew();
            adds[i](outputs[i].Value);
            if (perShape is null) continue;
            double ms = threadCpu ? ThreadCpuMs() - start : watch.Elapsed.TotalMilliseconds;
            string key = string.Join("x", outputs[i].Value.shape);
            var (total, n) = perShape.GetValueOrDefault(key);
            perShape[key] = (total + ms, n + outputs[i].Value.numel());
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    static extern int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>The calling thread's CPU time (Linux CLOCK_THREAD_CPUTIME_ID), in ms.</summary>
    static double ThreadCpuMs()
    {
        ClockGetTime(3, out var t);
        return t.Seconds * 1e3 + t.Nanoseconds * 1e-6;
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
}
