using static TorchSharp.torch;

namespace ConvVis.Tests.Health;

/// <summary>
/// Issue 10: <c>DeadFilters.Find(threshold, options)</c> replaced <c>options.Threshold</c> by the threshold argument's
/// default 0 without a word. One threshold per scan: the argument, else the options' own; two different ones are refused.
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
    public void TheOptionsThresholdIsUsedWhenNoThresholdArgumentIsGiven()
    {
        using var net = TwoLevels();
        using var data = rand(4, 1, 5, 5);
        var report = DeadFilters.Find(net, data, options: new StatsOptions { Threshold = 1 });
        Assert.Equal([0], report["relu"].DeadChannels);            // 0.5 is never above 1; 2 is
        Assert.Equal(2, DeadFilters.Find(net, data, options: new StatsOptions { Threshold = 3 }).DeadCount);
    }

    [Fact]
    public void TheThresholdArgumentIsUsedWithOptionsThatDoNotSetOne()
    {
        using var net = TwoLevels();
        using var data = rand(4, 1, 5, 5);
        Assert.Equal(0, DeadFilters.Find(net, data).DeadCount);    // default 0: both channels are above it
        Assert.Equal([0], DeadFilters.Find(net, data, 1f)["relu"].DeadChannels);
        Assert.Equal([0], DeadFilters.Find(net, data, 1f, new StatsOptions { MaxBatches = 1 })["relu"].DeadChannels);
        Assert.Equal([0], DeadFilters.Find(net, data, 1f, new StatsOptions { Threshold = 1 })["relu"].DeadChannels); // the same value twice
    }

    [Theory]
    [InlineData(3f, 1f)]
    [InlineData(1f, 0f)]   // an options threshold set to 0 on purpose is a threshold too
    public void TwoDifferentThresholdsAreRefusedNamingBoth(float argument, float inOptions)
    {
        using var net = TwoLevels();
        using var data = rand(4, 1, 5, 5);
        var e = Assert.Throws<ArgumentException>(() => DeadFilters.Find(net, data, argument, new StatsOptions { Threshold = inOptions }));
        Assert.Equal("threshold", e.ParamName);
        Assert.Contains($"threshold = {argument} and options.Threshold = {inOptions}", e.Message);
        Assert.Contains("Give it in one place", e.Message);
    }
}
