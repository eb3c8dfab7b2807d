using System.Globalization;
using System.Text;
using ConvVis.Rendering;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// HTML for plain tensors: a compact header (shape, dtype, device, min/max/mean, % zeros) and, for 3-D/4-D float
/// tensors, a picture: image batches (<c>[N, 3, H, W]</c>, <c>[3, H, W]</c>, and <c>[N, 1, H, W]</c> with N &gt; 1) as an
/// <see cref="ImageGrid"/>, other 3-D/4-D float tensors as a <see cref="Mosaic"/>. Never throws.
/// CUDA tensors are copied to the CPU, tensors that require grad are detached; the tensor itself is never changed.
/// </summary>
public static class TensorView
{
    /// <summary>The note shown for a disposed tensor.</summary>
    public const string DisposedNote = "This tensor has been disposed, so there is nothing to show.";

    /// <summary>True for a live, non-empty, floating-point tensor with 3 or 4 dimensions: one that <see cref="ToHtml"/> draws.</summary>
    public static bool IsPicturable(Tensor t)
    {
        try
        {
            return t is not null && !t.IsInvalid && t.is_floating_point() && t.dim() is 3 or 4 && t.numel() > 0;
        }
        catch (Exception)
        {
            return false;
        }
    }

    /// <summary>True when <see cref="ToHtml"/> would show <paramref name="t"/> as pictures rather than a mosaic.</summary>
    public static bool IsImageBatch(Tensor t) =>
        IsPicturable(t) && (t.dim() == 3 ? t.shape[0] == 3 : t.shape[1] == 3 || (t.shape[1] == 1 && t.shape[0] > 1));

    /// <summary>
    /// One line of HTML: shape, dtype, device, min/max/mean over finite values, % zeros, counts of NaN/Inf,
    /// and "requires_grad" when set. A disposed tensor gives <see cref="DisposedNote"/>. Never throws.
    /// </summary>
    public static string HeaderHtml(Tensor t)
    {
        try
        {
            if (t is null) return Note("null tensor");
            if (t.IsInvalid) return Note(DisposedNote);
            return "<div class=\"convvis-tensor-header\" style=\"font:12px ui-monospace,Menlo,Consolas,monospace;color:#333;margin:2px 0\">" +
                   Html.Escape(HeaderText(t)) + "</div>";
        }
        catch (Exception e)
        {
            return Note("Could not summarise this tensor: " + e.Message);
        }
    }

    /// <summary>The plain-text content of <see cref="HeaderHtml"/>.</summary>
    internal static string HeaderText(Tensor t)
    {
        var sb = new StringBuilder();
        sb.Append("Tensor ").Append(TensorInput.Shape(t)).Append(' ').Append(t.dtype).Append(' ').Append(t.device);
        if (t.requires_grad) sb.Append(" requires_grad");
        long n = t.numel();
        if (n == 0) return sb.Append(" (empty)").ToString();
        if (t.is_complex()) return sb.ToString();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = t.detach();
        if (x.device_type != TorchSharp.DeviceType.CPU) x = x.cpu();
        x = x.to(ScalarType.Float64).reshape(-1);
        var finite = x.isfinite();
        long finiteCount = finite.sum().item<long>();
        long nan = x.isnan().sum().item<long>();
        long inf = n - finiteCount - nan;
        long zeros = x.eq(0).sum().item<long>();
        if (finiteCount > 0)
        {
            var notFinite = finite.logical_not();
            double min = x.masked_fill(notFinite, double.PositiveInfinity).min().item<double>();
            double max = x.masked_fill(notFinite, double.NegativeInfinity).max().item<double>();
            double mean = x.masked_fill(notFinite, 0.0).sum().item<double>() / finiteCount;
            sb.Append(CultureInfo.InvariantCulture, $" · min {TileStats.Format(min)} · max {TileStats.Format(max)} · mean {TileStats.Format(mean)}");
        }
        sb.Append(CultureInfo.InvariantCulture, $" · zeros {100.0 * zeros / n:0.#}%");
        if (nan > 0) sb.Append(CultureInfo.InvariantCulture, $" · NaN {nan}");
        if (inf > 0) sb.Append(CultureInfo.InvariantCulture, $" · Inf {inf}");
        return sb.ToString();
    }

    /// <summary>
    /// The header followed by a picture when <see cref="IsPicturable"/> (an <see cref="ImageGrid"/> for image batches,
    /// a <see cref="Mosaic"/> of at most <paramref name="maxChannels"/> channels otherwise), or the header alone.
    /// A disposed tensor gives a note; any failure gives an escaped error note. Never throws.
    /// </summary>
    public static string ToHtml(Tensor t, int maxChannels = 64)
    {
        try
        {
            if (t is null) return Note("null tensor");
            if (t.IsInvalid) return Note(DisposedNote);
            string header = HeaderHtml(t);
            if (!IsPicturable(t)) return header;
            try
            {
                string picture = IsImageBatch(t)
                    ? ImageGrid.Of(t, new ImageGridOptions { MaxImages = Math.Max(1, maxChannels) }).ToHtml()
                    : Mosaic.Of(t, new MosaicOptions { MaxChannels = Math.Max(1, maxChannels) }).ToHtml();
                return "<div class=\"convvis-tensor\">" + header + picture + "</div>";
            }
            catch (Exception e)
            {
                return "<div class=\"convvis-tensor\">" + header + Note("Could not draw this tensor: " + e.Message) + "</div>";
            }
        }
        catch (Exception e)
        {
            return Note("Could not show this tensor: " + e.Message);
        }
    }

    private static string Note(string text) =>
        "<div class=\"convvis-note\" style=\"font:12px system-ui,sans-serif;color:#a00;margin:2px 0\">" + Html.Escape(text) + "</div>";
}
