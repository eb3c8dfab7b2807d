using ConvVis.Native;

namespace ConvVis.Tests.Native;

public class TorchSharpNativeFixTests : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("convvis-fix-").FullName;

    /// <summary>A copy of TorchSharp's library exactly as NuGet ships it (not the copy the build fixed).</summary>
    string CopyOfShippedLibrary()
    {
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string shipped = Path.Combine(packages, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        // A notebook run with the opt-in fix edits the cache copy and keeps the original beside it.
        if (File.Exists(shipped + ".orig")) shipped += ".orig";
        string copy = Path.Combine(_folder, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
        File.Copy(shipped, copy);
        return copy;
    }

    static string SystemLibStdCxx => "/usr/lib/x86_64-linux-gnu/libstdc++.so.6";

    [Fact]
    public void DiagnosisMatchesWhetherThisSystemsLibStdCxxHasTheVersion()
    {
        string lib = CopyOfShippedLibrary();
        Assert.False(ElfVersionNeeds.Read(lib).Single(n => n.Version == "GLIBCXX_3.4.32").IsWeak);
        bool systemHasIt = File.ReadAllText(SystemLibStdCxx, System.Text.Encoding.Latin1).Contains("GLIBCXX_3.4.32\0");

        var status = TorchSharpNativeFix.Diagnose(_folder, SystemLibStdCxx);

        Assert.Equal(!systemHasIt, status.NeedsFix);
        if (status.NeedsFix)
        {
            Assert.Equal(new[] { lib }, status.Libraries);
            Assert.Equal(new[] { "GLIBCXX_3.4.32" }, status.MissingVersions);
            Assert.Contains("GLIBCXX_3.4.32", status.Explanation);
            Assert.Contains("#!convvis-fix-torchsharp", status.Explanation);
            Assert.Contains("CONVVIS_FIX_TORCHSHARP=1", status.Explanation);
        }
    }

    [Fact]
    public void ApplyMarksOnlyTheMissingVersionWeakAndKeepsABackup()
    {
        string lib = CopyOfShippedLibrary();
        byte[] before = File.ReadAllBytes(lib);
        var needsBefore = ElfVersionNeeds.Read(lib);
        // Pretend the system lacks exactly 3.4.32 by pointing at this system's library only when it does lack it.
        if (File.ReadAllText(SystemLibStdCxx, System.Text.Encoding.Latin1).Contains("GLIBCXX_3.4.32\0")) return;

        var changed = TorchSharpNativeFix.Apply(_folder, SystemLibStdCxx);

        Assert.Equal(new[] { lib }, changed);
        Assert.Equal(before, File.ReadAllBytes(lib + ".orig"));
        var needsAfter = ElfVersionNeeds.Read(lib);
        Assert.Equal(needsBefore.Count, needsAfter.Count);
        for (int i = 0; i < needsBefore.Count; i++)
            Assert.Equal(needsBefore[i].Version == "GLIBCXX_3.4.32" || needsBefore[i].IsWeak, needsAfter[i].IsWeak);
        byte[] after = File.ReadAllBytes(lib);
        Assert.Equal(1, before.Zip(after).Count(p => p.First != p.Second)); // one flag byte, nothing else
        Assert.False(TorchSharpNativeFix.Diagnose(_folder, SystemLibStdCxx).NeedsFix);
        Assert.Empty(TorchSharpNativeFix.Apply(_folder, SystemLibStdCxx)); // idempotent
    }

    [Fact]
    public void ACorruptOrTruncatedFileIsAClearError()
    {
        string lib = CopyOfShippedLibrary();
        string truncated = Path.Combine(_folder, "truncated.so");
        File.WriteAllBytes(truncated, File.ReadAllBytes(lib).AsSpan(0, 200).ToArray());
        var e = Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Read(truncated));
        Assert.Contains("truncated", e.Message);

        string text = Path.Combine(_folder, "text.so");
        File.WriteAllText(text, "not a library at all, just some text that is long enough to have a header........................................");
        Assert.Contains("is not an ELF file", Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Read(text)).Message);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
