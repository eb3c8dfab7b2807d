namespace ConvVis;

/// <summary>
/// The "did you mean" of ConvVis's error messages: the valid name closest to a mistyped one (layer names, and in the
/// notebook extension variable names).
/// </summary>
public static class ClosestName
{
    /// <summary>
    /// The name in <paramref name="candidates"/> closest to <paramref name="wanted"/>: the smallest case-insensitive edit
    /// distance to the whole dotted name or to any of its trailing path segments (so <c>conv1</c> finds
    /// <c>features.conv1</c> in a nested model), ties broken by the distance to the whole name, then the shorter name.
    /// </summary>
    /// <param name="wanted">The name the user typed.</param>
    /// <param name="candidates">The valid names; at least one.</param>
    /// <returns>One of <paramref name="candidates"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="candidates"/> is empty.</exception>
    public static string Of(string wanted, IReadOnlyList<string> candidates)
    {
        ArgumentNullException.ThrowIfNull(wanted);
        ArgumentNullException.ThrowIfNull(candidates);
        if (candidates.Count == 0) throw new ArgumentException("There are no candidate names to choose from.", nameof(candidates));
        string w = wanted.ToLowerInvariant();
        return candidates
            .Select(c => (Name: c, Suffix: SegmentSuffixes(c.ToLowerInvariant()).Min(s => EditDistance(w, s)), Whole: EditDistance(w, c.ToLowerInvariant())))
            .OrderBy(c => c.Suffix).ThenBy(c => c.Whole).ThenBy(c => c.Name.Length)
            .First().Name;
    }

    /// <summary>"a.b.c" → "a.b.c", "b.c", "c".</summary>
    static IEnumerable<string> SegmentSuffixes(string name)
    {
        yield return name;
        for (int i = name.IndexOf('.'); i >= 0; i = name.IndexOf('.', i + 1))
            yield return name[(i + 1)..];
    }

    /// <summary>Levenshtein distance (insertions, deletions, substitutions each cost 1).</summary>
    static int EditDistance(string a, string b)
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
