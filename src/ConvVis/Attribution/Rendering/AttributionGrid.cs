using System.Globalization;
using System.Text;
using ConvVis.Attributions.Internal;
using ConvVis.Attributions.Rendering;
using ConvVis.Rendering;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// Attributions side by side, one row per image: input | method 1 | method 2 | ... (e.g. input | saliency |
/// guided backprop | Grad-CAM | occlusion). In HTML: the method names over the columns, a colour legend under each,
/// the target and its score under each row, and a caption where a map is zero everywhere (a blank tile would say
/// nothing). The PNG is the whole grid without text. Holds only finished pixels.
/// </summary>
public sealed class AttributionGrid : IVisual
{
    private readonly RgbImage _image;
    private readonly byte[][] _cellPngs;
    private readonly string[] _headers;
    private readonly string[] _tooltips;
    private readonly string[] _notes;
    private readonly string[] _rowCaptions;
    private readonly ColorBar[] _legends;
    private readonly int _rows;
    private readonly int _cellWidth;
    private readonly int _cellHeight;
    private readonly Lazy<byte[]> _png;

    private AttributionGrid(RgbImage image, byte[][] cellPngs, string[] headers, string[] tooltips, string[] notes,
        string[] rowCaptions, ColorBar[] legends, int rows, int cellWidth, int cellHeight)
    {
        _image = image;
        _cellPngs = cellPngs;
        _headers = headers;
        _tooltips = tooltips;
        _notes = notes;
        _rowCaptions = rowCaptions;
        _legends = legends;
        _rows = rows;
        _cellWidth = cellWidth;
        _cellHeight = cellHeight;
        _png = new Lazy<byte[]>(image.ToPng);
    }

    /// <summary>Column captions: "input", then each method's name.</summary>
    public IReadOnlyList<string> Columns => _headers;

    /// <summary>Number of rows (images).</summary>
    public int Rows => _rows;

    /// <inheritdoc/>
    public int Width => _image.Width;

    /// <inheritdoc/>
    public int Height => _image.Height;

    /// <inheritdoc/>
    public byte[] ToPng() => (byte[])_png.Value.Clone();

    /// <summary>A grid of <paramref name="input"/> [N, C, H, W] and each attribution of it (all over the same N images).</summary>
    public static AttributionGrid Of(Tensor input, params Attribution[] attributions) => Of(input, null, attributions);

    /// <summary>As <see cref="Of(Tensor, Attribution[])"/>, drawn with <paramref name="options"/>.</summary>
    public static AttributionGrid Of(Tensor input, OverlayOptions? options, params Attribution[] attributions)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(attributions);
        if (attributions.Length == 0) throw new ArgumentException("Give at least one attribution to show next to the input.", nameof(attributions));
        var o = options ?? new OverlayOptions();
        o.Validate();
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var x = input.dim() == 3 ? input.unsqueeze(0) : input;
        if (x.dim() != 4)
            throw new ArgumentException($"AttributionGrid.Of expects images [N, C, H, W] or [C, H, W]; got [{string.Join(", ", input.shape)}].", nameof(input));
        int n = (int)x.shape[0];
        for (int j = 0; j < attributions.Length; j++)
        {
            var a = attributions[j] ?? throw new ArgumentNullException(nameof(attributions), $"Attribution {j} is null.");
            var s = a.Inputs.shape;
            if (s.Length != 4 || s[0] != n || s[2] != x.shape[2] || s[3] != x.shape[3])
                throw new ArgumentException($"Attribution {j} ({a.Method}) explains inputs [{string.Join(", ", s)}], which do not match the input [{string.Join(", ", x.shape)}]: every column must explain the same images.", nameof(attributions));
        }
        var columns = new List<Tensor> { HeatmapOverlay.Plain(x) };
        columns.AddRange(attributions.Select(a => HeatmapOverlay.Overlay(a, o)));
        int k = columns.Count, h = (int)x.shape[2], w = (int)x.shape[3];
        var tiles = torch.stack(columns, 1).reshape(n * k, h, w, 3).contiguous(); // row-major: image by image
        int scale = TileCanvas.UpscaleFactor(h, w, o.MinTileSize);
        TileCanvas.CheckSize(n * k, k, (long)h * scale, (long)w * scale);
        var image = TileCanvas.Compose(tiles, scale, k, Enumerable.Repeat(TileMarks.Background, n * k).ToArray(), out _);

