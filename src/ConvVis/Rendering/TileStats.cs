namespace ConvVis;

/// <summary>Statistics of one tile (a channel of a mosaic, a filter of a filter grid, an image of an image grid).</summary>
/// <param name="Channel">Channel (or filter, or image) index in the original tensor.</param>
/// <param name="Min">Smallest finite value (NaN when the tile has no finite value).</param>
/// <param name="Max">Largest finite value (NaN when the tile has no finite value).</param>
/// <param name="Mean">Mean of the finite values (NaN when the tile has no finite value).</param>
/// <param name="FractionZero">Fraction of values exactly zero, in [0, 1].</param>
/// <param name="IsDead">Every value is exactly zero (a dead channel after ReLU, a dead filter).</param>
/// <param name="IsConstant">Every value is finite and equal (dead tiles are constant too).</param>
/// <param name="HasNonFinite">At least one value is NaN or infinite.</param>
public sealed record TileStats(int Channel, float Min, float Max, float Mean, float FractionZero, bool IsDead, bool IsConstant, bool HasNonFinite)
{
    /// <summary>A multi-line description used as the tile's tooltip; <paramref name="allZero"/> names an all-zero tile.</summary>
    public string Describe(string unit = "channel", string allZero = "DEAD")
    {
        var lines = new List<string>
        {
            $"{unit} {Channel}",
            $"min {Format(Min)}",
            $"max {Format(Max)}",
            $"mean {Format(Mean)}",
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"zero {FractionZero * 100:0.#}%"),
        };
        if (IsDead) lines.Add($"{allZero}: all values are zero");
        else if (IsConstant) lines.Add("CONSTANT: all values are equal");
        if (HasNonFinite) lines.Add("contains NaN or Inf");
        return string.Join("\n", lines);
    }

    internal static string Format(double v) => double.IsNaN(v) ? "NaN" : v.ToString("G4", System.Globalization.CultureInfo.InvariantCulture);
}
