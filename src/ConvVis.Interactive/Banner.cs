using System.Text;

namespace ConvVis.Interactive;

/// <summary>The short note the extension shows when it loads.</summary>
static class Banner
{
    public static string Render(IReadOnlyList<string> magics, string notes, TorchSharpNativeStatus? status)
    {
        var html = new StringBuilder();
        html.Append("<div class=\"convvis-banner\" style=\"font-family:sans-serif;font-size:13px\">");
        html.Append("<b>ConvVis.Interactive</b> loaded: TorchSharp modules show as layer summaries, conv weights as filter grids, ");
        html.Append("activations as mosaics and image batches as pictures. Magic commands: ");
        html.Append(string.Join(", ", magics.Select(m => $"<code>{ConvVis.Html.Escape(m)}</code>")));
        html.Append(". Plain numbers instead of pictures: <code>ConvVis.Interactive.ConvVisDisplay.TensorsAsPictures = false;</code>");
        if (notes.Length > 0) html.Append("<br/>").Append(ConvVis.Html.Escape(notes));
        if (status is { NeedsFix: true })
            html.Append("<div style=\"color:#a00;margin-top:4px\"><b>TorchSharp will not load on this system yet.</b> ")
                .Append(ConvVis.Html.Escape(status.Explanation)).Append("</div>");
        html.Append("</div>");
        return html.ToString();
    }
}
