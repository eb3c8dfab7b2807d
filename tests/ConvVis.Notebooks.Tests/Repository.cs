using System.Reflection;

namespace ConvVis.Notebooks.Tests;

/// <summary>Paths in the repository under test (its root is baked in at build time).</summary>
internal static class Repository
{
    public static string Root { get; } = typeof(Repository).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RepositoryRoot").Value!.TrimEnd('/');

    public static string NotebooksFolder => Path.Combine(Root, "notebooks");
    public static string ExecutedFolder => Path.Combine(Root, "artifacts", "notebooks");
    public static string ScreenshotsFolder => Path.Combine(Root, "artifacts", "screenshots");

    /// <summary>The demo notebooks, by name without extension.</summary>
    public static IEnumerable<string> NotebookNames => Directory.Exists(NotebooksFolder)
        ? Directory.EnumerateFiles(NotebooksFolder, "*.ipynb").Select(Path.GetFileNameWithoutExtension).Order()!
        : [];
}
