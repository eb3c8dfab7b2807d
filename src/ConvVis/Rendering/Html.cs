using System.Text;

namespace ConvVis;

/// <summary>HTML helpers shared by every view (also compiled into ConvVis.Interactive, a linked source).</summary>
internal static class Html
{
    /// <summary>
    /// Escapes text for use in HTML element content and in double- or single-quoted attribute values
    /// (<c>&amp; &lt; &gt; " '</c>); newlines become <c>&amp;#10;</c> so multi-line tooltips survive in <c>title</c>.
    /// A null string gives an empty string.
    /// </summary>
    public static string Escape(string? s)
    {
        if (string.IsNullOrEmpty(s)) return string.Empty;
        var sb = new StringBuilder(s.Length + 16);
        foreach (char c in s)
        {
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&#39;"); break;
                case '\n': sb.Append("&#10;"); break;
                case '\r': break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }
}
