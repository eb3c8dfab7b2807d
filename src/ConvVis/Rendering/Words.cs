using System.Globalization;

namespace ConvVis.Rendering;

/// <summary>Plain English for numbers in captions and reports: "1 dead channel", "3 dead channels".</summary>
internal static class Words
{
    /// <summary><paramref name="n"/> and the noun, singular for exactly one (<paramref name="plural"/> defaults to noun + "s").</summary>
    public static string Count(long n, string singular, string? plural = null)
        => n.ToString("N0", CultureInfo.InvariantCulture) + " " + (n == 1 ? singular : plural ?? singular + "s");
}
