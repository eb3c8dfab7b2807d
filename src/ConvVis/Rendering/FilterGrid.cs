using System.Globalization;
using System.Runtime.InteropServices;
using ConvVis.Rendering;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// Convolution weights <c>[O, I, kh, kw]</c> (or Linear weights reshaped to an input shape) as a grid of tiles:
/// RGB tiles when I = 3, otherwise grey tiles (slices per filter, or one tile per filter). Kernels are upscaled
/// (nearest) so 3x3 to 11x11 filters are clearly visible. By default zero is mid-grey and the scale is shared,
/// as in the CS231n filter pictures. All-zero filters get a red frame, filters with NaN/Inf a magenta one.
/// </summary>
public sealed class FilterGrid : IVisual
{
    private readonly RenderedPicture picture;

    private FilterGrid(RenderedPicture picture, FilterLayout layout, int total, TileStats[] tiles, int scale, int columns, int rows, int tileW, int tileH)
    {
        this.picture = picture; Layout = layout; TotalFilters = total; Tiles = tiles;
        Scale = scale; Columns = columns; Rows = rows; TileWidth = tileW; TileHeight = tileH;
    }

    /// <summary>The layout used (never <see cref="FilterLayout.Auto"/>).</summary>
    public FilterLayout Layout { get; }

    /// <summary>Number of output filters shown.</summary>
    public int ShownFilters => Tiles.Count;

    /// <summary>Number of output filters in the weight.</summary>
    public int TotalFilters { get; }

    /// <summary>Statistics of each shown filter over all its weights (Channel = output filter index).</summary>
    public IReadOnlyList<TileStats> Tiles { get; }

    /// <summary>The nearest-neighbour upscaling factor applied to each kernel.</summary>
    public int Scale { get; }

    /// <summary>Number of tile columns.</summary>
    public int Columns { get; }

    /// <summary>Number of tile rows.</summary>
    public int Rows { get; }

    /// <summary>Width of one tile in pixels.</summary>
    public int TileWidth { get; }

    /// <summary>Height of one tile in pixels.</summary>
    public int TileHeight { get; }

    /// <inheritdoc/>
    public int Width => picture.Image.Width;

    /// <inheritdoc/>
    public int Height => picture.Image.Height;

    internal RenderedPicture Picture => picture;

    /// <inheritdoc/>
    public byte[] ToPng() => (byte[])picture.Png.Clone();

    /// <inheritdoc/>
    public string ToHtml() => picture.ToHtml();

    /// <summary>The filters of a convolution module (a <c>Conv2d</c>, or any module with a 4-D parameter named <c>weight</c>).</summary>
    public static FilterGrid Of(nn.Module conv, FilterGridOptions? o = null)
    {
        ArgumentNullException.ThrowIfNull(conv);
        var weight = WeightOf(conv, "FilterGrid.Of");
        if (weight.dim() != 4)
            throw new ArgumentException($"FilterGrid.Of expects a Conv2d with a weight [O, I, kh, kw]; {conv.GetType().Name}'s weight is {TensorInput.Shape(weight)}." +
                (weight.dim() == 2 ? " For a Linear layer use FilterGrid.OfLinear(layer, inputShape)." : ""), nameof(conv));
        return Render(weight, o ?? new FilterGridOptions(), "filter", $"{conv.GetType().Name} filters");
    }

