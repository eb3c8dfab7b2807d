using ConvVis.Native;
using static TorchSharp.torch;

namespace ConvVis.Tests.Native;

public class TorchSharpLoadsTest
{
    [Fact]
    public void TorchSharpComputesAfterTheBuildFix()
    {
        using var a = tensor(new float[] { 1, 2, 3 });
        using var b = (a * 2).sum();
        Assert.Equal(12f, b.item<float>());
    }

    [Fact]
    public void BuildMarkedTheNewLibStdCxxNeedWeakInTheOutputFolder()
    {
        string lib = Directory.EnumerateFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories).First();
        var need = ElfVersionNeeds.Read(lib).Single(n => n.Version == "GLIBCXX_3.4.32");
        Assert.Equal("libstdc++.so.6", need.File);
        Assert.True(need.IsWeak);
    }
}
