using System.Text.Json;
using System.Text.RegularExpressions;

namespace ConvVis.Notebooks.Tests;

/// <summary>The parts of an executed .ipynb that the tests check.</summary>
public sealed partial class ExecutedNotebook
{
    private ExecutedNotebook(string path, IReadOnlyList<Cell> codeCells)
    {
        Path = path;
        CodeCells = codeCells;
    }

    public string Path { get; }
    public IReadOnlyList<Cell> CodeCells { get; }

    /// <summary>One code cell: where it is, its first line, its outputs.</summary>
    public sealed record Cell(int Number, string FirstLine, int? ExecutionCount, IReadOnlyList<JsonElement> Outputs);

    public static ExecutedNotebook Read(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var cells = new List<Cell>();
        int number = 0;
        foreach (var cell in document.RootElement.GetProperty("cells").EnumerateArray())
        {
            number++;
            if (cell.GetProperty("cell_type").GetString() != "code") continue;
            string firstLine = Text(cell.GetProperty("source")).Split('\n')
                .Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "(empty cell)";
            int? count = cell.TryGetProperty("execution_count", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetInt32() : null;
            var outputs = cell.TryGetProperty("outputs", out var o) ? o.EnumerateArray().Select(e => e.Clone()).ToList() : [];
            cells.Add(new Cell(number, firstLine, count, outputs));
        }
        return new ExecutedNotebook(path, cells);
    }

    /// <summary>
    /// Every error output, as "cell N (first line): ename: evalue" plus the traceback and the cell's stderr
    /// (where the kernel writes compilation diagnostics).
    /// </summary>
    public IEnumerable<string> Errors() =>
        from cell in CodeCells
        let stderr = string.Concat(cell.Outputs
            .Where(o => o.GetProperty("output_type").GetString() == "stream" && Get(o, "name") == "stderr")
            .Select(o => Text(o.GetProperty("text")))).Trim()
        from output in cell.Outputs
        where output.GetProperty("output_type").GetString() == "error"
        select $"cell {cell.Number} ({cell.FirstLine}): {Get(output, "ename")}: {Get(output, "evalue")}"
             + string.Concat(output.TryGetProperty("traceback", out var tb)
                 ? tb.EnumerateArray().Select(l => "\n    " + l.GetString()) : [])
             + (stderr.Length > 0 ? "\n    stderr: " + stderr.Replace("\n", "\n    stderr: ") : "");

    /// <summary>Everything the cells printed (stdout and stderr streams), as "cell N: line" per line.</summary>
    public IEnumerable<string> PrintedLines() =>
        from cell in CodeCells
        from output in cell.Outputs
        where output.GetProperty("output_type").GetString() == "stream"
        from line in Text(output.GetProperty("text")).Split('\n')
        where line.Trim().Length > 0
        select $"cell {cell.Number}: {line}";

    /// <summary>
    /// Every line of text the cells showed: printed streams and the text/plain of displayed values (what
    /// <c>display("...")</c> and <c>Console.WriteLine</c> show), trimmed, with the cell's number.
    /// </summary>
    public IEnumerable<(int Cell, string Line)> TextLines() =>
        from cell in CodeCells
        from output in cell.Outputs
        from line in ShownText(output).Split('\n')
        where line.Trim().Length > 0
        select (cell.Number, line.Trim());

    private static string ShownText(JsonElement output) =>
        output.GetProperty("output_type").GetString() == "stream" ? Text(output.GetProperty("text"))
        : output.TryGetProperty("data", out var data) && data.TryGetProperty("text/plain", out var plain) ? Text(plain)
        : "";

    /// <summary>Every PNG shown: image/png outputs and data: URIs inside text/html outputs.</summary>
    public IEnumerable<(int Cell, byte[] Png)> Pngs()
    {
        foreach (var cell in CodeCells)
        foreach (var output in cell.Outputs)
        {
            if (!output.TryGetProperty("data", out var data)) continue;
            if (data.TryGetProperty("image/png", out var png))
                yield return (cell.Number, Convert.FromBase64String(Regex.Replace(Text(png), @"\s", "")));
            if (data.TryGetProperty("text/html", out var html))
                foreach (Match m in PngDataUri().Matches(Text(html)))
                    yield return (cell.Number, Convert.FromBase64String(m.Groups[1].Value));
        }
    }

    /// <summary>
    /// The ids of the divs that the outputs draw plotly charts into (Plotly.newPlot / Plotly.react with a
    /// quoted id, as XPlot writes them; the plotly.js bundle itself has no such call).
    /// </summary>
    public IReadOnlySet<string> ChartIds() =>
        CodeCells.SelectMany(c => c.Outputs)
            .Where(o => o.TryGetProperty("data", out var d) && d.TryGetProperty("text/html", out _))
            .SelectMany(o => PlotlyCall().Matches(Text(o.GetProperty("data").GetProperty("text/html"))))
            .Select(m => m.Groups[2].Value)
            .ToHashSet();

    /// <summary>Everything a cell printed or showed, as text: streams, and the text/plain and text/html of its outputs.</summary>
    public static string OutputText(Cell cell) => string.Join("\n", cell.Outputs.SelectMany(o =>
        o.TryGetProperty("data", out var data)
            ? new[] { "text/plain", "text/html" }.Where(m => data.TryGetProperty(m, out _)).Select(m => Text(data.GetProperty(m)))
            : o.TryGetProperty("text", out var text) ? [Text(text)] : []));

    private static string Get(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetString() ?? "" : "";

    private static string Text(JsonElement value) => value.ValueKind == JsonValueKind.Array
        ? string.Concat(value.EnumerateArray().Select(x => x.GetString()))
        : value.GetString() ?? "";

    [GeneratedRegex(@"data:image/png;base64,([A-Za-z0-9+/=]+)")]
    private static partial Regex PngDataUri();

    [GeneratedRegex(@"Plotly\.(newPlot|react)\s*\(\s*['""]([^'""]+)['""]")]
    private static partial Regex PlotlyCall();
}
