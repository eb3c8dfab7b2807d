namespace ConvVis.Interactive.Tests;

/// <summary>Every magic answers -h and --help with its usage, and a mistake of use fails the cell with the message alone.</summary>
[Collection("Kernel")]
public class MagicHelpAndErrorTests
{
    const string Net = """
        var net = nn.Sequential(
            ("features", nn.Sequential(("conv1", nn.Conv2d(1, 4, 3)), ("relu1", nn.ReLU()))),
            ("head", nn.Sequential(("pool", nn.AdaptiveAvgPool2d(1)), ("flatten", nn.Flatten()), ("fc", nn.Linear(4, 3)))));
        """;

    public static TheoryData<string, string> MagicsAndHelpFlags()
    {
        var data = new TheoryData<string, string>();
        foreach (var magic in new[] { "#!filters", "#!summary", "#!capture", "#!sparsity", "#!dead-filters", "#!top-images", "#!gradcheck", "#!convvis-fix-torchsharp" })
            foreach (var flag in new[] { "-h", "--help" })
                data.Add(magic, flag);
        return data;
    }

    [Theory]
    [MemberData(nameof(MagicsAndHelpFlags))]
    public async Task EveryMagicAnswersHelpWithItsUsageOptionsAndAnExample(string magic, string flag)
    {
        using var kernel = await NotebookKernel.StartAsync();
        var cell = await kernel.RunAsync($"{magic} {flag}");
        Assert.Null(cell.Error);
        string html = cell.AllHtml;
        Assert.Contains($"Usage: {magic}", html);
        Assert.Contains("-h, --help", html);
        Assert.Contains($"Example: <code>{magic}", html);
        if (magic != "#!convvis-fix-torchsharp")
        {
            Assert.Contains(">--model</td>", html);
            Assert.Contains("(required)", html);
        }
    }

    [Theory]
    [InlineData("#!filters --model net --layers conv3", "No layer matches the name or type name 'conv3'")]
    [InlineData("#!filters --model nett", "no variable named 'nett'")]
    [InlineData("#!summary --model net --input-shape 1x1x28x28", "is not a shape")]
    [InlineData("#!gradcheck --model net", "give the input shape")]
    [InlineData("#!capture --model net --layers relu9\nnet.call(torch.rand(1, 1, 8, 8));", "relu9")]
    public async Task AMistakeFailsTheCellWithItsMessageAloneNoStackTrace(string code, string expected)
    {
        using var kernel = await NotebookKernel.StartAsync();
        await kernel.RunAsync(Net);
        var cell = await kernel.FailAsync(code, expected);
        Assert.DoesNotContain("   at ", cell.Error);
        Assert.DoesNotContain("Exception", cell.Error);
    }

    [Fact]
    public async Task TheClosestNameOfANestedLayerIsItsFullPath()
    {
        using var kernel = await NotebookKernel.StartAsync();
        await kernel.RunAsync(Net);
        var cell = await kernel.SubmitAsync("#!filters --model net --layers conv1");
        Assert.Contains("Closest valid name: 'features.conv1'", cell.Error);
    }
}
