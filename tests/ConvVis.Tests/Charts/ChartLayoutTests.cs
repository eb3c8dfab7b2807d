using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Tests.Charts;

/// <summary>Charts that read in static HTML: no negative axis under all-zero counts, the toolbar off the title, a compact monitor.</summary>
public class ChartLayoutTests
{
    [Fact]
    public void AnAllZeroSeriesSitsOnANonNegativeAxisAndTheToolbarShowsOnHoverOnly()
    {
        var chart = ChartBuilder.Lines("Dead channels", [new ChartSeries("relu1", [0, 1, 2], [0, 0, 0])], "step", "dead channels");
        string html = ChartHtml.Fragment(chart);
        Assert.Contains("\"rangemode\":\"nonnegative\"", html);
        Assert.Contains(".convvis-chart .modebar-container{opacity:0", html);
        Assert.Contains(".convvis-chart:hover .modebar-container{opacity:1}", html);
    }

    [Fact]
    public void TheTrainingMonitorLaysItsChartsOutSideBySideAtAReadableSize()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(1);
        using var net = nn.Sequential(("conv", nn.Conv2d(1, 4, 3)), ("relu", nn.ReLU()));
        using var monitor = new TrainingMonitor(net, torch.rand(8, 1, 8, 8));
        monitor.Record(0, loss: 1.0, accuracy: 0.1);
        monitor.Record(1, loss: 0.5, accuracy: 0.6);
        string html = monitor.ToHtml();
        Assert.Contains("Training monitor: 2 records", html);
        Assert.Contains("class=\"convvis-monitor-grid\" style=\"display:flex;flex-wrap:wrap", html);
        int charts = System.Text.RegularExpressions.Regex.Matches(html, "class=\"convvis-chart\" style=\"width: 440px; height: 240px;\"").Count;
        Assert.True(charts >= 5, $"{charts} charts of 440x240");
        Assert.DoesNotContain("width: 640px", html);
    }
}
