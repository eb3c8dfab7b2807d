using System.Text;
using ConvVis.Onnx.Proto;

namespace ConvVis.Onnx;

/// <summary>
/// Derives a stable, readable module path from an ONNX node. '/' and '.' in node names are scope
/// separators (PyTorch exports write <c>/layer1/layer1.0/conv1/Conv</c>, whose path is
/// <c>layer1.0.conv1</c>); a last segment that only repeats the operator type is dropped; any other
/// character that is not a letter, digit or '_' becomes '_'. Nodes without a name are named after
/// their first output, then after their operator type and position.
/// </summary>
internal static class OnnxLayerNames
{
    public static string[] PathFor(NodeProto node, int index)
    {
        string raw = node.Name.Length > 0 ? node.Name
            : node.Outputs.Count > 0 && node.Outputs[0].Length > 0 ? node.Outputs[0]
            : $"{node.OpType}_{index}";
        var segments = raw.Split('/', StringSplitOptions.RemoveEmptyEntries).ToList();
        if (segments.Count > 1 && IsOpTypeName(segments[^1], node.OpType))
            segments.RemoveAt(segments.Count - 1);

        // "layer1" then "layer1.0", or "block" then "block.0" inside "features.1.0": a segment repeats the one
        // before it (PyTorch names each scope after its module's name in its parent's container), so only the rest is new.
        var path = new List<string>();
        string previous = "";
        foreach (string seg in segments)
        {
            if (previous.Length > 0 && seg.StartsWith(previous + ".", StringComparison.Ordinal))
                path.AddRange(seg[(previous.Length + 1)..].Split('.', StringSplitOptions.RemoveEmptyEntries));
            else
                path.AddRange(seg.Split('.', StringSplitOptions.RemoveEmptyEntries));
            previous = seg;
        }
        var clean = path.Select(Sanitize).Where(s => s.Length > 0).ToArray();
        return clean.Length > 0 ? clean : new[] { Sanitize($"{node.OpType}_{index}") };
    }

    private static bool IsOpTypeName(string segment, string opType)
    {
        if (!segment.StartsWith(opType, StringComparison.OrdinalIgnoreCase)) return false;
        string rest = segment[opType.Length..];
        return rest.Length == 0 || (rest[0] == '_' && rest.Skip(1).All(char.IsDigit) && rest.Length > 1);
    }

    public static string Sanitize(string s)
    {
        var b = new StringBuilder(s.Length);
        foreach (char c in s)
            b.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        return b.ToString();
    }
}
