namespace ConvVis.Interactive.Tests;

/// <summary>A channel that is zero for one input is "silent for this input"; "dead" is kept for data-set scans.</summary>
[Collection("Kernel")]
public class SilentChannelTests
{
    [Fact]
    public async Task CaptureCallsAChannelThatIsZeroForOneInputSilentNotDead()
    {
        using var kernel = await NotebookKernel.StartAsync();
        await kernel.RunAsync("""
            var conv = nn.Conv2d(1, 3, 3);
            using (no_grad()) { conv.weight!.fill_(0.1f); conv.weight![1].fill_(0); conv.bias!.fill_(0); conv.bias![1].fill_(-1); }
            var net = nn.Sequential(("conv", conv), ("relu", nn.ReLU()));
            """);
        var cell = await kernel.RunAsync("#!capture --model net --layers relu --into acts\nnet.call(torch.ones(1, 1, 8, 8));");
        Assert.Null(cell.Error);
        Assert.Contains("red frame: silent for this input (all zero) — 1 channel", cell.AllHtml);
        Assert.Contains("SILENT for this input: all values are zero", cell.AllHtml);
        Assert.DoesNotContain("dead", cell.AllHtml, StringComparison.OrdinalIgnoreCase);
        // Each tile's channel index is visible text in the static HTML, not only a tooltip.
        foreach (var channel in new[] { "0", "1", "2" })
            Assert.Contains($"<span class=\"convvis-index\">{channel}</span>", cell.AllHtml);
    }

    [Fact]
    public async Task SharedScaleGivesOneRangePerLayerWithNumbersOnTheColourBar()
    {
        using var kernel = await NotebookKernel.StartAsync();
        await kernel.RunAsync("""
            var conv = nn.Conv2d(1, 2, 1, bias: false);
            using (no_grad()) { conv.weight![0].fill_(1f); conv.weight![1].fill_(0.01f); }
            var net = nn.Sequential(("conv", conv));
            """);
        var perChannel = await kernel.RunAsync("#!capture --model net\nnet.call(torch.ones(1, 1, 4, 4));");
        Assert.Contains("min of each tile", perChannel.AllHtml);
        var shared = await kernel.RunAsync("#!capture --model net --shared-scale\nnet.call(torch.ones(1, 1, 4, 4));");
        Assert.Null(shared.Error);
        Assert.Contains("shared min-max [0.01, 1]", shared.AllHtml);
        Assert.DoesNotContain("min of each tile", shared.AllHtml);
    }
}
