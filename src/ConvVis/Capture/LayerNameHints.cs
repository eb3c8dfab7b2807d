using System.Text;
using static TorchSharp.torch.nn;

namespace ConvVis.Capture;

/// <summary>Builds "no such layer" messages: the closest valid name by edit distance and a readable list of valid names.</summary>
internal static class LayerNameHints
{
    /// <summary>How many valid names a message lists before it says "and N more".</summary>
    internal const int MaxListed = 40;

    /// <summary>A message: <paramref name="problem"/>, the closest valid name, and the valid names (truncated for big nets).</summary>
    internal static string NoSuchLayer(string wanted, IReadOnlyList<(string Name, Module Module)> valid, string problem)
        => NoSuchName(wanted, valid.Select(v => v.Name).Where(n => n.Length > 0).ToList(), problem);

    /// <summary>Same as <see cref="NoSuchLayer"/> for plain names.</summary>
    internal static string NoSuchName(string wanted, IReadOnlyList<string> valid, string problem)
    {
        var sb = new StringBuilder(problem);
        if (valid.Count == 0)
        {
            sb.Append(" The model has no named submodules.");
            return sb.ToString();
        }
        var closest = ClosestName.Of(wanted, valid);
        sb.Append($" Closest valid name: '{closest}'.");
        sb.Append($" Valid names ({valid.Count}): ");
        sb.Append(string.Join(", ", valid.Take(MaxListed)));
        if (valid.Count > MaxListed)
            sb.Append($", ... and {valid.Count - MaxListed} more (ModelLayers.All(model) lists them all)");
        sb.Append('.');
        return sb.ToString();
    }
}
