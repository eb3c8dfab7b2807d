namespace ConvVis.Interactive.Tests;

[Collection("Kernel")]
public class HealthMagicTests
{
    // Channel 0 of conv1 has a bias so negative that ReLU zeroes it for every input in [0, 1]: a planted dead filter.
    const string Net = """
        var net = nn.Sequential(
            ("conv1", nn.Conv2d(1, 4, 3)), ("relu1", nn.ReLU()),
            ("conv2", nn.Conv2d(4, 4, 3)), ("relu2", nn.ReLU()));
        using (torch.no_grad()) { ((TorchSharp.Modules.Conv2d)net[0]).bias![0] = -100f; }
        torch.manual_seed(3);
        var data = torch.rand(200, 1, 12, 12);
        """;

    static async Task<NotebookKernel> KernelWithNetAsync()
    {
        var kernel = await NotebookKernel.StartAsync();
        await kernel.RunAsync(Net);
        return kernel;
    }

    [Fact]
    public async Task DeadFiltersFindsThePlantedDeadChannelAndShowsItsFilter()
    {
        using var kernel = await KernelWithNetAsync();
        var cell = await kernel.RunAsync("#!dead-filters --model net --data data --layers relu1");
        string html = cell.AllHtml;
        Assert.Contains("relu1", html);
        Assert.Matches(@"dead[^<]*\b1\b", html.Replace("&#160;", " "));
        Assert.NotEmpty(cell.Pngs());
        Assert.Contains("learning rate", html);
    }

    [Fact]
    public async Task SparsityShowsATableAndAnOfflineChartPerLayerAndSendsPlotlyOnce()
    {
        using var kernel = await KernelWithNetAsync();
        var first = await kernel.RunAsync("#!sparsity --model net --data data --batches 2");
        Assert.Contains("relu1", first.AllHtml);
        Assert.Contains("relu2", first.AllHtml);
        Assert.Contains("convvis-chart", first.AllHtml);
        Assert.DoesNotMatch("<script[^>]*src=", first.AllHtml); // plotly.js is inline, never loaded from a CDN
        Assert.Contains("<progress", first.AllHtml); // the live progress bar was shown
        var second = await kernel.RunAsync("#!sparsity --model net --data data --batches 1");
        Assert.Contains("convvis-chart", second.AllHtml);
        Assert.True(first.AllHtml.Length > second.AllHtml.Length + 500_000, $"plotly.js (about 1 MB) is sent with the first chart only: {first.AllHtml.Length} vs {second.AllHtml.Length}, {first.AllHtml.Split("if (typeof window.Plotly === 'undefined')").Length - 1} and {second.AllHtml.Split("if (typeof window.Plotly === 'undefined')").Length - 1} bundles");
    }

    [Theory]
    [InlineData("#!sparsity --model net --data dta", "no variable named 'dta'", "'data'")]
    [InlineData("#!sparsity --model net --data label", "'label' is a String")]
    [InlineData("#!sparsity --model net --data scalar", "give a batch of inputs [N, C, H, W]")]
    [InlineData("#!sparsity --model net", "--data")]
    public async Task SparsityNamesTheProblemWithTheData(string magic, params string[] expected)
    {
        using var kernel = await KernelWithNetAsync();
        await kernel.RunAsync("var label = \"x\"; var scalar = torch.tensor(1f);");
        await kernel.FailAsync(magic, expected);
    }

    [Fact]
    public async Task ATrainingMonitorUpdatesItsDisplayInPlace()
    {
        using var kernel = await KernelWithNetAsync();
        var cell = await kernel.RunAsync("""
            using ConvVis.Interactive;
            var monitor = new TrainingMonitor(net, data.narrow(0, 0, 16)).DisplayLive();
            monitor.Record(1, loss: 2.0);
            monitor.Record(2, loss: 1.5);
            """);
        var updates = cell.Events.OfType<Microsoft.DotNet.Interactive.Events.DisplayedValueUpdated>().ToList();
        Assert.Equal(2, updates.Count);
        Assert.Single(cell.Events.OfType<Microsoft.DotNet.Interactive.Events.DisplayedValueProduced>(), e => e.ValueId == updates[0].ValueId);
        Assert.All(updates, u => Assert.Equal(updates[0].ValueId, u.ValueId));
        string last = updates[^1].FormattedValues.Single(v => v.MimeType == "text/html").Value;
        Assert.Contains("convvis-chart", last);
        // The update replaces the first output, which carried plotly.js: the script must survive in the final output.
        Assert.Contains("window.Plotly === 'undefined'", last);
    }
}
