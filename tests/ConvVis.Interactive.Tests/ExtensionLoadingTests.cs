using Microsoft.DotNet.Interactive.Events;

namespace ConvVis.Interactive.Tests;

[Collection("Kernel")]
public class ExtensionLoadingTests
{
    [Fact]
    public async Task LoadingShowsABannerNamingTheMagicCommands()
    {
        using var kernel = await NotebookKernel.StartAsync();
        string banner = new CellResult(kernel.LoadEvents).AllHtml;
        Assert.Contains("ConvVis.Interactive", banner);
        foreach (string magic in new[] { "#!filters", "#!summary", "#!convvis-fix-torchsharp" })
            Assert.Contains(magic, banner);
        // TorchSharp loaded (its own libtorch by full path, even with Debian's python3-torch on the machine): no problem notice.
        Assert.DoesNotContain("convvis-problem", banner);
        Assert.DoesNotContain("could not load", banner);
    }

    [Fact]
    public async Task LoadingTwiceIsHarmlessAndKeepsOneCopyOfEachMagicCommand()
    {
        using var kernel = await NotebookKernel.StartAsync();
        var second = await kernel.SubmitAsync(NotebookKernel.LoadCode);
        Assert.Null(second.Error);
        Assert.Empty(second.Html); // no second banner

        var result = await kernel.RunAsync("var net = nn.Sequential(nn.Conv2d(1, 4, 3));\n");
        var filters = await kernel.RunAsync("#!filters --model net");
        Assert.Single(filters.Pngs());
    }

    [Fact]
    public async Task TheTorchSharpFixMagicSaysWhenNothingNeedsFixing()
    {
        // The build already fixed the copy this test process loads, so there is nothing left to do.
        using var kernel = await NotebookKernel.StartAsync();
        var result = await kernel.RunAsync("#!convvis-fix-torchsharp");
        Assert.Contains("no change made", result.AllHtml);
    }
}
