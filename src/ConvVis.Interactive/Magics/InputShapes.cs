using System.Globalization;
using System.Text.RegularExpressions;

namespace ConvVis.Interactive.Magics;

/// <summary>Reads the <c>--input-shape</c> option of the magic commands.</summary>
internal static class InputShapes
{
    /// <summary>The two forms the help shows: sizes separated by commas, optionally in square brackets (spaces allowed).</summary>
    static readonly Regex ShapeForm = new(@"^\s*(\[\s*(?<list>[^\[\]]*?)\s*\]|(?<list>[^\[\]]*?))\s*$", RegexOptions.CultureInvariant);

    /// <summary>The shape in <paramref name="text"/>; null when no shape was given.</summary>
    /// <exception cref="ArgumentException">The text is not a list of positive sizes; the message, led by <paramref name="magic"/>, shows the forms.</exception>
    internal static long[]? Parse(string? text, string magic)
    {
        if (text is null) return null;
        const string Forms = "Give positive sizes separated by commas, e.g. --input-shape 1,3,224,224 or --input-shape [1,3,224,224] (batch, channels, height, width).";
        var match = ShapeForm.Match(text);
        var parts = match.Success ? match.Groups["list"].Value.Split(',', StringSplitOptions.TrimEntries) : [];
        if (parts is [""]) throw new ArgumentException($"{magic}: --input-shape is empty. {Forms}");
        var shape = new long[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!long.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out shape[i]) || shape[i] <= 0)
                throw new ArgumentException($"{magic}: --input-shape '{text}' is not a shape. {Forms}");
        }
        if (shape.Length == 0) throw new ArgumentException($"{magic}: --input-shape '{text}' is not a shape. {Forms}");
        return shape;
    }
}
