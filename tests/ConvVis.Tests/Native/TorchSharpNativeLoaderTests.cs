using static TorchSharp.torch;

namespace ConvVis.Tests.Native;

/// <summary>
/// TorchSharp's own libtorch loads by full path, so another libtorch in the system library path (Debian's python3-torch
/// installs libtorch 1.13 there) cannot take its place; when loading fails anyway, the explanation is short and names
/// the other copy. The real notebook case (TorchSharp from the NuGet cache, an out-of-process kernel) is tested in
/// tests/ConvVis.Notebooks.Tests (SystemLibTorchTests).
/// </summary>
public sealed class TorchSharpNativeLoaderTests : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("convvis-libtorch-").FullName;
    readonly string? _libraryPath = Environment.GetEnvironmentVariable("LD_LIBRARY_PATH");

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("LD_LIBRARY_PATH", _libraryPath);
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>A stand-in for another PyTorch's libtorch, first in LD_LIBRARY_PATH: libtorch_cpu.so -> libtorch_cpu.so.1.13.0.</summary>
    string OtherLibTorchFirstInLibraryPath()
    {
        File.WriteAllBytes(Path.Combine(_folder, "libtorch_cpu.so.1.13.0"), [0x7F, (byte)'E', (byte)'L', (byte)'F']);
        File.CreateSymbolicLink(Path.Combine(_folder, "libtorch_cpu.so"), "libtorch_cpu.so.1.13.0");
        Environment.SetEnvironmentVariable("LD_LIBRARY_PATH", _folder + ":" + _libraryPath);
        return Path.Combine(_folder, "libtorch_cpu.so");
    }

    [Fact]
    public void LoadsTorchSharpsOwnLibrariesByFullPathEachAfterWhatItNeeds()
    {
        var result = TorchSharpNativeLoader.Load();
        Assert.True(result.Succeeded, result.Problem);
        var names = result.Loaded.Select(Path.GetFileName).ToList();
        Assert.StartsWith("libgomp-", names[0]);
        Assert.Equal(["libc10.so", "libtorch_cpu.so", "libtorch.so", "libLibTorchSharp.so"], names.Skip(1));
        Assert.All(result.Loaded, path => Assert.StartsWith(AppContext.BaseDirectory, path));

        Assert.True(TorchSharpNativeLoader.Load().Succeeded);   // again: harmless
        using var sum = ones(3).sum();
        Assert.Equal(3f, sum.item<float>());
    }

    [Fact]
    public void NoOtherLibTorchIsMappedIntoThisProcess()
    {
        using var t = ones(2);   // TorchSharp is loaded
        Assert.Empty(TorchSharpNativeLoader.ForeignCopiesLoaded());
        string maps = File.ReadAllText("/proc/self/maps");
        Assert.Contains(Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libtorch_cpu.so"), maps);
    }

    [Fact]
    public void TheCopyTheDynamicLoaderWouldFindByNameIsNamed()
    {
        string other = OtherLibTorchFirstInLibraryPath();
        var copies = TorchSharpNativeLoader.SystemCopies();
        Assert.Equal(other, copies[0]);

        // Without the stand-in, the real system copy when there is one (Debian's python3-torch on CI).
        Environment.SetEnvironmentVariable("LD_LIBRARY_PATH", _libraryPath);
        const string debian = "/usr/lib/x86_64-linux-gnu/libtorch_cpu.so";
        if (File.Exists(debian) && string.IsNullOrEmpty(_libraryPath))
            Assert.Contains(TorchSharpNativeLoader.SystemCopies(), p => p.EndsWith("/libtorch_cpu.so") && File.Exists(p));
    }

    [Fact]
    public void AFailureIsExplainedInAFewLinesNamingTheOtherCopyAndTheRemedy()
    {
        OtherLibTorchFirstInLibraryPath();
        // What the first use of torch throws when TorchSharp is bound to another libtorch: its load trace is 2.5 KB.
        string trace = string.Concat(Enumerable.Repeat("    Trying to load native component /some/path/libtorch_cpu.so\n", 40));
        var thrown = new TypeInitializationException("TorchSharp.torch", new NotSupportedException(
            "This application or script uses TorchSharp but doesn't contain a reference to libtorch-cpu-linux-x64, Version=2.10.0.0.\n\n" +
            "Trace from LoadNativeBackend:\n" + trace));

        string text = TorchSharpNativeLoader.Explain(thrown);
        Assert.StartsWith("This application or script uses TorchSharp but doesn't contain a reference to libtorch-cpu-linux-x64", text);
        Assert.DoesNotContain("Trace from LoadNativeBackend", text);
        Assert.DoesNotContain("Trying to load", text);
        Assert.Contains($"Another libtorch is in the system library path: {_folder}/libtorch_cpu.so (-> libtorch_cpu.so.1.13.0)", text);
        Assert.Contains("python3-torch", text);
        Assert.Contains("LD_LIBRARY_PATH", text);
        Assert.True(text.Length < 700, $"{text.Length} characters: {text}");
    }
}
