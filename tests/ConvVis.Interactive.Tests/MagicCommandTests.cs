namespace ConvVis.Interactive.Tests;

[Collection("Kernel")]
public class MagicCommandTests
{
    const string Net = """
        var net = nn.Sequential(
            ("conv1", nn.Conv2d(3, 6, 5)), ("relu1", nn.ReLU()),
            ("conv2", nn.Conv2d(6, 16, 3)), ("relu2", nn.ReLU()),
            ("pool", nn.AdaptiveAvgPool2d(1)), ("flat", nn.Flatten()), ("fc", nn.Linear(16, 10)));
        """;

    static async Task<NotebookKernel> KernelWithNetAsync()
    {
        var kernel = await NotebookKernel.StartAsync();
        await kernel.RunAsync(Net);
        return kernel;
    }

    [Fact]
    public async Task FiltersShowsEveryConvLayerByDefault()
    {
        using var kernel = await KernelWithNetAsync();
        var cell = await kernel.RunAsync("#!filters --model net");
        Assert.Equal(2, cell.Pngs().Count);
        Assert.Contains("conv1", cell.AllHtml);
        Assert.Contains("conv2", cell.AllHtml);
    }

    [Fact]
    public async Task FiltersShowsOnlyTheChosenLayers()
    {
        using var kernel = await KernelWithNetAsync();
        var cell = await kernel.RunAsync("#!filters --model net --layers conv2");
        Assert.Single(cell.Pngs());
        Assert.DoesNotContain(">conv1<", cell.AllHtml);
    }

    [Fact]
    public async Task FiltersSaysWhenTheVariableIsNotAModule()
    {
        using var kernel = await KernelWithNetAsync();
        await kernel.RunAsync("var x = torch.ones(3);");
        var cell = await kernel.SubmitAsync("#!filters --model x");
        Assert.Contains("'x' is a Tensor, not a TorchSharp module", cell.Error);
    }

    [Fact]
    public async Task SummaryWithAnInputShapeShowsOutputShapesAndRestoresTrainMode()
    {
        using var kernel = await KernelWithNetAsync();
        await kernel.RunAsync("net.train();");
        var cell = await kernel.RunAsync("#!summary --model net --input-shape 1,3,32,32");
        string html = cell.AllHtml;
        Assert.Contains("[1, 6, 28, 28]", html);
        Assert.Contains("[1, 16, 26, 26]", html);
        Assert.Contains("[1, 10]", html);
        var mode = await kernel.RunAsync("net.training");
        Assert.Contains(true, mode.Events.OfType<Microsoft.DotNet.Interactive.Events.ReturnValueProduced>().Select(e => e.Value));
    }

    [Theory]
    [InlineData("#!filters --model nte", "no variable named 'nte'", "'net'")]
    [InlineData("#!filters --model net --layers conv3", "conv3", "conv1", "relu2")]
    [InlineData("#!filters --model net --layers relu1", "'relu1' is a ReLU", "conv1, conv2")]
    [InlineData("#!filters", "--model")]
    [InlineData("#!summary --model net --input-shape 1,three,32", "--input-shape '1,three,32' is not a shape")]
    [InlineData("#!summary --model net --input-shape 1,1,32,32", "1, 1, 32, 32", "3")]
    public async Task FiltersAndSummarySayWhatIsWrong(string magic, params string[] expected)
    {
        using var kernel = await KernelWithNetAsync();
        await kernel.FailAsync(magic, expected);
    }
}
