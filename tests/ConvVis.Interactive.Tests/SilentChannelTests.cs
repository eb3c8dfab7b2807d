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
}
