using static TorchSharp.torch;

namespace ConvVis.Tests.Health;

/// <summary>Issue 9, item 3: a NaN threshold made every comparison false and reported every channel dead.</summary>
public class NonFiniteThresholdTests
{
    static nn.Module<Tensor, Tensor> Net() => nn.Sequential(("conv", nn.Conv2d(1, 4, 3)), ("relu", nn.ReLU()));

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void DeadFiltersRefusesANonFiniteThreshold(float threshold)
    {
        using var net = Net();
        using var data = rand(8, 1, 10, 10);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => DeadFilters.Find(net, data, new StatsOptions { Threshold = threshold }));
        Assert.Equal("options", e.ParamName); // the threshold is StatsOptions.Threshold
        Assert.Contains("must be a finite number", e.Message);
    }

    [Fact]
    public void ActivationStatsAndTrainingMonitorRefuseANaNThreshold()
    {
        using var net = Net();
        using var data = rand(8, 1, 10, 10);
        var stats = Assert.Throws<ArgumentOutOfRangeException>(() => ActivationStats.Collect(net, new[] { data }, new StatsOptions { Threshold = float.NaN }));
        Assert.Contains("must be a finite number", stats.Message);
        var monitor = new TrainingMonitor(net, data) { Threshold = float.NaN };
        Assert.Throws<ArgumentOutOfRangeException>(() => monitor.Record(1));
    }

    [Fact]
    public void AFiniteThresholdStillWorks()
    {
        using var net = Net();
        using var data = rand(8, 1, 10, 10);
        var report = DeadFilters.Find(net, data, new StatsOptions { Threshold = 1e30f });   // nothing is above 1e30: every channel is dead, as asked
        Assert.Equal(4, report.DeadCount);
    }

    [Fact]
    public void FilterNoiseVerdictsRefuseANaNThreshold()
    {
        using var conv = nn.Conv2d(3, 4, 5);
        var report = FilterNoise.Of(conv);
        Assert.Throws<ArgumentOutOfRangeException>(() => report.Verdict(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => report.NoisyFilters(double.PositiveInfinity));
        Assert.Equal(report.Verdict(FilterNoiseReport.DefaultThreshold), report.Verdict());
    }
}
