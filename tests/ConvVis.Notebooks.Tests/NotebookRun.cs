using System.Diagnostics;

namespace ConvVis.Notebooks.Tests;

/// <summary>
/// Runs scripts/run-notebooks.sh once for all tests, so the notebooks are executed by the same code
/// as the main job. The test command (scripts/test.sh) has already run it and says so with
/// CONVVIS_NOTEBOOKS_EXECUTED=1: then the tests only check its outputs, and nothing runs twice.
/// </summary>
public sealed class NotebookRun
{
    public NotebookRun()
    {
        if (Environment.GetEnvironmentVariable("CONVVIS_NOTEBOOKS_EXECUTED") == "1")
        {
            Summary = "the notebooks were executed by the test command (CONVVIS_NOTEBOOKS_EXECUTED=1)";
            return;
        }
        Directory.CreateDirectory(Repository.ExecutedFolder);
        string logPath = Path.Combine(Repository.ExecutedFolder, "run-notebooks.log");
        var start = new ProcessStartInfo("bash", $"-c \"exec scripts/run-notebooks.sh > '{logPath}' 2>&1\"")
        {
            WorkingDirectory = Repository.Root,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        process.WaitForExit();
        Summary = $"scripts/run-notebooks.sh exited with {process.ExitCode}; its output:\n{File.ReadAllText(logPath)}";
    }

    /// <summary>What ran, to add to failure messages.</summary>
    public string Summary { get; }

    /// <summary>The executed notebook; fails with nbconvert's log when there is none.</summary>
    public ExecutedNotebook Load(string name)
    {
        string path = Path.Combine(Repository.ExecutedFolder, name + ".ipynb");
        if (!File.Exists(path))
        {
            string log = Path.Combine(Repository.ExecutedFolder, name + ".log");
            Assert.Fail($"{name} was not executed: {path} is missing.\n"
                + (File.Exists(log) ? $"nbconvert's log ({log}):\n{Tail(File.ReadAllText(log), 60)}" : "no nbconvert log either.")
                + $"\n{Tail(Summary, 40)}");
        }
        return ExecutedNotebook.Read(path);
    }

    private static string Tail(string text, int lines) =>
        string.Join('\n', text.Split('\n').TakeLast(lines));
}
