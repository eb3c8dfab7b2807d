using System.Diagnostics;
using System.Text.RegularExpressions;

namespace ConvVis.Tests.Rendering;

/// <summary>
/// CPU time, wall time and peak resident memory (managed and native alike) of one call. Linux resets the process's
/// peak RSS when "5" is written to /proc/self/clear_refs, so the peak seen afterwards belongs to the call being measured.
/// CPU time (all threads of the process) is the work the call did: on a shared, overloaded machine wall time can be
/// ten times longer while the work stays the same.
/// </summary>
internal static class PeakMemory
{
    public static (TimeSpan Time, long PeakGrowthBytes, T Result) Measure<T>(Func<T> call)
    {
        var (cpu, _, peak, result) = MeasureAll(call);
        return (cpu, peak, result);
    }

    public static (TimeSpan Cpu, TimeSpan Wall, long PeakGrowthBytes, T Result) MeasureAll<T>(Func<T> call)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        File.WriteAllText("/proc/self/clear_refs", "5");
        long before = Status("VmRSS");
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        T result = call();
        clock.Stop();
        process.Refresh();
        return (process.TotalProcessorTime - cpuBefore, clock.Elapsed, Status("VmHWM") - before, result);
    }

    private static long Status(string key) =>
        long.Parse(Regex.Match(File.ReadAllText("/proc/self/status"), key + @":\s+(\d+) kB").Groups[1].Value) * 1024;
}
