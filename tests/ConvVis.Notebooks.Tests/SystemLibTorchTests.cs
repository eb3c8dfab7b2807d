using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace ConvVis.Notebooks.Tests;

/// <summary>
/// A real Jupyter .NET kernel loads the packed ConvVis.Interactive and TorchSharp-cpu from the NuGet cache on a machine
/// whose system library path has another libtorch (Debian's python3-torch puts libtorch 1.13 there; scripts/setup.sh
/// installs it). TorchSharp alone then binds to that copy and fails with "undefined symbol _ZNK3c105Error4whatEv";
/// with ConvVis loaded, the kernel must run TorchSharp on its own libtorch.
/// </summary>
public sealed partial class SystemLibTorchTests(ITestOutputHelper output)
{
    [Fact]
    public void TorchSharpRunsOnItsOwnLibTorchInAKernelDespiteASystemLibTorch()
    {
        var systemCopies = SystemLibTorch();
        string machine = systemCopies.Count > 0
            ? $"the system library path has {string.Join(", ", systemCopies)}"
            : "NO libtorch in the system library path (ldconfig -p lists no libtorch_cpu.so or libc10.so), so this run only shows that TorchSharp loads; install python3-torch (scripts/setup.sh does) to test the conflict";
        output.WriteLine($"On this machine {machine}.");

        string folder = Directory.CreateTempSubdirectory("convvis-system-libtorch-").FullName;
        try
        {
            string notebook = Path.Combine(folder, "system-libtorch.ipynb");
            WriteNotebook(notebook,
                $"#i \"nuget: {Feed()}\"\n#r \"nuget: TorchSharp-cpu, 0.107.0\"\n#r \"nuget: ConvVis.Interactive, {Version()}\"",
                "var conv = TorchSharp.torch.nn.Conv2d(1, 2, 3);\n$\"channels={conv.call(TorchSharp.torch.ones(1, 1, 5, 5)).shape[1]}\"",
                "string.Join(\"\\n\", System.IO.File.ReadLines(\"/proc/self/maps\").Where(l => l.Contains('/')).Select(l => l.Substring(l.IndexOf('/'))).Distinct())");
            var executed = Execute(notebook, folder);
            string context = $"(on this machine {machine}; executed notebook: {executed.Path})";

            var errors = executed.Errors().ToList();
            Assert.True(errors.Count == 0, $"{errors.Count} failed cell(s) {context}:\n{string.Join("\n", errors)}");
            var cells = executed.CodeCells;
            string banner = ExecutedNotebook.OutputText(cells[0]);
            Assert.True(banner.Contains("convvis-banner"), $"no ConvVis banner in the loading cell {context}:\n{banner}");
            Assert.False(banner.Contains("convvis-problem"), $"the banner reports a problem {context}:\n{banner}");
            Assert.False(banner.Contains("Trace from LoadNativeBackend"), $"TorchSharp's load trace is in the loading cell {context}");
            Assert.Contains("channels=2", ExecutedNotebook.OutputText(cells[1]));

            var mapped = ExecutedNotebook.OutputText(cells[2]).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(p => LibTorchFile().IsMatch(Path.GetFileName(p))).Distinct().ToList();
            Assert.Contains(mapped, p => p.EndsWith("/libtorch_cpu.so") && p.Contains("/libtorch-cpu-linux-x64/"));
            var foreign = mapped.Where(p => !p.Contains("/libtorch-cpu-linux-x64/") && !p.Contains("/torchsharp/")).ToList();
            Assert.True(foreign.Count == 0, $"the kernel mapped another libtorch: {string.Join(", ", foreign)} {context}");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>libtorch_cpu.so and libc10.so as the dynamic loader's cache lists them (independent of ConvVis' own search).</summary>
    private static List<string> SystemLibTorch()
    {
        var start = new ProcessStartInfo("/sbin/ldconfig", "-p") { RedirectStandardOutput = true, UseShellExecute = false };
        using var ldconfig = Process.Start(start)!;
        string listing = ldconfig.StandardOutput.ReadToEnd();
        ldconfig.WaitForExit();
        return CacheEntry().Matches(listing).Select(m => m.Groups[1].Value).Distinct().ToList();
    }

    private static void WriteNotebook(string path, params string[] cells)
    {
        var notebook = new
        {
            cells = cells.Select(source => new { cell_type = "code", execution_count = (int?)null, metadata = new { }, outputs = Array.Empty<object>(), source }),
            metadata = new
            {
                kernelspec = new { display_name = ".NET (C#)", language = "C#", name = ".net-csharp" },
                language_info = new { name = "C#" },
            },
            nbformat = 4,
            nbformat_minor = 5,
        };
        File.WriteAllText(path, JsonSerializer.Serialize(notebook));
    }

    /// <summary>Runs the notebook through Jupyter as scripts/run-notebooks.sh does, with the same opt-in switch.</summary>
    private static ExecutedNotebook Execute(string notebook, string folder)
    {
        string outputs = Path.Combine(folder, "executed");
        var start = new ProcessStartInfo("jupyter",
            ["nbconvert", "--to", "notebook", "--execute", "--allow-errors", "--ExecutePreprocessor.kernel_name=.net-csharp",
             "--ExecutePreprocessor.timeout=600", "--ExecutePreprocessor.startup_timeout=180", "--output-dir", outputs, notebook])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["CONVVIS_FIX_TORCHSHARP"] = "1";   // Debian 12's libstdc++ (see the README, "TorchSharp on Debian 12 and Ubuntu 22.04")
        using var jupyter = Process.Start(start)!;
        var stdout = jupyter.StandardOutput.ReadToEndAsync();
        var stderr = jupyter.StandardError.ReadToEndAsync();
        Assert.True(jupyter.WaitForExit(TimeSpan.FromMinutes(15)), "jupyter nbconvert did not finish in 15 minutes");
        string executed = Path.Combine(outputs, Path.GetFileName(notebook));
        Assert.True(jupyter.ExitCode == 0 && File.Exists(executed),
            $"jupyter nbconvert failed (exit {jupyter.ExitCode}):\n{stdout.Result}\n{string.Join('\n', stderr.Result.Split('\n').TakeLast(40))}");
        return ExecutedNotebook.Read(executed);
    }

    /// <summary>The local feed with the packed packages: the test command's (CONVVIS_PACKAGES_DIR), else packed now.</summary>
    private static string Feed()
    {
        string? given = Environment.GetEnvironmentVariable("CONVVIS_PACKAGES_DIR");
        if (!string.IsNullOrEmpty(given)) return Path.GetFullPath(given);
        string feed = Path.Combine(Repository.Root, "artifacts", "packages");
        var start = new ProcessStartInfo("bash", ["scripts/pack.sh", feed])
        {
            WorkingDirectory = Repository.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var pack = Process.Start(start)!;
        var stdout = pack.StandardOutput.ReadToEndAsync();
        var stderr = pack.StandardError.ReadToEndAsync();
        pack.WaitForExit();
        Assert.True(pack.ExitCode == 0, $"scripts/pack.sh failed (exit {pack.ExitCode}):\n{stdout.Result}\n{stderr.Result}");
        return feed;
    }

    private static string Version() =>
        ConvVisVersion().Match(File.ReadAllText(Path.Combine(Repository.Root, "Directory.Build.props"))).Groups[1].Value;

    [GeneratedRegex(@"<ConvVisVersion>([^<]+)</ConvVisVersion>")]
    private static partial Regex ConvVisVersion();

    [GeneratedRegex(@"^\s*(?:libtorch_cpu|libc10)\.so\S*\s.*=>\s*(\S+)$", RegexOptions.Multiline)]
    private static partial Regex CacheEntry();

    [GeneratedRegex(@"^(libtorch_cpu|libc10|libtorch)\.so")]
    private static partial Regex LibTorchFile();
}
