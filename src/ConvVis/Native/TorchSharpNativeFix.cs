using ConvVis.Native;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace ConvVis;

/// <summary>What <see cref="TorchSharpNativeFix.Diagnose"/> found about TorchSharp's native library on this system.</summary>
/// <param name="NeedsFix">True when TorchSharp's native library asks for a libstdc++ version this system lacks.</param>
/// <param name="Explanation">Plain words: what is wrong, what will happen, and how to fix it. Empty when nothing is wrong.</param>
/// <param name="Libraries">The <c>libLibTorchSharp.so</c> files that the fix would patch.</param>
/// <param name="MissingVersions">The required libstdc++ versions this system does not provide.</param>
public sealed record TorchSharpNativeStatus(
    bool NeedsFix,
    string Explanation,
    IReadOnlyList<string> Libraries,
    IReadOnlyList<string> MissingVersions);

/// <summary>
/// Diagnoses, and on request fixes, TorchSharp's native library failing to load on systems with an older
/// libstdc++ (Debian 12, Ubuntu 22.04): TorchSharp 0.107.0 asks for <c>GLIBCXX_3.4.32</c> (GCC 13) although the
/// only symbol it takes from that version needs no relocation, so marking the requirement weak is safe.
/// </summary>
/// <remarks>
/// Diagnosis only reads files; it never loads TorchSharp's native code, because a failed load is permanent
/// for the process. <see cref="Apply"/> must therefore run before the first use of <c>torch</c>.
/// </remarks>
public static class TorchSharpNativeFix
{
    /// <summary>The environment variable that opts in to applying the fix automatically when the extension loads.</summary>
    public const string OptInVariable = "CONVVIS_FIX_TORCHSHARP";

    static readonly string[] LibStdCxxCandidates =
    [
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
        "/usr/lib64/libstdc++.so.6",
        "/usr/lib/libstdc++.so.6",
        "/lib/x86_64-linux-gnu/libstdc++.so.6",
    ];

    /// <summary>True when the opt-in environment variable is set to <c>1</c> or <c>true</c>.</summary>
    public static bool OptedIn =>
        Environment.GetEnvironmentVariable(OptInVariable) is { } v && (v == "1" || v.Equals("true", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Checks the <c>libLibTorchSharp.so</c> files that belong to the loaded TorchSharp assembly (or below
    /// <paramref name="searchRoot"/>) against the system's libstdc++.
    /// </summary>
    public static TorchSharpNativeStatus Diagnose(string? searchRoot = null, string? libStdCxxPath = null)
    {
        var none = new TorchSharpNativeStatus(false, "", [], []);
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) return none;

        string? libStdCxx = libStdCxxPath ?? LibStdCxxCandidates.FirstOrDefault(File.Exists);
        if (libStdCxx is null) return none;

        // The version names libstdc++ defines are in its string table: read it once, not once per requirement.
        string provided = Encoding.Latin1.GetString(File.ReadAllBytes(libStdCxx));
        var libraries = new List<string>();
        var missing = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string lib in FindTorchSharpLibraries(searchRoot))
        {
            var needs = ElfVersionNeeds.Read(lib)
                .Where(n => n.File == "libstdc++.so.6" && !n.IsWeak && !provided.Contains(n.Version + "\0", StringComparison.Ordinal))
                .Select(n => n.Version)
                .ToList();
            if (needs.Count == 0) continue;
            libraries.Add(lib);
            missing.UnionWith(needs);
        }
        if (libraries.Count == 0) return none;

        string newest = HighestGlibcxx(provided) ?? "an older version";
        var text = new StringBuilder()
            .Append($"TorchSharp's native library needs {string.Join(", ", missing)} from libstdc++ (GCC 13 or newer), ")
            .Append($"but this system's {libStdCxx} provides at most {newest}. ")
            .Append($"The first use of torch would fail with \"version `{missing.First()}' not found\", and that failure lasts until the kernel restarts. ")
            .Append("TorchSharp takes no relocated symbol from that version, so marking the requirement weak is safe. ")
            .Append("To fix it, run #!convvis-fix-torchsharp in a cell before using torch (or set ")
            .Append($"{OptInVariable}=1 before starting the kernel, or call ConvVis.TorchSharpNativeFix.Apply() first thing in a program). ")
            .Append($"It edits {libraries.Count} file(s) and keeps a .orig copy of each. ")
            .Append("Systems with GCC 13's libstdc++ (Ubuntu 24.04, Debian 13) need none of this.")
            .ToString();
        return new TorchSharpNativeStatus(true, text, libraries, missing.ToList());
    }

    /// <summary>
    /// Marks the missing libstdc++ version requirements weak in every library <see cref="Diagnose"/> names,
    /// keeping a <c>.orig</c> copy of each. Returns the files it changed (none when nothing needed fixing).
    /// </summary>
    public static IReadOnlyList<string> Apply(string? searchRoot = null, string? libStdCxxPath = null)
    {
        var status = Diagnose(searchRoot, libStdCxxPath);
        var changed = new List<string>();
        foreach (string lib in status.Libraries)
        {
            string backup = lib + ".orig";
            if (!File.Exists(backup)) File.Copy(lib, backup);
            bool any = false;
            foreach (string version in status.MissingVersions)
                any |= ElfVersionNeeds.MarkWeak(lib, version);
            if (any) changed.Add(lib);
        }
        return changed;
    }

    /// <summary>
    /// The TorchSharp native libraries next to the TorchSharp assembly: in a build output folder
    /// (<c>runtimes/linux-x64/native</c>) or in the NuGet package folder a notebook loads from, including the
    /// <c>lib/net8.0/cpu</c> copy TorchSharp makes there.
    /// </summary>
    static IEnumerable<string> FindTorchSharpLibraries(string? searchRoot)
    {
        var roots = new List<string>();
        if (searchRoot is not null) roots.Add(searchRoot);
        else
        {
            string? assemblyDir = Path.GetDirectoryName(typeof(TorchSharp.torch).Assembly.Location);
            if (string.IsNullOrEmpty(assemblyDir)) yield break;
            // NuGet layout: <cache>/torchsharp/<version>/lib/<tfm>/TorchSharp.dll; the natives are under <version>.
            var packageRoot = Directory.GetParent(assemblyDir)?.Parent;
            bool inPackage = packageRoot?.Parent?.Name.Equals("torchsharp", StringComparison.OrdinalIgnoreCase) == true;
            roots.Add(inPackage ? packageRoot!.FullName : assemblyDir);
        }
        foreach (string root in roots.Where(Directory.Exists))
            foreach (string lib in Directory.EnumerateFiles(root, "libLibTorchSharp.so", SearchOption.AllDirectories))
                yield return lib;
    }

    static string? HighestGlibcxx(string libStdCxxText) =>
        Regex.Matches(libStdCxxText, @"GLIBCXX_3\.4\.(\d+)\0")
            .Select(m => int.Parse(m.Groups[1].Value))
            .DefaultIfEmpty(-1)
            .Max() is var n and >= 0 ? $"GLIBCXX_3.4.{n}" : null;
}
