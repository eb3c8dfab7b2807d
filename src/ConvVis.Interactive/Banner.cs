using System.Text;

namespace ConvVis.Interactive;

/// <summary>One paragraph under the banner's first line: a note, or a problem (shown in red, after its heading).</summary>
/// <param name="Text">Plain text; it is escaped.</param>
/// <param name="Heading">A short bold lead-in for a problem, e.g. "TorchSharp could not load its native library."</param>
/// <param name="IsProblem">True for something the user must act on.</param>
sealed record BannerNotice(string Text, string? Heading = null, bool IsProblem = false)
{
    public static BannerNotice Problem(string heading, string text) => new(text, heading, IsProblem: true);
}

/// <summary>The short note the extension shows when it loads: what it does, then its notices in order.</summary>
static class Banner
{
    public static string Render(IReadOnlyList<string> magics, IEnumerable<BannerNotice> notices)
    {
        var html = new StringBuilder();
        html.Append("<div class=\"convvis-banner\" style=\"font-family:sans-serif;font-size:13px\">");
        html.Append("<b>ConvVis.Interactive</b> loaded: TorchSharp modules show as layer summaries, conv weights as filter grids, ");
        html.Append("activations as mosaics and image batches as pictures. Magic commands: ");
        html.Append(string.Join(", ", magics.Select(m => $"<code>{ConvVis.Html.Escape(m)}</code>")));
        html.Append(". Plain numbers instead of pictures: <code>ConvVis.Interactive.ConvVisDisplay.TensorsAsPictures = false;</code>");
        foreach (var notice in notices.Where(n => n.Text.Length > 0))
        {
            html.Append(notice.IsProblem ? "<div class=\"convvis-problem\" style=\"color:#a00;margin-top:4px\">" : "<div style=\"margin-top:4px\">");
            if (notice.Heading is { Length: > 0 } heading) html.Append("<b>").Append(ConvVis.Html.Escape(heading)).Append("</b> ");
            html.Append(ConvVis.Html.Escape(notice.Text)).Append("</div>");
        }
        html.Append("</div>");
        return html.ToString();
    }
}
