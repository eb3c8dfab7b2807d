using System.Reflection;
using System.Runtime.InteropServices;

namespace ConvVis;

/// <summary>What <see cref="TorchSharpNativeLoader.Load"/> did.</summary>
/// <param name="Loaded">The native libraries it loaded, by full path, in order. Empty when it found none to load
/// (not Linux, or no <c>libtorch-cpu-linux-x64</c> package next to TorchSharp).</param>
/// <param name="Problem">Why loading failed, in plain words with the remedy; null when it succeeded.</param>
public sealed record TorchSharpNativeLoad(IReadOnlyList<string> Loaded, string? Problem)
{
    /// <summary>True when every library it tried loaded.</summary>
    public bool Succeeded => Problem is null;
}

/// <summary>
/// Loads TorchSharp's own libtorch (<c>libc10.so</c>, <c>libtorch_cpu.so</c>, <c>libtorch.so</c>) and then
/// <c>libLibTorchSharp.so</c> by full path, before TorchSharp looks for them by name, so that another libtorch in
/// the system library path cannot win.
/// </summary>
/// <remarks>
/// In a notebook TorchSharp runs from the NuGet cache, where nothing tells the runtime where its native files
/// are: TorchSharp first asks the dynamic loader for <c>libtorch_cpu.so</c> by name, which finds a system copy
/// when one exists (Debian's <c>python3-torch</c> installs libtorch 1.13 in <c>/usr/lib/x86_64-linux-gnu</c>).
/// Its own <c>libLibTorchSharp.so</c> is then bound to that older libtorch and fails with
/// <c>undefined symbol _ZNK3c105Error4whatEv</c>, for good in that process. A library loaded by full path is
/// registered under its soname, so every later load by name (TorchSharp's, and its P/Invokes) gets these copies.
/// </remarks>
public static class TorchSharpNativeLoader
{
    /// <summary>TorchSharp's native libraries, each after the ones it needs (the dynamic loader would otherwise
    /// look for a missing dependency by name, and could find a system copy).</summary>
    static readonly string[] LibTorchInDependencyOrder = ["libgomp-*.so*", "libc10.so", "libtorch_cpu.so", "libtorch.so"];

    /// <summary>The libraries whose system copies break TorchSharp (what <c>libLibTorchSharp.so</c> needs by name).</summary>
    static readonly string[] ConflictingNames = ["libtorch_cpu.so", "libc10.so", "libtorch.so"];

    /// <summary>Where the dynamic loader looks for a library by name after <c>LD_LIBRARY_PATH</c> (Debian, Ubuntu,
    /// Fedora and the like); the folders of <c>/etc/ld.so.conf.d</c> come first.</summary>
    static readonly string[] StandardLibraryFolders =
        ["/usr/local/lib", "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib", "/lib"];

