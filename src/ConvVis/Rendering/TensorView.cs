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

    /// <summary>
    /// The most pixels of a picture <see cref="ToHtml"/> draws (about 1000 x 1000): bigger maps are shown downsampled and
    /// the caption says so, which keeps any display to well under a second and a few megabytes of HTML.
    /// </summary>
    public const long InlineMaxPixels = 1_000_000;

    /// <summary>True for a live, non-empty, floating-point tensor with 3 or 4 dimensions: one that <see cref="ToHtml"/> draws.</summary>
    public static bool IsPicturable(Tensor t)
    {
        try
        {
            return t is not null && !t.IsInvalid && t.device_type != TorchSharp.DeviceType.META && t.is_floating_point() && t.dim() is 3 or 4 && t.numel() > 0;
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
    /// Tensors of more than 16.7 million distinct values are summarised from a random sample of about a million values
    /// (the header says so); expanded views are read through their storage. Time and memory stay bounded.
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
        if (t.device_type == TorchSharp.DeviceType.META) return sb.Append(" · meta device: a shape without values").ToString();
        var v = ValueStatistics.Of(t);
        // A sampled summary says so up front; its NaN/Inf are fractions of the sample rather than counts.
        var parts = new List<string>();
        if (!double.IsNaN(v.Min)) parts.Add($"min {TileStats.Format(v.Min)} · max {TileStats.Format(v.Max)} · mean {TileStats.Format(v.Mean)}");
        parts.Add(string.Create(CultureInfo.InvariantCulture, $"zeros {100.0 * v.Zeros / v.Examined:0.#}%"));
        if (v.NaN > 0) parts.Add(v.Sampled ? string.Create(CultureInfo.InvariantCulture, $"NaN {100.0 * v.NaN / v.Examined:0.###}%") : $"NaN {v.NaN}");
        if (v.Inf > 0) parts.Add(v.Sampled ? string.Create(CultureInfo.InvariantCulture, $"Inf {100.0 * v.Inf / v.Examined:0.###}%") : $"Inf {v.Inf}");
        sb.Append(" · ");
        if (v.Sampled) sb.Append(CultureInfo.InvariantCulture, $"from a random sample of {v.Examined:N0} of {v.Count:N0} values: ");
        sb.Append(string.Join(" · ", parts));
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
                    ? ImageGrid.Of(t, new ImageGridOptions { MaxImages = Math.Max(1, maxChannels), MaxPixels = InlineMaxPixels }).ToHtml()
                    : Mosaic.Of(t, new MosaicOptions { MaxChannels = Math.Max(1, maxChannels), MaxPixels = InlineMaxPixels }).ToHtml();
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
