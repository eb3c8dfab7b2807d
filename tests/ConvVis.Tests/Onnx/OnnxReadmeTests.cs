using System.Text;

namespace ConvVis.Tests.Onnx;

/// <summary>The README's operator list is the importer's table (OnnxModel.SupportedOperators), not a second hand-kept list.</summary>
public class OnnxReadmeTests
{
    private const string Begin = "<!-- onnx-operators:begin (generated from OnnxModel.SupportedOperators; a test checks it) -->";
    private const string End = "<!-- onnx-operators:end -->";

    /// <summary>The README block for the current table: the layers as a table, the computed operators as wrapped text.</summary>
    internal static string Generate()
    {
        var b = new StringBuilder();
        b.Append("| ONNX operator | becomes the layer |\n| --- | --- |\n");
        foreach (var op in OnnxModel.SupportedOperators.Where(o => o.Becomes != "computed"))
            b.Append($"| {op.Operator} | {op.Becomes} |\n");
        b.Append('\n');
        var line = new StringBuilder("Computed in `forward`:");
        var computed = OnnxModel.SupportedOperators.Where(o => o.Becomes == "computed").Select(o => o.Operator).ToList();
        for (int i = 0; i < computed.Count; i++)
        {
            string word = " " + computed[i] + (i < computed.Count - 1 ? "," : ".");
            if (line.Length + word.Length > 118)
            {
                b.Append(line).Append('\n');
                line.Clear().Append(word.TrimStart());
            }
            else line.Append(word);
        }
        b.Append(line).Append('\n');
        return b.ToString();
    }

    private static string ReadmePath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "README.md")) && File.Exists(Path.Combine(dir.FullName, "ConvVis.Interactive.sln")))
                return Path.Combine(dir.FullName, "README.md");
        throw new FileNotFoundException("README.md of the repository not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void TheReadmeListsExactlyTheSupportedOperators()
    {
        string readme = File.ReadAllText(ReadmePath()).Replace("\r\n", "\n");
        int begin = readme.IndexOf(Begin, StringComparison.Ordinal), end = readme.IndexOf(End, StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, "README.md has no ONNX operator block between the markers");
        string actual = readme[(begin + Begin.Length + 1)..end];
        string expected = Generate();
        Assert.True(expected == actual, $"README.md's ONNX operator list is out of date; replace the lines between the markers with:\n{expected}");
    }

    [Fact]
    public void TheUnsupportedOperatorErrorListsTheSameTable()
    {
        var g = new OnnxTestGraph(13).Input("x", 1, 4).Node("Einsum", new[] { "x" }, new[] { "y" }, "e").Output("y");
        var e = Assert.Throws<NotSupportedException>(() => OnnxModel.Load(new MemoryStream(g.ToBytes()), "m.onnx"));
        Assert.Contains("Supported: " + string.Join(", ", OnnxModel.SupportedOperators.Select(o => o.Operator)), e.Message);
        Assert.Equal(OnnxModel.SupportedOperators.Count, OnnxModel.SupportedOperators.Select(o => o.Operator).Distinct().Count());
    }
}