    /// <summary>
    /// Loads TorchSharp's libtorch and, when <paramref name="withLibTorchSharp"/>, its <c>libLibTorchSharp.so</c>, by
    /// full path. Call it before the first use of <c>torch</c>; calling it again is harmless. Does nothing off Linux.
    /// </summary>
    /// <param name="withLibTorchSharp">False while <c>libLibTorchSharp.so</c> still needs
    /// <see cref="TorchSharpNativeFix"/> (a failed load could not be retried).</param>
    public static TorchSharpNativeLoad Load(bool withLibTorchSharp = true)
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) return new([], null);
        string? libTorch = FindLibTorchFolder();
        if (libTorch is null) return new([], null);   // TorchSharp will say which package is missing
        // Two libtorch in one process do not mix (the second binds to the first's libc10): leave it to the remedy.
        if (ForeignCopiesLoaded().Count > 0) return new([], Explain("TorchSharp's own libtorch was not loaded"));

        var files = LibTorchInDependencyOrder
            .SelectMany(pattern => Directory.EnumerateFiles(libTorch, pattern).Order(StringComparer.Ordinal))
            .ToList();
        if (withLibTorchSharp && FindLibTorchSharp(libTorch) is { } libTorchSharp) files.Add(libTorchSharp);

        var loaded = new List<string>();
        foreach (string file in files)
        {
            try
            {
                NativeLibrary.Load(file);
                loaded.Add(file);
            }
            catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
            {
                // .NET's message starts with advice on strace and LD_DEBUG; the dynamic loader's own words end it.
                string reason = e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
                return new(loaded, Explain($"Loading {Path.GetFileName(file)} failed: {reason}"));
            }
        }
        return new(loaded, null);
    }

    /// <summary>
    /// A short explanation of TorchSharp failing to load (<paramref name="error"/>, e.g. the exception of the first
    /// use of <c>torch</c>): its first line, the other libtorch in the way if there is one, and the remedy; never
    /// TorchSharp's load trace.
    /// </summary>
    public static string Explain(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var innermost = error;
        while (innermost.InnerException is not null) innermost = innermost.InnerException;
        return Explain(innermost.Message);
    }

    /// <summary>The copies of <c>libtorch_cpu.so</c>, <c>libc10.so</c> and <c>libtorch.so</c> that the dynamic loader
    /// would find by name: the first of each in <c>LD_LIBRARY_PATH</c>, <c>/etc/ld.so.conf.d</c> and the standard folders.</summary>
    public static IReadOnlyList<string> SystemCopies()
    {
        var found = new List<string>();
        var folders = LibraryPath().ToList();
        foreach (string name in ConflictingNames)
            if (folders.Select(f => Path.Combine(f, name)).FirstOrDefault(File.Exists) is { } path)
                found.Add(path);
        return found;
    }

    /// <summary>The libtorch files mapped into this process that are not TorchSharp's (from <c>/proc/self/maps</c>):
    /// neither in its libtorch package nor in TorchSharp's own folder (where it copies the natives in a notebook).</summary>
    public static IReadOnlyList<string> ForeignCopiesLoaded()
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps)) return [];
        var own = new[] { FindLibTorchFolder(), TorchSharpPackageRoot() }.OfType<string>().Select(f => f.TrimEnd('/') + "/").ToList();
        return File.ReadLines(maps)
            .Select(line => line.IndexOf('/') is var slash and >= 0 ? line[slash..] : "")
            .Where(path => ConflictingNames.Any(name => Path.GetFileName(path).StartsWith(name, StringComparison.Ordinal)))
            .Where(path => !own.Any(folder => path.StartsWith(folder, StringComparison.Ordinal)))
            .Distinct()
            .ToList();
    }

    static string Explain(string error)
    {
        string firstLine = error.Split('\n')[0].Trim();
        if (firstLine.Length > 300) firstLine = firstLine[..300] + "…";
        var text = new List<string> { firstLine.TrimEnd('.') + "." };

        var loaded = RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? ForeignCopiesLoaded() : [];
        var system = RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? SystemCopies() : [];
        if (loaded.Count > 0)
            text.Add($"This kernel has already loaded another libtorch ({string.Join(", ", loaded)}), and a process cannot unload it. " +
                     "Restart the kernel and run #r \"nuget: ConvVis.Interactive\" before the first use of torch: it then loads TorchSharp's own libtorch first.");
        else if (system.Count > 0)
            text.Add($"Another libtorch is in the system library path: {string.Join(", ", system.Select(Describe))}, from another PyTorch installation " +
                     "(on Debian and Ubuntu, the python3-torch package). If a kernel restart does not help, take its folder out of LD_LIBRARY_PATH or uninstall that PyTorch.");
        return string.Join(" ", text);
    }

    /// <summary>A path, with the file a symbolic link points to (which usually names the version).</summary>
    static string Describe(string path)
    {
        try
        {
            var target = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true);
            return target is null ? path : $"{path} (-> {target.Name})";
        }
        catch (IOException)
        {
            return path;
        }
    }

    static IEnumerable<string> LibraryPath()
    {
        foreach (string folder in (Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            yield return folder;
        const string confFolder = "/etc/ld.so.conf.d";
        if (Directory.Exists(confFolder))
            foreach (string conf in Directory.EnumerateFiles(confFolder, "*.conf").Order(StringComparer.Ordinal))
                foreach (string line in File.ReadLines(conf))
                    if (line.Trim() is { Length: > 0 } folder && folder[0] == '/')
                        yield return folder;
        foreach (string folder in StandardLibraryFolders)
            yield return folder;
    }

    /// <summary>
    /// The folder with TorchSharp's libtorch: beside the TorchSharp assembly in a build output, or in the NuGet
    /// cache a notebook loads from (<c>&lt;cache&gt;/torchsharp/&lt;v&gt;/lib/&lt;tfm&gt;/TorchSharp.dll</c> and
    /// <c>&lt;cache&gt;/libtorch-cpu-linux-x64/&lt;libtorch v&gt;/runtimes/linux-x64/native</c>).
    /// </summary>
    static string? FindLibTorchFolder()
    {
        string? assemblyDir = TorchSharpFolder();
        if (assemblyDir is null) return null;
        foreach (string folder in new[] { Path.Combine(assemblyDir, "runtimes", Rid, "native"), assemblyDir })
            if (File.Exists(Path.Combine(folder, "libtorch_cpu.so"))) return folder;

        var cache = Directory.GetParent(assemblyDir)?.Parent?.Parent?.Parent;
        var package = cache is null ? null : new DirectoryInfo(Path.Combine(cache.FullName, $"libtorch-cpu-{Rid}"));
        if (package is not { Exists: true }) return null;
        var versions = package.EnumerateDirectories()
            .Where(v => File.Exists(Path.Combine(v.FullName, "runtimes", Rid, "native", "libtorch_cpu.so")))
            .ToList();
        // The version this TorchSharp was built against; only the highest one present when it cannot be read.
        var wanted = versions.FirstOrDefault(v => v.Name == LibTorchVersionOfTorchSharp())
                     ?? versions.OrderByDescending(v => Version.TryParse(v.Name, out var n) ? n : new Version()).FirstOrDefault();
        return wanted is null ? null : Path.Combine(wanted.FullName, "runtimes", Rid, "native");
    }

    static string Rid => RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";

    static string? TorchSharpFolder() => Path.GetDirectoryName(typeof(TorchSharp.torch).Assembly.Location) is { Length: > 0 } folder ? folder : null;

    /// <summary>TorchSharp's package folder in the NuGet cache (<c>&lt;cache&gt;/torchsharp/&lt;v&gt;</c>), or the
    /// folder of its assembly in a build output.</summary>
    static string? TorchSharpPackageRoot()
    {
        string? assemblyDir = TorchSharpFolder();
        var root = assemblyDir is null ? null : Directory.GetParent(assemblyDir)?.Parent;
        return root?.Parent?.Name.Equals("torchsharp", StringComparison.OrdinalIgnoreCase) == true ? root.FullName : assemblyDir;
    }

    /// <summary>TorchSharp's private constant naming its libtorch package version ("2.10.0.0" → "2.10.0"). Read as
    /// metadata: touching <c>torch</c>'s members would run its static constructor, which loads the natives.</summary>
    static string? LibTorchVersionOfTorchSharp()
    {
        var field = typeof(TorchSharp.torch).GetField("libtorchPackageVersion", BindingFlags.NonPublic | BindingFlags.Static);
        if (field?.IsLiteral != true || field.GetRawConstantValue() is not string version) return null;
        return version.EndsWith(".0", StringComparison.Ordinal) && version.Count(c => c == '.') == 3 ? version[..^2] : version;
    }

    /// <summary><c>libLibTorchSharp.so</c>: beside libtorch in a build output, else in TorchSharp's own package.</summary>
    static string? FindLibTorchSharp(string libTorchFolder)
    {
        string beside = Path.Combine(libTorchFolder, "libLibTorchSharp.so");
        if (File.Exists(beside)) return beside;
        string? packageRoot = TorchSharpPackageRoot();
        string inPackage = packageRoot is null ? "" : Path.Combine(packageRoot, "runtimes", Rid, "native", "libLibTorchSharp.so");
        return File.Exists(inPackage) ? inPackage : null;
    }
}