        var cells = new byte[n * k][];
        var tips = new string[n * k];
        var notes = new string[n * k];
        var zero = attributions.Select(a => a.Values.detach().abs().reshape(n, -1).amax([1L]).eq(0).data<bool>().ToArray()).ToArray();
        for (int i = 0; i < n * k; i++)
        {
            using var cell = tiles[i].repeat_interleave(scale, 0).repeat_interleave(scale, 1).contiguous();
            cells[i] = PngEncoding.Encode(cell.bytes.ToArray(), w * scale, h * scale);
            int row = i / k, col = i % k;
            tips[i] = col == 0 ? $"image {row}: input" : AttributionView.Tooltip(attributions[col - 1], row);
            notes[i] = col > 0 && zero[col - 1][row] ? ZeroMapCaption(attributions[col - 1]) : "";
        }
        var headers = new[] { "input" }.Concat(attributions.Select(a => a.Method)).ToArray();
        var rowCaptions = Enumerable.Range(0, n).Select(r => RowCaption(attributions[0], r)).ToArray();
        var legends = attributions.Select(a => Legend(HeatmapOverlay.IsSigned(a.Values, o.Sign), o)).ToArray();
        return new AttributionGrid(image, cells, headers, tips, notes, rowCaptions, legends, n, w * scale, h * scale);
    }

    /// <inheritdoc/>
    public string ToHtml()
    {
        int k = _headers.Length;
        const string cellStyle = "padding:2px 4px;text-align:center;vertical-align:top";
        var sb = new StringBuilder();
        sb.Append("<div class=\"convvis convvis-attribution-grid\" style=\"font:12px/1.4 system-ui,-apple-system,'Segoe UI',sans-serif;color:#222;margin:4px 0;overflow-x:auto\">");
        sb.Append("<table style=\"border-collapse:collapse\"><thead><tr>");
        foreach (var header in _headers)
            sb.Append("<th class=\"convvis-caption\" style=\"").Append(cellStyle).Append(";font-weight:600\">").Append(Html.Escape(header)).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        for (int r = 0; r < _rows; r++)
        {
            sb.Append("<tr>");
            for (int c = 0; c < k; c++)
            {
                int i = r * k + c;
                sb.Append("<td style=\"").Append(cellStyle).Append("\"><img ")
                  .Append(CultureInfo.InvariantCulture, $"width=\"{_cellWidth}\" height=\"{_cellHeight}\" ")
                  .Append("style=\"display:block;margin:0 auto;image-rendering:pixelated\" title=\"").Append(Html.Escape(_tooltips[i]))
                  .Append("\" alt=\"").Append(Html.Escape(_tooltips[i]))
                  .Append("\" src=\"data:image/png;base64,").Append(Convert.ToBase64String(_cellPngs[i])).Append("\">");
                if (_notes[i].Length > 0)
                    sb.Append(CultureInfo.InvariantCulture, $"<div class=\"convvis-zero-map\" style=\"max-width:{Math.Max(_cellWidth, 120)}px;margin:2px auto 0;color:#a15c00\">")
                      .Append(Html.Escape(_notes[i])).Append("</div>");
                sb.Append("</td>");
            }
            sb.Append("</tr><tr><td class=\"convvis-row-caption\" colspan=\"").Append(k.ToString(CultureInfo.InvariantCulture))
              .Append("\" style=\"padding:0 4px 8px;color:#555;text-align:left\">").Append(Html.Escape(_rowCaptions[r])).Append("</td></tr>");
        }
        sb.Append("</tbody><tfoot><tr><td></td>");
        foreach (var bar in _legends)
        {
            sb.Append("<td class=\"convvis-legend\" style=\"").Append(cellStyle).Append("\"><div style=\"height:8px;border:1px solid #888;margin:0 auto;max-width:")
              .Append(Math.Max(_cellWidth, 80).ToString(CultureInfo.InvariantCulture)).Append("px;background:").Append(bar.Map.CssGradient())
              .Append("\"></div><div style=\"display:flex;justify-content:space-between;gap:4px;color:#555;font-size:10px;white-space:nowrap;margin:0 auto;max-width:")
              .Append(Math.Max(_cellWidth, 80).ToString(CultureInfo.InvariantCulture)).Append("px\"><span>").Append(Html.Escape(bar.Low))
              .Append("</span><span>").Append(Html.Escape(bar.Mid)).Append("</span><span>").Append(Html.Escape(bar.High)).Append("</span></div></td>");
        }
        sb.Append("</tr></tfoot></table></div>");
        return sb.ToString();
    }

    /// <summary>"image 0 · class 3 · score 4.21": what the row explains, printed rather than left to a tooltip.</summary>
    private static string RowCaption(Attribution a, int row)
    {
        string caption = $"image {row} · {a.Target.Describe(row)}";
        if (row < a.TargetScores.Count)
            caption += string.Create(CultureInfo.InvariantCulture, $" · score {a.TargetScores[row]:G4}");
        return caption;
    }

    /// <summary>Why a tile shows the bare image: the map is zero everywhere.</summary>
    private static string ZeroMapCaption(Attribution a)
    {
        if (a.Method.StartsWith("Grad-CAM", StringComparison.Ordinal) && !a.Target.IsUnit)
            return $"{a.Method} is zero: no positive evidence for this class at that layer";
        return $"{a.Method} is zero everywhere for this image";
    }

    private static ColorBar Legend(bool signed, OverlayOptions o)
    {
        string p = o.Percentile.ToString("0.#", CultureInfo.InvariantCulture);
        return signed
            ? new ColorBar(Colormap.Diverging, $"− (p{p} of |map|)", "0", "+")
            : new ColorBar(o.UnsignedColormap, "0", "|map|", $"p{p}");
    }
}
