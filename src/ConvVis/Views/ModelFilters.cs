using System.Text;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>The filter grids of a model's conv layers, one section per layer (what <c>#!filters</c> shows).</summary>
public sealed class ModelFilters : IHtmlView
{
    readonly List<(string Name, string Shape, FilterGrid Grid)> _layers = [];

    ModelFilters() { }

    /// <summary>The layers shown, in model order.</summary>
    public IReadOnlyList<string> LayerNames => _layers.Select(l => l.Name).ToList();

    /// <summary>The grid of each layer shown.</summary>
    public IReadOnlyList<FilterGrid> Grids => _layers.Select(l => l.Grid).ToList();

    /// <summary>
    /// Draws the filters of the named conv layers of <paramref name="model"/> (names, globs or type names as in
    /// <see cref="ModelLayers.Select"/>), or of every <c>Conv2d</c> when none are given.
    /// </summary>
    /// <exception cref="ArgumentException">A name matches no layer, a matched layer has no 4-D weight, or the model has no conv layer.</exception>
    public static ModelFilters Of(nn.Module model, params string[] layerNames)
    {
        ArgumentNullException.ThrowIfNull(model);
        var selected = layerNames.Length == 0 ? ConvLayers(model) : ModelLayers.Select(model, layerNames);
        var view = new ModelFilters();
        foreach (var (name, module) in selected)
        {
            var weight = ConvWeight(module);
            if (weight is null)
            {
                string convs = string.Join(", ", ConvLayers(model).Select(l => l.Name));
                throw new ArgumentException($"Layer '{name}' is a {module.GetType().Name} and has no filters (no 4-D weight). Conv layers of this model: {(convs.Length == 0 ? "none" : convs)}.");
            }
            string shape = "[" + string.Join(", ", weight.shape) + "]";
            var order = model is OnnxModel onnx ? onnx.InputColorOrder : ColorOrder.Rgb;
            view._layers.Add((name, shape, FilterGrid.Of(weight, new FilterGridOptions { InputColorOrder = order })));
        }
        return view;
    }

    /// <inheritdoc />
    public string ToHtml()
    {
        var html = new StringBuilder("<div class=\"convvis-filters\">");
        foreach (var (name, shape, grid) in _layers)
        {
            html.Append("<div style=\"margin-bottom:12px\"><div style=\"font-family:sans-serif;font-weight:bold\">")
                .Append(Html.Escape(name)).Append(" <span style=\"font-weight:normal;color:#666\">weight ")
                .Append(Html.Escape(shape)).Append("</span></div>")
                .Append(grid.ToHtml()).Append("</div>");
        }
        return html.Append("</div>").ToString();
    }

    static IReadOnlyList<(string Name, nn.Module Module)> ConvLayers(nn.Module model)
    {
        var convs = ModelLayers.Leaves(model).Where(l => ConvWeight(l.Module) is not null).ToList();
        if (convs.Count == 0) throw new ArgumentException($"The model ({model.GetType().Name}) has no conv layer with a 4-D weight to draw.");
        return convs;
    }

    static Tensor? ConvWeight(nn.Module module) =>
        module.named_parameters(recurse: false).FirstOrDefault(p => p.name == "weight").parameter is { } w && w.dim() == 4 ? w : null;
}
