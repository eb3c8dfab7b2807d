namespace ConvVis.Interactive.Tests;

[Collection("Kernel")]
public class GradCheckMagicTests
{
    const string LeNet = """
        var net = nn.Sequential(
            ("conv1", nn.Conv2d(1, 6, 5, padding: 2)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),
            ("conv2", nn.Conv2d(6, 16, 5)), ("relu2", nn.ReLU()), ("pool2", nn.MaxPool2d(2)),
            ("flatten", nn.Flatten()), ("fc", nn.Linear(16 * 5 * 5, 10)));
        """;

    [Fact]
    public async Task GradCheckShowsEveryLayerWithAVerdictThatMatchesTheMachine()
    {
        using var kernel = await NotebookKernel.StartAsync();
        await kernel.RunAsync(LeNet);
        var cell = await kernel.RunAsync("#!gradcheck --model net --input-shape 2,1,28,28");
        string html = cell.AllHtml;
        Assert.Contains("Gradient check: float32 against float64, input [2, 1, 28, 28]", html);
        foreach (var layer in new[] { "conv1", "relu1", "pool1", "conv2", "relu2", "pool2", "flatten", "fc" })
            Assert.Contains($"<td style=\"padding:2px 10px 2px 0\">{layer}</td>", html);
        if (!ConvGradientFault.MachineIsAffected())
            Assert.Contains("All 8 layers compute float32 gradients that agree with float64", html);
        else // an affected CPU: the verdict depends on the geometries, but a wrong layer always comes with the remedy
            Assert.True(html.Contains("agree with float64") || html.Contains("DNNL_MAX_CPU_ISA=AVX"));
    }

    [Theory]
    [InlineData("#!gradcheck --model net", "give the input shape, batch first, e.g. #!gradcheck --model net --input-shape 2,1,28,28")]
    [InlineData("#!gradcheck --model net --input-shape 2,3,28,28", "[2, 3, 28, 28]")]
    [InlineData("#!gradcheck --model nte --input-shape 2,1,28,28", "no variable named 'nte'")]
    [InlineData("#!gradcheck --model net --input-shape 2,x,28", "is not a shape")]
    public async Task GradCheckSaysWhatIsWrong(string magic, string expected)
    {
        using var kernel = await NotebookKernel.StartAsync();
        await kernel.RunAsync(LeNet);
        await kernel.FailAsync(magic, expected);
    }
}
