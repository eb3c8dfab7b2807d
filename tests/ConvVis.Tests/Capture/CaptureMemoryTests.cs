using System.Diagnostics;
using TorchSharp;
using static ConvVis.Tests.Fixtures.CaptureNets;
using static TorchSharp.torch;

namespace ConvVis.Tests.Capture;

/// <summary>Process memory is shared by every test: these run alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurements
{
    public const string Name = "ConvVis.Tests.Capture.MemoryMeasurements";
}

[Collection(MemoryMeasurements.Name)]
public class CaptureMemoryTests
{
    const int Batches = 200, WarmUp = 20;
    // Every batch captures about 8 MB (23 leaves of a [16,3,32,32] pass): a leak would add well over a gigabyte.
    const long AllowedGrowthBytes = 96L * 1024 * 1024;

    [Fact]
    public void OneRecorderOverManyBatchesKeepsTensorCountAndMemoryFlat()
    {
        using var net = Seeded(() => new TinyResNet());
        using var rec = ActivationRecorder.Attach(net);
        long storedPerBatch = 0;
        var (tensors, memory) = Measure(() =>
        {
            using var scope = NewDisposeScope();
            var x = randn(16, 3, 32, 32);
            net.call(x);
            Assert.Empty(rec.NotFired);
            storedPerBatch = rec.StoredBytes; // each pass frees the previous one: no Clear() needed
        });
        Assert.True(storedPerBatch > 8_000_000, $"the batch should capture megabytes, captured {storedPerBatch:N0} bytes");
        Assert.Equal(0, tensors);
        Assert.True(memory < AllowedGrowthBytes, $"private memory grew by {memory:N0} bytes over {Batches - WarmUp} batches");
    }

    [Fact]
    public void AttachingAndDisposingEveryBatchKeepsTensorCountAndMemoryFlat()
    {
        using var net = Seeded(() => new TinyResNet());
        var (tensors, memory) = Measure(() =>
        {
            using var scope = NewDisposeScope();
            using var rec = ActivationRecorder.Attach(net);
            var x = randn(16, 3, 32, 32);
            net.call(x);
            Assert.Equal([16L, 10], rec["fc"].shape);
        });
        Assert.Equal(0, HookCounter.CountAll(net));
        Assert.Equal(0, tensors);
        Assert.True(memory < AllowedGrowthBytes, $"private memory grew by {memory:N0} bytes over {Batches - WarmUp} batches");
    }

    /// <summary>Runs <paramref name="batch"/> 200 times; returns the growth of live tensors on this thread and of private memory after a warm-up.</summary>
    static (long Tensors, long Memory) Measure(Action batch)
    {
        var stats = DisposeScopeManager.Statistics;
        long liveAtWarmUp = 0, memoryAtWarmUp = 0;
        for (int i = 0; i < Batches; i++)
        {
            batch();
            if (i == WarmUp - 1)
            {
                liveAtWarmUp = stats.ThreadTotalLiveCount;
                memoryAtWarmUp = PrivateMemory();
            }
        }
        return (stats.ThreadTotalLiveCount - liveAtWarmUp, PrivateMemory() - memoryAtWarmUp);
    }

    static long PrivateMemory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var p = Process.GetCurrentProcess();
        return p.PrivateMemorySize64;
    }
}
