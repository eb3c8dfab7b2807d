using System.Net;

namespace ConvVis.Health;

/// <summary>HTML helpers for the health reports.</summary>
internal static class HealthHtml
{
    /// <summary>Escapes user data (layer names) for HTML text and attribute values.</summary>
    public static string Escape(string? text) => WebUtility.HtmlEncode(text ?? "");
}
