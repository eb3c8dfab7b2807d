using System.Diagnostics;
using System.Text;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Formatting;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.Connection;
using Microsoft.DotNet.Interactive.Events;

namespace ConvVis.Notebooks.Tests;

/// <summary>
/// Runs the Polyglot Notebooks version of notebook 01 (<c>notebooks/*.dib</c>) the way VS Code's Polyglot Notebooks
/// does: a <c>dotnet-interactive stdio</c> process, one <c>SubmitCode</c> command per C# cell as a JSON line on its
/// standard input, the kernel events back as JSON lines on its standard output. Keeps every cell's events.
/// </summary>
public sealed class PolyglotRun
{
    public const string Notebook = "01-filters-and-activations";
    private static readonly TimeSpan CellTimeout = TimeSpan.FromMinutes(10);

    public PolyglotRun()
    {
        var cells = DibCells(File.ReadAllText(Path.Combine(Repository.NotebooksFolder, Notebook + ".dib")))
            .Where(c => c.Kernel == "csharp").Select(c => c.Code).ToList();
        var start = new ProcessStartInfo("dotnet", "tool run dotnet-interactive -- stdio --default-kernel csharp")
        {
            // The kernel runs in the notebook's folder, as VS Code starts it: notebooks/NuGet.config finds the packages.
            WorkingDirectory = Repository.NotebooksFolder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        start.Environment["CONVVIS_FIX_TORCHSHARP"] = "1";
        start.Environment["DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start)!;
        var stderr = new StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        try
        {
            foreach (var code in cells)
                Cells.Add(new PolyglotCell(code, Submit(process, code)));
        }
        catch (Exception e)
        {
            lock (stderr) Failure = $"{e.Message}\nkernel stderr:\n{stderr}";
        }
        finally
        {
            try { process.StandardInput.Close(); if (!process.WaitForExit(10_000)) process.Kill(entireProcessTree: true); }
            catch (InvalidOperationException) { }
        }
    }

    /// <summary>The C# cells in order, each with the events its command produced.</summary>
    public List<PolyglotCell> Cells { get; } = [];

    /// <summary>Why the run stopped early, or null.</summary>
    public string? Failure { get; }

    private static List<KernelEvent> Submit(Process process, string code)
    {
        var command = new SubmitCode(code, "csharp");
        string token = command.GetOrCreateToken();
        process.StandardInput.WriteLine(KernelCommandEnvelope.Serialize(KernelCommandEnvelope.Create(command)));
        process.StandardInput.Flush();
        var events = new List<KernelEvent>();
        var deadline = DateTime.UtcNow + CellTimeout;
        while (DateTime.UtcNow < deadline)
        {
            var read = process.StandardOutput.ReadLineAsync();
            if (!read.Wait(deadline - DateTime.UtcNow)) break;
            string? line = read.Result ?? throw new InvalidOperationException($"the kernel exited during the cell:\n{code}");
            if (!line.TrimStart().StartsWith('{')) continue;
            KernelEvent e;
            try { e = KernelEventEnvelope.Deserialize(line).Event; }
            catch (Exception) { continue; } // an event type this client does not know
            string eventToken = e.Command?.GetOrCreateToken() ?? "";
            if (eventToken != token && !eventToken.StartsWith(token + ".", StringComparison.Ordinal)) continue;
            events.Add(e);
            if (eventToken == token && e is CommandSucceeded or CommandFailed) return events;
        }
        throw new TimeoutException($"no answer within {CellTimeout} to the cell:\n{code}");
    }

    /// <summary>The cells of a .dib file: a line <c>#!csharp</c>, <c>#!markdown</c> or <c>#!meta</c> starts each.</summary>
    public static List<(string Kernel, string Code)> DibCells(string dib)
    {
        var cells = new List<(string, string)>();
        string? kernel = null;
        var body = new StringBuilder();
        foreach (var line in dib.Split('\n'))
        {
            if (line is "#!csharp" or "#!markdown" or "#!meta")
            {
                if (kernel is not null) cells.Add((kernel, body.ToString().Trim('\n')));
                kernel = line[2..];
                body.Clear();
                continue;
            }
            body.Append(line).Append('\n');
        }
        if (kernel is not null) cells.Add((kernel, body.ToString().Trim('\n')));
        return cells;
    }
}

/// <summary>One C# cell of the .dib and what the kernel answered.</summary>
public sealed record PolyglotCell(string Code, IReadOnlyList<KernelEvent> Events)
{
    public string FirstLine => Code.Split('\n').FirstOrDefault(l => l.Trim().Length > 0)?.Trim() ?? "(empty)";

    public string? Error => Events.OfType<CommandFailed>().FirstOrDefault()?.Message;

    /// <summary>Every formatted value the cell displayed or returned, by MIME type.</summary>
    public IEnumerable<FormattedValue> Values => Events.OfType<DisplayEvent>().SelectMany(e => e.FormattedValues);

    /// <summary>What the cell printed to standard output and error.</summary>
    public IEnumerable<string> Printed => Events.OfType<StandardOutputValueProduced>().Concat<DisplayEvent>(Events.OfType<StandardErrorValueProduced>())
        .SelectMany(e => e.FormattedValues).Select(v => v.Value);
}
