using System.Diagnostics;
using TorchSharp;

namespace ConvVis.Tests.Fixtures;

/// <summary>
/// Watches memory while a scan streams lazily made batches (pass it as the scan's progress): TorchSharp's live tensor
/// count after every batch, and the process working set every 10 batches from batch 60 on, when the allocator has
/// warmed up. <see cref="AssertFlat"/> then says whether the scan kept anything per batch.
/// </summary>
internal sealed class StreamMemoryProbe : IProgress<WorkProgress>
{
    readonly List<long> _live = [];
    readonly List<long> _workingSet = [];
    readonly long _before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

    public void Report(WorkProgress value)
    {
        _live.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        if (value.Done >= 60 && value.Done % 10 == 0)
        {
            GC.Collect();
            _workingSet.Add(Process.GetCurrentProcess().WorkingSet64);
        }
    }

    /// <summary>
    /// Asserts that <paramref name="batches"/> batches were reported, that the live tensor count was the same after
    /// batch 10 as at the end and is back where it started, and that the median working set of batches 140-200 is less
    /// than <paramref name="maxGrowthBytes"/> above that of batches 60-130.
    /// </summary>
    public void AssertFlat(int batches, long maxGrowthBytes)
    {
        Assert.Equal(batches, _live.Count);
        Assert.Equal(_live[9], _live[^1]);
        Assert.Equal(_before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        long early = Median(_workingSet.Take(8)), late = Median(_workingSet.Skip(8));
        Assert.True(late - early < maxGrowthBytes, $"working set grew by {(late - early) / 1e6:0} MB");
    }

    static long Median(IEnumerable<long> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
