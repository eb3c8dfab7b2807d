using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using ConvVis.Internal;
using static TorchSharp.torch;

namespace ConvVis.Tests.Internal;

/// <summary>
/// The statistics scan's hooks run their per-channel loops on libtorch's own OpenMP threads (see LibTorchTeam): every
/// index exactly once, on a libtorch thread rather than the .NET pool, with exceptions and garbage collections inside
/// the region handled, and libtorch working normally afterwards.
/// </summary>
public class LibTorchTeamTests
{
    /// <summary>Runs <paramref name="test"/> with libtorch on <paramref name="threads"/> threads, then restores the count.</summary>
    static void WithLibTorchThreads(int threads, Action test)
    {
        int before = get_num_threads();
        set_num_threads(threads);
        try { test(); }
        finally { set_num_threads(before); }
    }

    /// <summary>About a tenth of a millisecond of arithmetic, so that a loop lasts long enough for every thread to join it.</summary>
    static double Work(int i)
    {
        double x = i;
        for (int k = 0; k < 20_000; k++) x = Math.Sqrt(x + k);
        return x;
    }

    [Fact]
    public void TorchSharpsLinuxLibTorchHasTheTeam()
    {
        // TorchSharp's Linux x64 libtorch is built with GNU OpenMP. If an upgrade changes that, the scan still works
        // (on the .NET pool) but its hooks get slower at two or more libtorch threads: this test says so.
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64) return;
        Assert.True(LibTorchTeam.Available, "libtorch_cpu.so no longer leads to GOMP_parallel: the scan's hooks run on the .NET pool");
        // Finding it must not have loaded a system libtorch (Debian's python3-torch puts one in the library path).
        Assert.Empty(TorchSharpNativeLoader.ForeignCopiesLoaded());
    }

    [Fact]
    public void EveryIndexRunsOnceOnLibTorchsThreads()
    {
        if (!LibTorchTeam.Available) return; // the test above fails where the team should be
        WithLibTorchThreads(2, () =>
        {
            const int Count = 2000;
            var runs = new int[Count];
            var threads = new ConcurrentDictionary<int, bool>();
            var results = new double[Count];
            int caller = Environment.CurrentManagedThreadId;

            LibTorchTeam.For(Count, i =>
            {
                Interlocked.Increment(ref runs[i]);
                threads[Environment.CurrentManagedThreadId] = Thread.CurrentThread.IsThreadPoolThread;
                results[i] = Work(i);
            });

            Assert.All(runs, r => Assert.Equal(1, r));
            Assert.Equal(Enumerable.Range(0, Count).Select(Work), results);
            Assert.Equal(2, threads.Count);
            Assert.Contains(caller, threads.Keys);
            // The other thread is libtorch's worker, not one of the .NET pool's (the caller may be a pool thread under xunit).
            Assert.All(threads.Where(t => t.Key != caller), t => Assert.False(t.Value, "an index ran on the .NET pool, not on libtorch's team"));
        });
    }

    [Fact]
    public void WithoutTheTeamTheLoopRunsOnTheDotNetPool()
    {
        // The fallback (one libtorch thread, or no GNU OpenMP): still every index once.
        foreach (var (threads, enabled) in new[] { (1, true), (2, false) })
        {
            WithLibTorchThreads(threads, () =>
            {
                LibTorchTeam.Enabled = enabled;
                try
                {
                    var runs = new int[500];
                    LibTorchTeam.For(runs.Length, i => Interlocked.Increment(ref runs[i]));
                    Assert.All(runs, r => Assert.Equal(1, r));
                }
                finally { LibTorchTeam.Enabled = true; }
            });
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AnExceptionInTheLoopReachesTheCallerAndLibTorchStillWorks(bool onTeam)
    {
        WithLibTorchThreads(2, () =>
        {
            // The same exception on both paths (not the .NET pool's AggregateException).
            LibTorchTeam.Enabled = onTeam;
            try
            {
                var e = Assert.Throws<InvalidOperationException>(() => LibTorchTeam.For(400, i =>
                {
                    Work(i);
                    if (i == 123) throw new InvalidOperationException("index 123 failed");
                }));
                Assert.Equal("index 123 failed", e.Message);
            }
            finally { LibTorchTeam.Enabled = true; }

            // The team runs the next loop, and libtorch's own parallel operators still give the right numbers.
            var runs = new int[400];
            LibTorchTeam.For(runs.Length, i => Interlocked.Increment(ref runs[i]));
            Assert.All(runs, r => Assert.Equal(1, r));
            using var a = arange(0, 1 << 20, dtype: ScalarType.Float64);
            Assert.Equal((double)(1L << 20) * ((1 << 20) - 1) / 2, a.sum().item<double>());
        });
    }

    [Fact]
    public void AGarbageCollectionInsideTheLoopDoesNotHang()
    {
        // The region's threads run managed code; a collection started on one of them must be able to stop the others.
        WithLibTorchThreads(2, () =>
        {
            var runs = new int[200];
            var loop = Task.Run(() => LibTorchTeam.For(runs.Length, i =>
            {
                var garbage = new byte[64 * 1024];
                garbage[i] = 1;
                if (i % 50 == 0) GC.Collect();
                Work(i);
                Interlocked.Increment(ref runs[i]);
            }));
            Assert.True(loop.Wait(TimeSpan.FromSeconds(60)), "the loop did not finish in 60 s");
            Assert.All(runs, r => Assert.Equal(1, r));
        });
    }

    [Fact]
    public void TheScanGivesTheSameStatisticsOnTheTeamAsOnTheDotNetPool()
    {
        // Each channel is reduced by one thread in a fixed order, so which threads run the loop must not change a bit.
        using var net = Fixtures.RgbCnn16.Create();
        manual_seed(5);
        var batches = Enumerable.Range(0, 3).Select(_ => randn(64, 3, 16, 16)).ToList(); // conv1: 98,304 values, run in parallel
        WithLibTorchThreads(2, () =>
        {
            var onTeam = ActivationStats.Collect(net, batches);
            LibTorchTeam.Enabled = false;
            ActivationStatsReport onPool;
            try { onPool = ActivationStats.Collect(net, batches); }
            finally { LibTorchTeam.Enabled = true; }

            Assert.Equal(onPool.Layers.Select(l => l.Name), onTeam.Layers.Select(l => l.Name));
            foreach (var (team, pool) in onTeam.Layers.Zip(onPool.Layers))
            {
                Assert.Equal(pool.Histogram.Counts, team.Histogram.Counts);
                foreach (var (a, b) in team.Channels.Zip(pool.Channels))
                {
                    Assert.Equal((b.Values, b.ZeroFraction, b.AtOrBelowThresholdFraction, b.Min, b.Max, b.ActiveInputs),
                        (a.Values, a.ZeroFraction, a.AtOrBelowThresholdFraction, a.Min, a.Max, a.ActiveInputs));
                    Assert.Equal(b.Mean, a.Mean); // bit for bit
                    Assert.Equal(b.Std, a.Std);
                    Assert.Equal(b.Histogram.Counts, a.Histogram.Counts);
                }
            }
        });
        foreach (var b in batches) b.Dispose();
    }
}
