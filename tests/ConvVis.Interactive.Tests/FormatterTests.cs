namespace ConvVis.Interactive.Tests;

[Collection("Kernel")]
public class FormatterTests
{
    [Fact]
    public async Task AConvWeightShowsAsAFilterGridWhosePngMatchesTheGridSize()
    {
        using var kernel = await NotebookKernel.StartAsync();
        await kernel.RunAsync("var conv = nn.Conv2d(3, 8, 5); var expected = FilterGrid.Of(conv.weight);");
        var cell = await kernel.RunAsync("conv.weight");
        var png = Assert.Single(cell.Pngs());
        var size = await kernel.RunAsync("$\"{expected.Width}x{expected.Height}\"");
        Assert.Contains($"{png.Width}x{png.Height}", string.Join(" ", size.Events.OfType<Microsoft.DotNet.Interactive.Events.ReturnValueProduced>().Select(e => e.Value)));
        Assert.Contains("[8, 3, 5, 5]", cell.AllHtml.Replace("×", ", "));
    }

    [Fact]
    public async Task AnActivationTensorShowsItsStatisticsAndAMosaic()
    {
        using var kernel = await NotebookKernel.StartAsync();
        var cell = await kernel.RunAsync("var a = torch.zeros(4, 6, 6); a[1] = torch.ones(6, 6); a");
        Assert.Single(cell.Pngs());
        string html = cell.AllHtml;
        Assert.Contains("Float32", html);
        Assert.Contains("75", html); // 75 % zeros: three of four channels are zero
    }

    [Fact]
    public async Task AnImageBatchShowsAsPictures()
    {
        using var kernel = await NotebookKernel.StartAsync();
        var cell = await kernel.RunAsync("var images = torch.rand(2, 3, 16, 16); images");
        var png = Assert.Single(cell.Pngs());
        Assert.True(png.Width >= 32, $"two 16-pixel images side by side, got {png.Width}");
    }

    [Fact]
    public async Task OtherTensorsStayReadableAsNumbers()
    {
        using var kernel = await NotebookKernel.StartAsync();
        var cell = await kernel.RunAsync("torch.tensor(new float[] { 1.5f, 2.5f })");
        Assert.Empty(cell.Pngs());
        Assert.Contains("1.5", cell.AllHtml);
        Assert.Contains("2.5", cell.AllHtml);
    }

    [Fact]
    public async Task TheOptionTurnsPicturesOfPlainTensorsOff()
    {
        using var kernel = await NotebookKernel.StartAsync();
        var cell = await kernel.RunAsync("ConvVisDisplay.TensorsAsPictures = false; torch.ones(2, 3, 4, 4)");
        Assert.Empty(cell.Pngs());
        Assert.Contains("<pre>", cell.AllHtml);
        var view = await kernel.RunAsync("Mosaic.Of(torch.ones(2, 3, 4, 4))");
        Assert.Single(view.Pngs()); // views always render as pictures
    }

    [Fact]
    public async Task ADisposedTensorShowsANoteInsteadOfFailingTheCell()
    {
        using var kernel = await NotebookKernel.StartAsync();
        var cell = await kernel.RunAsync("var t = torch.ones(2, 4, 4); t.Dispose(); t");
        Assert.Contains("disposed", cell.AllHtml);
    }

    [Fact]
    public async Task ATensorThatRequiresGradIsShownWithoutChangingIt()
    {
        using var kernel = await NotebookKernel.StartAsync();
        var cell = await kernel.RunAsync("var g = torch.ones(2, 5, 5, requires_grad: true); g");
        Assert.Single(cell.Pngs());
        var still = await kernel.RunAsync("g.requires_grad");
        Assert.Contains(true, still.Events.OfType<Microsoft.DotNet.Interactive.Events.ReturnValueProduced>().Select(e => e.Value));
    }

    [Fact]
    public async Task AModuleShowsItsLayerSummaryWithParameterCounts()
    {
        using var kernel = await NotebookKernel.StartAsync();
        await kernel.RunAsync("""
            var net = nn.Sequential(
                ("conv1", nn.Conv2d(1, 4, 3)), ("relu1", nn.ReLU()),
                ("conv2", nn.Conv2d(4, 8, 3)), ("flat", nn.Flatten()), ("fc", nn.Linear(8 * 24 * 24, 10)));
            """);
        var cell = await kernel.RunAsync("net");
        string html = cell.AllHtml;
        foreach (string layer in new[] { "conv1", "relu1", "conv2", "flat", "fc" }) Assert.Contains(layer, html);
        long total = 4 * 1 * 9 + 4 + 8 * 4 * 9 + 8 + 8 * 24 * 24 * 10 + 10;
        Assert.Contains(total.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), html);
    }

    [Fact]
    public async Task LayerNamesAreEscapedInHtml()
    {
        using var kernel = await NotebookKernel.StartAsync();
        await kernel.RunAsync("""var net = nn.Sequential(("<b>evil</b>", nn.Conv2d(1, 2, 3)));""");
        var cell = await kernel.RunAsync("net");
        Assert.DoesNotContain("<b>evil</b>", cell.AllHtml);
        Assert.Contains("&lt;b&gt;evil&lt;/b&gt;", cell.AllHtml);
    }
}
