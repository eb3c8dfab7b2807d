using ConvVis.Rendering;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// Convolution weights <c>[O, I, kh, kw]</c> (or Linear weights reshaped to an input shape) as a grid of tiles:
/// RGB tiles when I = 3, otherwise grey tiles (slices per filter, or one tile per filter). Kernels are upscaled
/// (nearest) so 3x3 to 11x11 filters are clearly visible. By default zero is mid-grey and the scale is shared,
/// as in the CS231n filter pictures. All-zero filters get a red frame, filters with NaN/Inf a magenta one.
/// </summary>
public sealed class FilterGrid : TiledPicture
{
    private FilterGrid(RenderedPicture picture, TileCanvas canvas, int scale, TileStats[] tiles, FilterLayout layout, int total)
        : base(picture, canvas, scale, tiles)
    {
        Layout = layout;
        TotalFilters = total;
    }

    /// <summary>The layout used (never <see cref="FilterLayout.Auto"/>).</summary>
    public FilterLayout Layout { get; }

    /// <summary>Number of output filters shown.</summary>
    public int ShownFilters => Tiles.Count;

    /// <summary>Number of output filters in the weight.</summary>
    public int TotalFilters { get; }

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
        bool bgr = layout == FilterLayout.Rgb && options.InputColorOrder == ColorOrder.Bgr;
        var painter = FilterPainter.For(layout, inputs, bgr);

        // Check the size before reading any value: only the shown filters are converted to float.
        long tiles = painter.TileCount(shownCount);
        int? fixedColumns = painter.FixedColumns ?? (options.Columns is { } wanted ? Math.Min(wanted, shownCount) : null);
        int factor = TileCanvas.PreferredFactor(tiles, fixedColumns, kh, kw, options.MinTileSize, options.TargetWidth);
        int th = kh * factor, tw = kw * factor;
        int columns = painter.FixedColumns ?? Math.Min(options.Columns ?? TileCanvas.AutoColumns(shownCount, th, tw), shownCount);
        TileCanvas.CheckSize(tiles, columns, th, tw);
        if (bgr) w = w.flip(1); // painted as R, G, B: a BGR filter's channel 0 must land on blue
        w = TensorInput.ToFloat(w);
        var filterRows = w.reshape(shownCount, (long)inputs * kh * kw).contiguous();
        var stats = TileStatistics.Compute(filterRows, Enumerable.Range(0, shownCount).ToArray());
        var filters = new FilterTiles(w, filterRows, stats, inputs, kh, kw, factor, columns, unit, options);

        var canvas = painter.Paint(filters, out var scale);
        var image = canvas.ToImage();
        var regions = painter.Regions(filters, canvas.Rects());
        string count = shownCount < total ? $"showing {shownCount} of {total} {unit}s (MaxFilters = {options.MaxFilters})" : $"{total} {unit}s";
        var captions = new List<string>
        {
            $"{count}, {inputs}×{kh}×{kw} each; {painter.LayoutNote(filters)}",
            $"shown ×{factor} ({tw}×{th} px per tile); {scale.Describe()}" + (painter.UsesColormap ? $"; colormap {options.Colormap.Name}" : ""),
        };
        ColorBar? bar = null;
        if (painter.UsesColormap)
        {
            var (lo, mid, hi) = scale.Labels();
            bar = new ColorBar(options.Colormap, lo, mid, hi);
        }
        string? title = options.Title ?? defaultTitle;
        var picture = new RenderedPicture(image, regions, title, captions, title ?? $"filter grid of {shownCount} {unit}s", bar,
            TileMarks.Legend(stats, unit).ToArray());
        return new FilterGrid(picture, canvas, factor, stats, layout, total);
    }

    private static FilterLayout Resolve(FilterLayout requested, int inputs, int shown)
    {
        if (requested == FilterLayout.Rgb && inputs != 3)
            throw new ArgumentException($"FilterLayout.Rgb needs filters with 3 input channels; these have {inputs}. Use SlicesPerFilter or OneTilePerFilter.", nameof(requested));
        if (requested != FilterLayout.Auto) return requested;
        if (inputs == 3) return FilterLayout.Rgb;
        return inputs >= 2 && (long)inputs * shown <= 1024 ? FilterLayout.SlicesPerFilter : FilterLayout.OneTilePerFilter;
    }
}
