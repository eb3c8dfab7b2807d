using System.Diagnostics;
using System.Reflection;

namespace ConvVis.Package.Tests;

/// <summary>
/// The local folder feed with ConvVis and ConvVis.Interactive packed from this checkout. The test command
/// (scripts/test.sh) packs once and passes the folder in CONVVIS_PACKAGES_DIR; run alone, the tests pack
/// with scripts/pack.sh themselves (which also drops that version from the NuGet cache, so the kernel
/// restores the fresh build and not an older one of the same version).
/// </summary>
internal static class PackageFeed
{
    public static string RepositoryRoot { get; } = Metadata("RepositoryRoot").TrimEnd('/');
    public static string Version { get; } = Metadata("ConvVisVersion");

    public static string Ensure()
    {
        string? given = Environment.GetEnvironmentVariable("CONVVIS_PACKAGES_DIR");
        if (!string.IsNullOrEmpty(given))
        {
            RequirePackages(given, "CONVVIS_PACKAGES_DIR");
            return Path.GetFullPath(given);
        }
        string feed = Path.Combine(RepositoryRoot, "artifacts", "packages");
        var start = new ProcessStartInfo("bash", ["scripts/pack.sh", feed])
        {
            WorkingDirectory = RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var pack = Process.Start(start)!;
        var stdout = pack.StandardOutput.ReadToEndAsync();
        var stderr = pack.StandardError.ReadToEndAsync();
        pack.WaitForExit();
        if (pack.ExitCode != 0)
            throw new InvalidOperationException($"scripts/pack.sh failed (exit {pack.ExitCode}):\n{stdout.Result}\n{stderr.Result}");
        RequirePackages(feed, "scripts/pack.sh");
        return feed;
    }

    private static void RequirePackages(string feed, string source)
    {
        foreach (string id in new[] { "ConvVis", "ConvVis.Interactive" })
        {
            string nupkg = Path.Combine(feed, $"{id}.{Version}.nupkg");
            if (!File.Exists(nupkg))
                throw new InvalidOperationException($"{nupkg} is missing (feed from {source}); run scripts/pack.sh");
        }
    }

    private static string Metadata(string key) => typeof(PackageFeed).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
