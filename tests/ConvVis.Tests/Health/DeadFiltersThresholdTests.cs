using static TorchSharp.torch;

namespace ConvVis.Tests.Health;

/// <summary>
/// Issue 10: <c>DeadFilters.Find(threshold, options)</c> replaced <c>options.Threshold</c> by the threshold argument's
/// default 0 without a word. Now the threshold has one place, <see cref="StatsOptions.Threshold"/>, so it cannot be lost.
/// </summary>
public class DeadFiltersThresholdTests
{
    /// <summary>A 1x1 convolution with zero weights and biases 0.5 and 2, then ReLU: channel 0 always outputs 0.5, channel 1 always 2.</summary>
    static nn.Module<Tensor, Tensor> TwoLevels()
    {
        var conv = nn.Conv2d(1, 2, 1);
        using (no_grad())
        {
            conv.weight!.zero_();
            conv.bias!.copy_(tensor(new[] { 0.5f, 2f }));
        }
        return nn.Sequential(("conv", conv), ("relu", nn.ReLU()));
    }

    [Fact]
    public void TheOptionsThresholdIsTheThreshold()
    {
        using var net = TwoLevels();
        using var data = rand(4, 1, 5, 5);
        var report = DeadFilters.Find(net, data, options: new StatsOptions { Threshold = 1 });
        Assert.Equal([0], report["relu"].DeadChannels);            // 0.5 is never above 1; 2 is
        Assert.Equal(2, DeadFilters.Find(net, data, options: new StatsOptions { Threshold = 3 }).DeadCount);
        Assert.Equal(0, DeadFilters.Find(net, data).DeadCount);    // default 0: both channels are above it
        Assert.Equal([0], DeadFilters.Find(net, data, new StatsOptions { Threshold = 1, MaxBatches = 1 })["relu"].DeadChannels);
    }
}
