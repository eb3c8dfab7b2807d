using System.Globalization;
using System.Text;
using ConvVis.AttributionCore;
using ConvVis.Rendering;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// Attributions side by side, one row per image: input | method 1 | method 2 | ... (e.g. input | saliency |
/// guided backprop | Grad-CAM | occlusion), with the method names as column captions in HTML.
/// The PNG is the whole grid without text. Holds only finished pixels.
/// </summary>
public sealed class AttributionGrid : IVisual
{
    private readonly RgbImage _image;
    private readonly byte[][] _cellPngs;
    private readonly string[] _headers;
    private readonly string[] _tooltips;
    private readonly int _rows;
    private readonly int _cellWidth;
    private readonly int _cellHeight;
    private readonly Lazy<byte[]> _png;

    private AttributionGrid(RgbImage image, byte[][] cellPngs, string[] headers, string[] tooltips, int rows, int cellWidth, int cellHeight)
    {
        _image = image;
        _cellPngs = cellPngs;
        _headers = headers;
        _tooltips = tooltips;
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
        for (int i = 0; i < n * k; i++)
        {
            using var cell = tiles[i].repeat_interleave(scale, 0).repeat_interleave(scale, 1).contiguous();
            cells[i] = PngEncoding.Encode(cell.bytes.ToArray(), w * scale, h * scale);
            int row = i / k, col = i % k;
            tips[i] = col == 0 ? $"image {row}: input" : AttributionView.Tooltip(attributions[col - 1], row);
        }
        var headers = new[] { "input" }.Concat(attributions.Select(a => a.Method)).ToArray();
        return new AttributionGrid(image, cells, headers, tips, n, w * scale, h * scale);
    }

    /// <inheritdoc/>
    public string ToHtml()
    {
        int k = _headers.Length;
        var sb = new StringBuilder();
        sb.Append("<div class=\"convvis convvis-attribution-grid\" style=\"font:12px/1.4 system-ui,-apple-system,'Segoe UI',sans-serif;color:#222;margin:4px 0;overflow-x:auto\">");
        sb.Append("<table style=\"border-collapse:collapse\"><thead><tr>");
        foreach (var header in _headers)
            sb.Append("<th class=\"convvis-caption\" style=\"padding:2px 4px;font-weight:600;text-align:center\">").Append(Html.Escape(header)).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        for (int r = 0; r < _rows; r++)
        {
            sb.Append("<tr>");
            for (int c = 0; c < k; c++)
            {
                int i = r * k + c;
                sb.Append("<td style=\"padding:2px\"><img ")
                  .Append(CultureInfo.InvariantCulture, $"width=\"{_cellWidth}\" height=\"{_cellHeight}\" ")
                  .Append("style=\"display:block;image-rendering:pixelated\" title=\"").Append(Html.Escape(_tooltips[i]))
                  .Append("\" alt=\"").Append(Html.Escape(_tooltips[i]))
                  .Append("\" src=\"data:image/png;base64,").Append(Convert.ToBase64String(_cellPngs[i])).Append("\"></td>");
            }
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table></div>");
        return sb.ToString();
    }
}
