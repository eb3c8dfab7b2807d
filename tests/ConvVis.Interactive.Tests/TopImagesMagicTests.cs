namespace ConvVis.Interactive.Tests;

[Collection("Kernel")]
public class TopImagesMagicTests
{
    const string Net = """
        torch.manual_seed(4);
        var net = nn.Sequential(
            ("conv1", nn.Conv2d(1, 4, 3)), ("relu1", nn.ReLU()),
            ("conv2", nn.Conv2d(4, 12, 3, stride: 2)), ("relu2", nn.ReLU()));
        var data = new LabeledImages(torch.rand(100, 1, 12, 12), torch.randint(0, 3, 100), new[] { "cat", "<dog>", "owl" });
        """;

    static async Task<NotebookKernel> KernelWithNetAsync()
    {
        var kernel = await NotebookKernel.StartAsync();
        await kernel.RunAsync(Net);
        return kernel;
    }

    [Fact]
    public async Task ShowsTheTopImagesOfTheFirstEightUnitsWithValuesAndLabels()
    {
        using var kernel = await KernelWithNetAsync();
        var cell = await kernel.RunAsync("#!top-images --model net --layer relu2 --data data -k 5");
        Assert.Null(cell.Error);
        string html = cell.AllHtml;
        Assert.Contains("Top 5 images of layer &#39;relu2&#39; by max activation", html.Replace("&#x27;", "&#39;"));
        Assert.Contains("rows: channel 0, 1, 2, 3, 4, 5, 6, 7;", html);
        Assert.DoesNotContain("<dog>", html);
        Assert.Contains("<progress", html);
        Assert.NotEmpty(cell.Pngs());
    }

    [Fact]
    public async Task ShowsPatchesOfChosenChannels()
    {
        using var kernel = await KernelWithNetAsync();
        var cell = await kernel.RunAsync("#!top-images --model net --layer relu2 --data data --channels 1-2,10 --patches --mean");
        Assert.Null(cell.Error);
        Assert.Contains("rows: channel 1, 2, 10;", cell.AllHtml);
        Assert.Contains("receptive field (5×5 px, jump 2)", cell.AllHtml);
        Assert.Contains("by mean activation", cell.AllHtml);
    }

    [Theory]
    [InlineData("#!top-images --model net --layer rleu2 --data data", "Closest valid name: 'relu2'")]
    [InlineData("#!top-images --model net --layer relu2 --data data --channels 0-12", "Channel 12 is out of range: layer 'relu2' has 12 channels (0-11)")]
    [InlineData("#!top-images --model net --layer relu2 --data data --channels a-b", "--channels 'a-b' is not a channel list; write e.g. 0-7")]
    [InlineData("#!top-images --model net --layer relu2 --data data --channels 5-2", "runs backwards; write 2-5")]
    [InlineData("#!top-images --model net --data data", "--layer NAME")]
    [InlineData("#!top-images --model net --layer relu2 --data data -k 0", "-k must be in 1..100")]
    public async Task MistakesFailWithAPlainMessage(string magic, string expected)
    {
        using var kernel = await KernelWithNetAsync();
        var cell = await kernel.SubmitAsync(magic);
        Assert.NotNull(cell.Error);
        Assert.Contains(expected, cell.Error);
        Assert.DoesNotContain("   at ", cell.Error);
    }
}