    /// <summary>Filters given as a weight tensor <c>[O, I, kh, kw]</c>.</summary>
    public static FilterGrid Of(Tensor weight, FilterGridOptions? o = null)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (!weight.IsInvalid && weight.dim() != 4)
            throw new ArgumentException($"FilterGrid.Of expects a weight [O, I, kh, kw]; got {weight.dim()}-D {TensorInput.Shape(weight)}." +
                (weight.dim() == 2 ? " For Linear weights use FilterGrid.OfLinear(weight, inputShape)." : ""), nameof(weight));
        return Render(weight, o ?? new FilterGridOptions(), "filter", null);
    }

    /// <summary>
    /// The weight rows of a Linear layer (<c>[O, prod(inputShape)]</c>) as templates of the input, e.g. an MLP on 28x28 images
    /// with <paramref name="inputShape"/> = {28, 28}, or {3, 32, 32} for colour images (shown as RGB).
    /// </summary>
    public static FilterGrid OfLinear(nn.Module linear, long[] inputShape, FilterGridOptions? o = null)
    {
        ArgumentNullException.ThrowIfNull(linear);
        var weight = WeightOf(linear, "FilterGrid.OfLinear");
        return OfLinear(weight, inputShape, o, $"{linear.GetType().Name} weight templates");
    }

    /// <summary>Linear weights <c>[O, prod(inputShape)]</c> given as a tensor; see <see cref="OfLinear(nn.Module, long[], FilterGridOptions?)"/>.</summary>
    public static FilterGrid OfLinear(Tensor weight, long[] inputShape, FilterGridOptions? o = null) => OfLinear(weight, inputShape, o, null);

    private static FilterGrid OfLinear(Tensor weight, long[] inputShape, FilterGridOptions? o, string? defaultTitle)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(inputShape);
        if (weight.IsInvalid) throw new ObjectDisposedException(nameof(weight), "The weight tensor has been disposed.");
        if (weight.dim() != 2)
            throw new ArgumentException($"FilterGrid.OfLinear expects a Linear weight [O, features]; got {TensorInput.Shape(weight)}.", nameof(weight));
        var shape = inputShape.SkipWhile((d, i) => d == 1 && inputShape.Length - i > 3).ToArray();
        if (shape.Length is < 2 or > 3 || shape.Any(d => d < 1))
            throw new ArgumentException($"inputShape must be [H, W] or [C, H, W] with positive sizes, e.g. {{28, 28}} or {{3, 32, 32}}; got [{string.Join(", ", inputShape)}].", nameof(inputShape));
        long features = shape.Aggregate(1L, (a, b) => a * b);
        if (features != weight.shape[1])
            throw new ArgumentException($"inputShape [{string.Join(", ", inputShape)}] has {features} values but the layer has {weight.shape[1]} input features (weight {TensorInput.Shape(weight)}).", nameof(inputShape));
        long[] four = shape.Length == 2 ? [weight.shape[0], 1, shape[0], shape[1]] : [weight.shape[0], shape[0], shape[1], shape[2]];
        using var scope = NewDisposeScope();
        var view = weight.detach().reshape(four);
        return Render(view, o ?? new FilterGridOptions(), "unit", defaultTitle);
    }

    private static Tensor WeightOf(nn.Module module, string caller)
    {
        foreach (var (name, p) in module.named_parameters(recurse: false))
            if (name == "weight") return p;
        var names = Inspection.ModuleWalk.Parameters(module).Select(np => np.Name).ToList();
        throw new ArgumentException($"{caller} needs a module with a parameter named 'weight'; {module.GetType().Name} has " +
            (names.Count == 0 ? "no parameters." : $"[{string.Join(", ", names)}]."), nameof(module));
    }

    private static FilterGrid Render(Tensor weight, FilterGridOptions options, string unit, string? defaultTitle)
    {
        options.Validate();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var w = TensorInput.ToCpu(weight, "weight");
        if (w.shape.Any(d => d == 0)) throw new ArgumentException($"The weight {TensorInput.Shape(w)} is empty; nothing to show.", nameof(weight));
        int total = (int)w.shape[0], inputs = (int)w.shape[1], kh = (int)w.shape[2], kw = (int)w.shape[3];
        int shownCount = Math.Min(total, options.MaxFilters);
        if (shownCount < total) w = w.narrow(0, 0, shownCount);
        var layout = Resolve(options.Layout, inputs, shownCount);

        // Check the size before reading any value: only the shown filters are converted to float.
        bool slices = layout == FilterLayout.SlicesPerFilter && inputs > 1;
        long tiles = slices ? (long)shownCount * inputs : shownCount;
        int? fixedColumns = slices ? inputs : options.Columns is { } wanted ? Math.Min(wanted, shownCount) : null;
        int factor = TileCanvas.PreferredFactor(tiles, fixedColumns, kh, kw, options.MinTileSize, options.TargetWidth);
        int th = kh * factor, tw = kw * factor, plane = kh * kw;
        int columns = slices ? inputs : Math.Min(options.Columns ?? TileCanvas.AutoColumns(shownCount, th, tw), shownCount);
        TileCanvas.CheckSize(slices ? (long)shownCount * inputs : shownCount, columns, th, tw);
        bool bgr = layout == FilterLayout.Rgb && options.InputColorOrder == ColorOrder.Bgr;
        if (bgr) w = w.flip(1); // painted as R, G, B: a BGR filter's channel 0 must land on blue
        w = TensorInput.ToFloat(w);
        var filterRows = w.reshape(shownCount, (long)inputs * kh * kw).contiguous();
        var filterIds = Enumerable.Range(0, shownCount).ToArray();
        var stats = TileStatistics.Compute(filterRows, filterIds);
        TileCanvas canvas;
        string layoutNote;
        ScaleInfo scale;
        ReadOnlySpan<float> data = MemoryMarshal.Cast<byte, float>(filterRows.bytes);
        switch (layout)
        {
            case FilterLayout.Rgb:
            {
                var scales = TileNormalizer.Scales(filterRows, stats, options.Normalization, options.ClipPercentile, out scale);
                canvas = new TileCanvas(shownCount, columns, tw, th, stats.Select(TileMarks.FrameOf).ToArray());
                for (int o = 0; o < shownCount; o++) canvas.PaintRgb(o, data.Slice(o * 3 * plane, 3 * plane), kh, kw, factor, scales[o]);
                layoutNote = bgr
                    ? "BGR input: input channels 0, 1, 2 shown as blue, green, red"
                    : "RGB: input channels 0, 1, 2 as red, green, blue";
                break;
            }
            case FilterLayout.SlicesPerFilter:
            {
                var scales = TileNormalizer.Scales(filterRows, stats, options.Normalization, options.ClipPercentile, out scale);
                canvas = new TileCanvas(shownCount * inputs, columns, tw, th, stats.SelectMany(s => Enumerable.Repeat(TileMarks.FrameOf(s), inputs)).ToArray());
                for (int t = 0; t < shownCount * inputs; t++) canvas.PaintMapped(t, data.Slice(t * plane, plane), kh, kw, factor, scales[t / inputs], options.Colormap.Lut);
                layoutNote = slices ? $"one row per {unit}: its {inputs} input-channel slices" : "one tile per " + unit;
                break;
            }
            default:
            {
                // One tile per filter: the mean over input channels, scaled from its own statistics.
                var mean = w.mean([1]).reshape(shownCount, plane).contiguous();
                var meanStats = TileStatistics.Compute(mean, filterIds);
                var scales = TileNormalizer.Scales(mean, meanStats, options.Normalization, options.ClipPercentile, out scale);
                canvas = new TileCanvas(shownCount, columns, tw, th, stats.Select(TileMarks.FrameOf).ToArray());
                ReadOnlySpan<float> means = MemoryMarshal.Cast<byte, float>(mean.bytes);
                for (int o = 0; o < shownCount; o++) canvas.PaintMapped(o, means.Slice(o * plane, plane), kh, kw, factor, scales[o], options.Colormap.Lut);
                layoutNote = inputs > 1 ? $"one tile per {unit}: the mean over its {inputs} input channels" : "one tile per " + unit;
                break;
            }
        }
        var image = canvas.ToImage();
        var rects = canvas.Rects();
        TileRegion[] regions;
        if (slices)
        {
            var sliceStats = TileStatistics.Compute(data, shownCount * inputs, plane, Enumerable.Range(0, shownCount * inputs).ToArray());
            regions = rects.Select((r, i) => new TileRegion(r.X, r.Y, r.W, r.H,
                $"{unit} {i / inputs}, input channel {i % inputs}\n" + string.Join("\n", sliceStats[i].Describe().Split('\n').Skip(1)) +
                "\n" + $"whole {unit}: " + (stats[i / inputs].IsDead ? "DEAD (all zero)" : $"min {TileStats.Format(stats[i / inputs].Min)}, max {TileStats.Format(stats[i / inputs].Max)}"),
                SliceLabel(stats[i / inputs].Channel, i / inputs, i % inputs))).ToArray();
        }
        else
        {
            regions = rects.Select((r, i) => new TileRegion(r.X, r.Y, r.W, r.H, stats[i].Describe(unit),
                stats[i].Channel.ToString(CultureInfo.InvariantCulture))).ToArray();
        }

        string count = shownCount < total ? $"showing {shownCount} of {total} {unit}s (MaxFilters = {options.MaxFilters})" : $"{total} {unit}s";
        var captions = new List<string>
        {
            $"{count}, {inputs}×{kh}×{kw} each; {layoutNote}",
            $"shown ×{factor} ({kw * factor}×{kh * factor} px per tile); {scale.Describe()}" + (layout == FilterLayout.Rgb ? "" : $"; colormap {options.Colormap.Name}"),
        };
        ColorBar? bar = null;
        if (layout != FilterLayout.Rgb)
        {
            var (lo, mid, hi) = scale.Labels();
            bar = new ColorBar(options.Colormap, lo, mid, hi);
        }
        string? title = options.Title ?? defaultTitle;
        var picture = new RenderedPicture(image, regions, title, captions, title ?? $"filter grid of {shownCount} {unit}s", bar,
            TileMarks.Legend(stats, unit).ToArray());
        return new FilterGrid(picture, layout, total, stats, factor, canvas.Columns, canvas.Rows, tw, th);
    }

    private static FilterLayout Resolve(FilterLayout requested, int inputs, int shown)
    {
        if (requested == FilterLayout.Rgb && inputs != 3)
            throw new ArgumentException($"FilterLayout.Rgb needs filters with 3 input channels; these have {inputs}. Use SlicesPerFilter or OneTilePerFilter.", nameof(requested));
        if (requested != FilterLayout.Auto) return requested;
        if (inputs == 3) return FilterLayout.Rgb;
        return inputs >= 2 && (long)inputs * shown <= 1024 ? FilterLayout.SlicesPerFilter : FilterLayout.OneTilePerFilter;
    }

    /// <summary>
    /// Row and column labels of a slice grid, drawn on the tiles of the first column (the filter) and of the first row
    /// (":c", the input channel), so a screenshot says which is which without a label on every small tile.
    /// </summary>
    private static string? SliceLabel(int filter, int row, int inputChannel) =>
        inputChannel == 0 ? filter.ToString(CultureInfo.InvariantCulture)
        : row == 0 ? ":" + inputChannel.ToString(CultureInfo.InvariantCulture)
        : null;
}
