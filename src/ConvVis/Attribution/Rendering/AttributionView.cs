using System.Globalization;
using ConvVis.Attributions.Internal;
using ConvVis.Attributions.Rendering;
using ConvVis.Rendering;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// An attribution drawn as a heatmap over each of its input images (one tile per sample), with the method, the target
/// and the warnings as captions. Holds only finished pixels.
/// </summary>
public sealed class AttributionView : IVisual
{
    private readonly RenderedPicture _picture;

    private AttributionView(RenderedPicture picture) => _picture = picture;

    /// <inheritdoc/>
    public int Width => _picture.Image.Width;

    /// <inheritdoc/>
    public int Height => _picture.Image.Height;

    /// <inheritdoc/>
    public byte[] ToPng() => (byte[])_picture.Png.Clone();

    /// <inheritdoc/>
    public string ToHtml() => _picture.ToHtml();

    /// <summary>Draws <paramref name="attribution"/> with <paramref name="options"/> (defaults when null).</summary>
    public static AttributionView Of(Attribution attribution, OverlayOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(attribution);
        var o = options ?? new OverlayOptions();
        o.Validate();
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var tiles = HeatmapOverlay.Overlay(attribution, o);
        int n = (int)tiles.shape[0], h = (int)tiles.shape[1], w = (int)tiles.shape[2];
        int scale = TileCanvas.UpscaleFactor(h, w, o.MinTileSize);
        int columns = Math.Min(n, TileCanvas.AutoColumns(n, (long)h * scale, (long)w * scale));
        TileCanvas.CheckSize(n, columns, (long)h * scale, (long)w * scale);
        var image = TileCanvas.Compose(tiles, scale, columns, Enumerable.Repeat(TileMarks.Background, n).ToArray(), out var rects);
        var regions = rects.Select((r, i) => new TileRegion(r.X, r.Y, r.W, r.H, Tooltip(attribution, i))).ToArray();
        bool signed = HeatmapOverlay.IsSigned(attribution.Values, o.Sign);
        var captions = new List<string>
        {
            $"{n} image{(n == 1 ? "" : "s")}, {attribution.Target}; heatmap over the input (alpha {o.Alpha.ToString("0.##", CultureInfo.InvariantCulture)}), " +
            (signed ? "signed: blue negative, red positive" : "magnitude") + $", colours saturate at the {o.Percentile.ToString("0.#", CultureInfo.InvariantCulture)}th percentile of |map| per image",
        };
        captions.AddRange(attribution.Warnings.Select(wn => "⚠ " + wn));
        var bar = signed
            ? new ColorBar(Colormap.Diverging, "− (percentile)", "0", "+ (percentile)")
            : new ColorBar(o.UnsignedColormap, "0", "", "percentile of |map|");
        var picture = new RenderedPicture(image, regions, attribution.Method, captions, $"{attribution.Method} for {attribution.Target}", bar, []);
        return new AttributionView(picture);
    }

    internal static string Tooltip(Attribution a, int sample)
    {
        var lines = new List<string> { $"image {sample}: {a.Method}", a.Target.Describe(sample) };
        void Add(string name, IReadOnlyList<double>? values)
        {
            if (values is not null && sample < values.Count)
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"{name}: {values[sample]:G4}"));
        }
        Add("target score", a.TargetScores);
        Add("baseline score", a.BaselineScores);
        Add("convergence delta", a.ConvergenceDelta);
        Add("noise sigma", a.NoiseSigma);
        if (a.OcclusionWindows is { } windows) lines.Add($"windows: {windows}");
        return string.Join("\n", lines);
    }
}
