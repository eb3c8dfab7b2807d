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
        var closest = Closest(wanted, valid);
        sb.Append($" Closest valid name: '{closest}'.");
        sb.Append($" Valid names ({valid.Count}): ");
        sb.Append(string.Join(", ", valid.Take(MaxListed)));
        if (valid.Count > MaxListed)
            sb.Append($", ... and {valid.Count - MaxListed} more (ModelLayers.All(model) lists them all)");
        sb.Append('.');
        return sb.ToString();
    }

    /// <summary>The name in <paramref name="candidates"/> with the smallest case-insensitive edit distance to <paramref name="wanted"/>.</summary>
    internal static string Closest(string wanted, IReadOnlyList<string> candidates)
    {
        string best = candidates[0];
        int bestDistance = int.MaxValue;
        foreach (var c in candidates)
        {
            int d = EditDistance(wanted.ToLowerInvariant(), c.ToLowerInvariant());
            if (d < bestDistance) { best = c; bestDistance = d; }
        }
        return best;
    }

    /// <summary>Levenshtein distance (insertions, deletions, substitutions each cost 1).</summary>
    internal static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
