using Microsoft.DotNet.Interactive.Events;

namespace ConvVis.Interactive.Tests;

[Collection("Kernel")]
public class LiveSynthesisTests
{
    [Fact]
    public async Task AClassVisualisationFormsInOneDisplayWithABarAndEndsWithItsPictures()
    {
        using var kernel = await NotebookKernel.StartAsync();
        var cell = await kernel.RunAsync("""
            torch.manual_seed(0);
            var net = nn.Sequential(("conv", nn.Conv2d(1, 4, 3)), ("relu", nn.ReLU()), ("pool", nn.AdaptiveAvgPool2d(1)), ("flat", nn.Flatten()), ("fc", nn.Linear(4, 3)));
            SynthesisResult result;
            using (var live = ConvVis.Interactive.LiveSynthesis.Show("Class <visualisation>"))
                result = new ActivationMaximization(net, ActivationMaximizationOptions.Cs231n with { Steps = 12, SnapshotEvery = 4 }) { Snapshots = live }
                    .Run(AttributionTarget.Classes(0, 2), [2, 1, 16, 16], live, live.CancellationToken);
            """);
        var shown = Assert.Single(cell.Events.OfType<DisplayedValueProduced>(), e => e.FormattedValues.Any(v => v.Value.Contains("convvis-live-synthesis")));
        string first = shown.FormattedValues.Single(v => v.MimeType == "text/html").Value;
        Assert.Contains("<progress", first);
        Assert.Contains("Class &lt;visualisation&gt;", first);
        var updates = cell.Events.OfType<DisplayedValueUpdated>().Where(u => u.ValueId == shown.ValueId)
            .Select(u => u.FormattedValues.Single(v => v.MimeType == "text/html").Value).ToList();
        Assert.Contains(updates, u => u.Contains("<progress") && u.Contains("data:image/png;base64,"));
        string last = updates[^1];
        Assert.Contains("step 12 of 12", last);
        Assert.Contains("finished", last);
        Assert.Contains("data:image/png;base64,", last);
        Assert.DoesNotContain("<progress", last);
        // Only one display: the pictures never pile up as separate outputs.
        Assert.Single(cell.Events.OfType<DisplayedValueProduced>());
    }
}
