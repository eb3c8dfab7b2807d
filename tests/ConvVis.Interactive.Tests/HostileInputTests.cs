using Microsoft.DotNet.Interactive.Events;

namespace ConvVis.Interactive.Tests;

/// <summary>Issue 9, items 3, 9, 10 and 11: bad option values, empty tensors and variables a magic must not overwrite.</summary>
[Collection("Kernel")]
public class HostileInputTests
{
    const string Net = """
        var net = nn.Sequential(("conv1", nn.Conv2d(1, 4, 3)), ("relu1", nn.ReLU()));
        var data = torch.rand(20, 1, 10, 10);
        """;

    static async Task<NotebookKernel> KernelWithNetAsync()
    {
        var kernel = await NotebookKernel.StartAsync();
        await kernel.RunAsync(Net);
        return kernel;
    }

    static async Task<string?> TypeOfAsync(NotebookKernel kernel, string variable)
    {
        var cell = await kernel.RunAsync($"{variable}.GetType().Name");
        return cell.Events.OfType<ReturnValueProduced>().Single().Value as string;
    }

    [Theory]
    [InlineData("NaN", "'NaN' is not a finite number")]
    [InlineData("Infinity", "'Infinity' is not a finite number")]
    [InlineData("-Infinity", "'-Infinity' is not a finite number")]
    [InlineData("1e39", "'1e39' is not a finite number (too large for a float)")]
    [InlineData("abc", "'abc' is not a number")]
    public async Task DeadFiltersRefusesAThresholdThatIsNotAFiniteNumber(string value, string expected)
    {
        using var kernel = await KernelWithNetAsync();
        var cell = await kernel.FailAsync($"#!dead-filters --model net --data data --threshold {value}",
            "--threshold " + expected, "give a finite number, e.g. --threshold 0.01");
        Assert.DoesNotContain("dead channels", cell.AllHtml);
    }

    [Fact]
    public async Task AFiniteThresholdIsStillAccepted()
    {
        using var kernel = await KernelWithNetAsync();
        var cell = await kernel.RunAsync("#!dead-filters --model net --data data --threshold 0.5");
        Assert.Contains("threshold 0.5", cell.AllHtml);
    }

    [Theory]
    [InlineData("#!sparsity --model net --data data --batches NaN", "--batches 'NaN' is not a finite number; give a whole number")]
    [InlineData("#!sparsity --model net --data data --batches 1.5", "--batches '1.5' is not a whole number")]
    [InlineData("#!sparsity --model net --data data --batches 99999999999", "--batches 99999999999 is too large")]
    [InlineData("#!capture --model net --max-channels Infinity\nnet.call(data);", "--max-channels 'Infinity' is not a finite number")]
    public async Task WholeNumberOptionsSayWhatIsWrongWithTheValue(string code, string expected)
    {
        using var kernel = await KernelWithNetAsync();
        var cell = await kernel.FailAsync(code, expected);
        Assert.DoesNotContain("Invalid JSON", cell.Error);
    }

    [Fact]
    public async Task CaptureRefusesToOverwriteTheModelWithTheActivations()
    {
        using var kernel = await KernelWithNetAsync();
        var cell = await kernel.SubmitAsync("#!capture --model net --into net\nnet.call(data);");
        Assert.Contains("--into 'net' would overwrite the variable 'net', which holds a Sequential, not CapturedActivations", cell.Error);
        Assert.Contains("--into acts", cell.Error);
        Assert.Equal("Sequential", await TypeOfAsync(kernel, "net"));

        var input = await kernel.SubmitAsync("#!capture --model net --into data\nnet.call(data);");
        Assert.Contains("'data', which holds a Tensor", input.Error);
        Assert.Equal("Tensor", await TypeOfAsync(kernel, "data"));

        // An earlier capture's variable is replaced as before.
        await kernel.RunAsync("#!capture --model net --into acts --no-show\nnet.call(data);");
        await kernel.RunAsync("#!capture --model net --into acts --no-show\nnet.call(data);");
        Assert.Equal("CapturedActivations", await TypeOfAsync(kernel, "acts"));
    }

    [Fact]
    public async Task CaptureDoesNotReplaceAVariableTheCellItselfDeclares()
    {
        using var kernel = await KernelWithNetAsync();
        var cell = await kernel.SubmitAsync("#!capture --model net --into y --no-show\nvar y = net.call(data);");
        string note = System.Net.WebUtility.HtmlDecode(cell.AllHtml);
        Assert.Contains("--into 'y' would overwrite the variable 'y', which holds a Tensor", note);
        Assert.Contains("The activations were not stored.", note);
        Assert.Equal("Tensor", await TypeOfAsync(kernel, "y"));
    }

    [Theory]
    [InlineData("[1,3,16,16]")]
    [InlineData("[1, 3, 16, 16]")]
    [InlineData("1,3,16,16")]
    [InlineData("\"[1,3,16,16]\"")]
    public async Task SummaryAcceptsTheShapeFormsItsHelpShows(string shape)
    {
        using var kernel = await NotebookKernel.StartAsync();
        await kernel.RunAsync("""var net3 = nn.Sequential(("conv1", nn.Conv2d(3, 6, 5)), ("relu1", nn.ReLU()));""");
        var cell = await kernel.RunAsync($"#!summary --model net3 --input-shape {shape}");
        Assert.Contains("[1, 6, 12, 12]", cell.AllHtml);
    }

    [Theory]
    [InlineData("(1,3,16,16)")]
    [InlineData("{\"a\":1}")]
    [InlineData("[[1,3],[16,16]]")]
    [InlineData("[1.5,3]")]
    public async Task SummaryRefusesOtherShapeFormsNamingTheAcceptedOnes(string shape)
    {
        using var kernel = await NotebookKernel.StartAsync();
        await kernel.RunAsync("""var net3 = nn.Sequential(("conv1", nn.Conv2d(3, 6, 5)));""");
        var cell = await kernel.FailAsync($"#!summary --model net3 --input-shape {shape}",
            "is not a shape", "--input-shape 1,3,224,224 or --input-shape [1,3,224,224]");
        Assert.DoesNotContain("Invalid JSON", cell.Error);
    }

    [Fact]
    public async Task AnEmptyTensorShowsEmptyInsteadOfAnError()
    {
        using var kernel = await NotebookKernel.StartAsync();
        var cell = await kernel.RunAsync("torch.zeros(3, 0, 8)");
        Assert.Contains("Tensor [3, 0, 8] Float32 cpu (empty)", cell.AllHtml);
        Assert.DoesNotContain("Sequence contains no elements", cell.AllHtml);
        var ints = await kernel.RunAsync("torch.zeros(0, dtype: ScalarType.Int64)");
        Assert.Contains("(empty)", ints.AllHtml);
    }

    [Fact]
    public async Task AMetaTensorShowsItsShapeAndSaysItHasNoValues()
    {
        using var kernel = await NotebookKernel.StartAsync();
        var cell = await kernel.RunAsync("torch.zeros(1, 3, 8, 8, device: torch.META)");
        Assert.Contains("meta device: a shape without values", cell.AllHtml);
        Assert.Empty(cell.Pngs());
    }
}
