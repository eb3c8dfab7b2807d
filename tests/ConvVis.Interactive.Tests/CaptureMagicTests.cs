using ConvVis.Tests.Capture;
using static TorchSharp.torch;

namespace ConvVis.Interactive.Tests;

[Collection("Kernel")]
public class CaptureMagicTests
{
    const string Net = """
        var net = nn.Sequential(
            ("conv1", nn.Conv2d(3, 6, 5)), ("relu1", nn.ReLU()),
            ("conv2", nn.Conv2d(6, 16, 3)), ("relu2", nn.ReLU()));
        var x = torch.rand(1, 3, 32, 32);
        """;

    static async Task<NotebookKernel> KernelWithNetAsync()
    {
        var kernel = await NotebookKernel.StartAsync();
        await kernel.RunAsync(Net);
        return kernel;
    }

    static int HooksOn(NotebookKernel kernel)
    {
        Assert.True(kernel.CSharp.TryGetValue<nn.Module>("net", out var net));
        return HookCounter.CountAll(net);
    }

    [Fact]
    public async Task CaptureShowsAMosaicPerLayerAndStoresTheActivations()
    {
        using var kernel = await KernelWithNetAsync();
        var cell = await kernel.RunAsync("""
            #!capture --model net --layers conv1,relu2 --into acts
            net.call(x);
            """);
        Assert.Equal(2, cell.Pngs().Count);
        Assert.Contains("conv1", cell.AllHtml);
        Assert.Contains("[1, 16, 26, 26]", cell.AllHtml);
        Assert.Equal(0, HooksOn(kernel));

        Assert.True(kernel.CSharp.TryGetValue<CapturedActivations>("acts", out var acts));
        Assert.Equal(new[] { "conv1", "relu2" }, acts.Keys.OrderBy(k => k));
        Assert.Equal(new long[] { 1, 6, 28, 28 }, acts["conv1"].shape);
        // The stored conv output is the layer's real output: compare with a fresh forward of conv1 alone.
        var same = await kernel.RunAsync("""
            var conv1 = (nn.Module<Tensor, Tensor>)net.named_children().First().module;
            torch.allclose(acts["conv1"], conv1.call(x))
            """);
        Assert.Contains(true, same.Events.OfType<Microsoft.DotNet.Interactive.Events.ReturnValueProduced>().Select(e => e.Value));
    }

    [Fact]
    public async Task CaptureRemovesItsHooksAndKeepsWhatItSawWhenTheCellThrows()
    {
        using var kernel = await KernelWithNetAsync();
        var cell = await kernel.SubmitAsync("""
            #!capture --model net --into partial --no-show
            net.call(x);
            throw new InvalidOperationException("boom");
            """);
        Assert.Contains("boom", cell.Error);
        Assert.Equal(0, HooksOn(kernel));
        Assert.True(kernel.CSharp.TryGetValue<CapturedActivations>("partial", out var partial));
        Assert.Equal(4, partial.Count);
    }

    [Fact]
    public async Task CaptureSaysWhichLayersNeverFiredAndWhy()
    {
        using var kernel = await KernelWithNetAsync();
        var cell = await kernel.RunAsync("""
            #!capture --model net --layers conv1,conv2
            var first = (nn.Module<Tensor, Tensor>)net.named_children().First().module;
            first.call(x);
            """);
        Assert.Contains("conv2", cell.AllHtml);
        Assert.Contains("call(", cell.AllHtml);
        Assert.Single(cell.Pngs());
        Assert.True(kernel.CSharp.TryGetValue<CapturedActivations>("activations", out var acts));
        Assert.Equal(new[] { "conv2" }, acts.NotFired);
    }

    [Fact]
    public async Task CaptureWithNoShowStoresWithoutDrawing()
    {
        using var kernel = await KernelWithNetAsync();
        var cell = await kernel.RunAsync("""
            #!capture --model net --layers Conv2d --into convs --no-show
            net.call(x);
            """);
        Assert.Empty(cell.Pngs());
        Assert.True(kernel.CSharp.TryGetValue<CapturedActivations>("convs", out var convs));
        Assert.Equal(2, convs.Count);
    }

    [Theory]
    [InlineData("#!capture --model net --into 1abc\nnet.call(x);", "--into '1abc' is not a valid C# variable name")]
    [InlineData("#!capture --model net --layers conv9\nnet.call(x);", "conv9", "conv1")]
    public async Task CaptureRejectsABadVariableNameAndAnUnknownLayerWithoutLeavingHooks(string code, params string[] expected)
    {
        using var kernel = await KernelWithNetAsync();
        await kernel.FailAsync(code, expected);
        Assert.Equal(0, HooksOn(kernel));
    }

    [Fact]
    public async Task CaptureAloneInACellSaysWhereTheCodeGoes()
    {
        using var kernel = await KernelWithNetAsync();
        var cell = await kernel.SubmitAsync("#!capture --model net");
        Assert.Contains("Put the forward pass below it in the same cell", cell.Error);
        Assert.Equal(0, HooksOn(kernel));
        await kernel.RunAsync("net.call(x);");
        Assert.False(kernel.CSharp.TryGetValue<CapturedActivations>("activations", out _));
    }

    [Fact]
    public async Task AfterACaptureTheModelsSummaryShowsTheOutputShapesItSaw()
    {
        using var kernel = await KernelWithNetAsync();
        var before = await kernel.RunAsync("net");
        Assert.DoesNotContain("[1, 6, 28, 28]", before.AllHtml);
        await kernel.RunAsync("#!capture --model net --no-show\nnet.call(x);");
        var after = await kernel.RunAsync("net");
        Assert.Contains("[1, 6, 28, 28]", after.AllHtml);
        Assert.Contains("[1, 16, 26, 26]", after.AllHtml);
    }
}
