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

    /// <summary>
    /// The name in <paramref name="candidates"/> closest to <paramref name="wanted"/>: the smallest case-insensitive edit
    /// distance to the whole dotted name or to any of its trailing path segments (so <c>conv1</c> finds
    /// <c>features.conv1</c> in a nested model), ties broken by the distance to the whole name, then the shorter name.
    /// </summary>
    internal static string Closest(string wanted, IReadOnlyList<string> candidates)
    {
        string w = wanted.ToLowerInvariant();
        return candidates
            .Select(c => (Name: c, Suffix: SegmentSuffixes(c.ToLowerInvariant()).Min(s => EditDistance(w, s)), Whole: EditDistance(w, c.ToLowerInvariant())))
            .OrderBy(c => c.Suffix).ThenBy(c => c.Whole).ThenBy(c => c.Name.Length)
            .First().Name;
    }

    /// <summary>"a.b.c" → "a.b.c", "b.c", "c".</summary>
    private static IEnumerable<string> SegmentSuffixes(string name)
    {
        yield return name;
        for (int i = name.IndexOf('.'); i >= 0; i = name.IndexOf('.', i + 1))
            yield return name[(i + 1)..];
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
