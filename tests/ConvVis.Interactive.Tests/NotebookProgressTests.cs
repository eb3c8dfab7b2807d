using Microsoft.DotNet.Interactive.Events;

namespace ConvVis.Interactive.Tests;

[Collection("Kernel")]
public class NotebookProgressTests
{
    [Fact]
    public async Task AnOcclusionRunShowsALiveProgressBarThatEndsWithAFinalLine()
    {
        using var kernel = await NotebookKernel.StartAsync();
        var cell = await kernel.RunAsync("""
            torch.manual_seed(0);
            var net = nn.Sequential(("conv", nn.Conv2d(1, 4, 3)), ("relu", nn.ReLU()), ("pool", nn.AdaptiveAvgPool2d(1)), ("flat", nn.Flatten()), ("fc", nn.Linear(4, 3)));
            var x = torch.rand(2, 1, 16, 16);
            using (var progress = ConvVis.Interactive.NotebookProgress.Show("Occlusion"))
            {
                using var map = new Occlusion(net) { Window = (4, 4), Stride = (2, 2), BatchSize = 8 }
                    .Attribute(x, AttributionTarget.Classes(0, 2), progress, progress.CancellationToken);
            }
            """);
        var shown = Assert.Single(cell.Events.OfType<DisplayedValueProduced>(), e => e.FormattedValues.Any(v => v.Value.Contains("convvis-progress")));
        Assert.Contains("<progress", shown.FormattedValues.Single(v => v.MimeType == "text/html").Value);
        var updates = cell.Events.OfType<DisplayedValueUpdated>().Where(u => u.ValueId == shown.ValueId).ToList();
        Assert.NotEmpty(updates);
        string last = updates[^1].FormattedValues.Single(v => v.MimeType == "text/html").Value;
        // 2 images x (49 windows + the unoccluded copy) forward rows, all done.
        Assert.Contains("Occlusion: 100 of 100", last);
        Assert.Contains("finished", last);
        Assert.DoesNotContain("<progress", last);
    }

    [Fact]
    public async Task ShowingProgressOutsideACellSaysWhy()
    {
        var e = Assert.Throws<InvalidOperationException>(() => NotebookProgress.Show("x"));
        Assert.Contains("running notebook cell", e.Message);
        await Task.CompletedTask;
    }
}
