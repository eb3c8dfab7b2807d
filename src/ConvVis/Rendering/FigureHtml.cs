using System.Globalization;
using System.Text;
using System.Threading;

namespace ConvVis.Rendering;

/// <summary>A colour bar: the map's gradient with labels at the bottom, middle and top.</summary>
internal sealed record ColorBar(Colormap Map, string Low, string Mid, string High);

/// <summary>
/// Writes the HTML of a picture view: title, caption lines, the PNG as a data URI with one transparent, absolutely
/// positioned <c>div title="..."</c> per tile (tooltips, in percentages so they follow any displayed size), a CSS-only
/// click-to-enlarge (a hidden checkbox and its label), a colour bar and a legend of frame colours. No script.
/// Every piece of text is escaped here.
/// </summary>
internal static class FigureHtml
{
    private static long _counter;
    private static readonly string InstancePrefix = "cv" + Environment.ProcessId.ToString("x", CultureInfo.InvariantCulture) + Random.Shared.Next(0x10000).ToString("x4", CultureInfo.InvariantCulture);

    private const string Style =
        ".convvis-zoom{display:none}" +
        ".convvis-zoom+label{cursor:zoom-in;display:inline-block;max-width:100%}" +
        ".convvis-zoom:checked+label{cursor:zoom-out}" +
        ".convvis-zoom:checked+label .convvis-frame{width:calc(2*var(--convvis-w))!important;max-width:none!important}" +
        ".convvis-tile:hover{outline:2px solid #000;outline-offset:-1px}" +
        // Indices in the tile's top-left corner, small and translucent so the picture stays readable.
        ".convvis-index{position:absolute;left:2px;top:2px;font:10px/1.1 ui-monospace,monospace;color:#fff;" +
        "background:rgba(0,0,0,.55);padding:0 2px;border-radius:2px;pointer-events:none}";

    public static string Build(string? title, IEnumerable<string> captions, RgbImage image, byte[] png, string altText,
        IReadOnlyList<TileRegion> tiles, ColorBar? bar, IEnumerable<(string Css, string Text)> legend)
    {
        string id = InstancePrefix + "-" + Interlocked.Increment(ref _counter).ToString(CultureInfo.InvariantCulture);
        var sb = new StringBuilder(png.Length * 4 / 3 + 200 * tiles.Count + 2048);
        sb.Append("<div class=\"convvis\" style=\"font:12px/1.4 system-ui,-apple-system,'Segoe UI',sans-serif;color:#222;margin:4px 0\">");
        sb.Append("<style>").Append(Style).Append("</style>");
        if (!string.IsNullOrEmpty(title))
            sb.Append("<div class=\"convvis-title\" style=\"font-weight:600;font-size:13px\">").Append(Html.Escape(title)).Append("</div>");
        foreach (var c in captions)
            sb.Append("<div class=\"convvis-caption\" style=\"color:#555\">").Append(Html.Escape(c)).Append("</div>");

        sb.Append("<input type=\"checkbox\" class=\"convvis-zoom\" id=\"").Append(id).Append("\">");
        sb.Append("<label for=\"").Append(id).Append("\" title=\"click to enlarge or shrink\">");
        sb.Append(CultureInfo.InvariantCulture, $"<div class=\"convvis-frame\" style=\"--convvis-w:{image.Width}px;position:relative;width:{image.Width}px;max-width:100%\">");
        sb.Append(CultureInfo.InvariantCulture, $"<img class=\"convvis-image\" width=\"{image.Width}\" height=\"{image.Height}\" alt=\"{Html.Escape(altText)}\" style=\"display:block;width:100%;height:auto;image-rendering:pixelated\" src=\"data:image/png;base64,");
        AppendBase64(sb, png);
        sb.Append("\">");
        foreach (var t in tiles)
        {
            sb.Append("<div class=\"convvis-tile\" style=\"position:absolute;left:").Append(Percent(t.X, image.Width))
              .Append("%;top:").Append(Percent(t.Y, image.Height))
              .Append("%;width:").Append(Percent(t.Width, image.Width))
              .Append("%;height:").Append(Percent(t.Height, image.Height))
              .Append("%\" title=\"").Append(Html.Escape(t.Tooltip)).Append("\">");
            if (t.Label is not null)
                sb.Append("<span class=\"convvis-index\">").Append(Html.Escape(t.Label)).Append("</span>");
            sb.Append("</div>");
        }
        sb.Append("</div></label>");

        if (bar is not null)
        {
            sb.Append("<div class=\"convvis-colorbar\" style=\"width:240px;margin-top:4px\">");
            sb.Append("<div style=\"height:10px;border:1px solid #888;background:").Append(bar.Map.CssGradient()).Append("\" title=\"")
              .Append(Html.Escape($"colormap {bar.Map.Name}; NaN shows magenta")).Append("\"></div>");
            sb.Append("<div style=\"display:flex;justify-content:space-between;color:#555\"><span>").Append(Html.Escape(bar.Low))
              .Append("</span><span>").Append(Html.Escape(bar.Mid)).Append("</span><span>").Append(Html.Escape(bar.High)).Append("</span></div>");
            sb.Append("</div>");
        }
        foreach (var (css, text) in legend)
        {
            sb.Append("<div class=\"convvis-legend\" style=\"color:#555\"><span style=\"display:inline-block;width:10px;height:10px;border:2px solid ")
              .Append(css).Append(";margin-right:4px;vertical-align:middle\"></span>").Append(Html.Escape(text)).Append("</div>");
        }
        sb.Append("</div>");
        return sb.ToString();
    }

    /// <summary>Base64 straight into the builder through a pooled buffer (no extra megabyte-sized string per view).</summary>
    private static void AppendBase64(StringBuilder sb, byte[] data)
    {
        const int chunk = 48 * 1024;    // a multiple of 3 bytes, so chunks concatenate into one valid base64 text
        char[] buffer = System.Buffers.ArrayPool<char>.Shared.Rent(chunk / 3 * 4);
        try
        {
            for (int offset = 0; offset < data.Length; offset += chunk)
            {
                var part = data.AsSpan(offset, Math.Min(chunk, data.Length - offset));
                Convert.TryToBase64Chars(part, buffer, out int written);
                sb.Append(buffer, 0, written);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<char>.Shared.Return(buffer);
        }
    }

    private static string Percent(int part, int whole) => (100.0 * part / whole).ToString("0.####", CultureInfo.InvariantCulture);
}
