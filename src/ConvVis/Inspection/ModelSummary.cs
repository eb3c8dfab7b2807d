using ConvVis.Inspection;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ConvVis;

/// <summary>
/// A torchinfo-style summary of a model: every module as a nested tree with its type, output shape and parameter
/// counts, and totals equal to the sums over <c>parameters()</c>. Renders as a fixed-width text table
/// (<see cref="ToString"/>) and as self-contained HTML with collapsible containers (<see cref="ToHtml"/>).
/// </summary>
public sealed class ModelSummary : IHtmlView
{
    ModelSummary(IReadOnlyList<SummaryRow> rows, long total, long trainable, long bytes, long[]? inputShape)
    {
        Rows = rows;
        TotalParameters = total;
        TrainableParameters = trainable;
        ParameterBytes = bytes;
        InputShape = inputShape;
    }

    /// <summary>Every module, the model first, then depth first in registration order.</summary>
    public IReadOnlyList<SummaryRow> Rows { get; }

    /// <summary>Number of parameter elements of the model: the sum of <c>numel()</c> over <c>parameters()</c>.</summary>
    public long TotalParameters { get; }

    /// <summary>Of <see cref="TotalParameters"/>, those with <c>requires_grad</c>.</summary>
    public long TrainableParameters { get; }

    /// <summary>Of <see cref="TotalParameters"/>, those without <c>requires_grad</c> (frozen).</summary>
    public long NonTrainableParameters => TotalParameters - TrainableParameters;

    /// <summary>Bytes the parameters occupy: the sum of <c>numel() * element_size()</c> over <c>parameters()</c>.</summary>
    public long ParameterBytes { get; }

    /// <summary>The input shape of the dry run that gave the output shapes, or <c>null</c>.</summary>
    public long[]? InputShape { get; }

    /// <summary>
    /// Summarises <paramref name="model"/>. With <paramref name="inputShape"/>, output shapes come from a dry run: the model in
    /// eval mode, under <c>no_grad</c>, on a random input of that shape (on the device and with the dtype of its first
    /// parameter). Afterwards every module's train/eval mode is restored, the hooks are removed and the run's tensors freed,
    /// also when the forward pass throws.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="inputShape">Input shape including the batch dimension, e.g. <c>[1, 3, 224, 224]</c>; <c>null</c> for no dry run.</param>
    /// <returns>The summary.</returns>
    /// <exception cref="ArgumentException">The shape is malformed, or the model cannot run on it (the message names the shape given and what the first layer expects).</exception>
    public static ModelSummary Of(Module model, long[]? inputShape = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var summary = Build(model, inputShape?.ToArray());
        if (inputShape is not null)
        {
            var seen = DryRun.OutputShapes(model, inputShape);
            foreach (var row in summary.Rows)
            {
                if (!seen.TryGetValue(row.Module, out var s)) continue;
                row.OutputShape = s.Shape;
                row.Calls = s.Calls;
            }
        }
        return summary;
    }

    /// <summary>
    /// Summarises <paramref name="model"/> with the output shapes an <see cref="ActivationRecorder"/> saw (full batch shapes of
    /// the first call, whatever <see cref="CaptureOptions.MaxSamples"/> kept). Layers the recorder did not watch or that did not
    /// fire have no shape.
    /// </summary>
    /// <param name="model">The model the recorder is attached to.</param>
    /// <param name="recorded">A recorder that has seen a forward pass.</param>
    /// <returns>The summary.</returns>
    public static ModelSummary Of(Module model, ActivationRecorder recorded)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(recorded);
        return Of(model, RecordedShapes(recorded));
    }

    /// <summary>
    /// The first output shape and the call count of every layer <paramref name="recorded"/> saw fire, by layer name: plain
    /// data that outlives the recorder, for a later <see cref="Of(Module, IReadOnlyDictionary{string, ValueTuple{long[], int}})"/>.
    /// </summary>
    /// <param name="recorded">A recorder after at least one forward pass.</param>
    /// <returns>Shape and call count per layer that fired.</returns>
    public static Dictionary<string, (long[] Shape, int Calls)> RecordedShapes(ActivationRecorder recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        var seen = new Dictionary<string, (long[] Shape, int Calls)>();
        foreach (string layer in recorded.Layers)
        {
            var shapes = recorded.OutputShapes(layer);
            if (shapes.Count > 0) seen[layer] = (shapes[0], shapes.Count);
        }
        return seen;
    }

    /// <summary>
    /// Summarises <paramref name="model"/> with output shapes seen earlier, by layer name (see <see cref="RecordedShapes"/>);
    /// parameter counts are read from the model now.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="seen">Output shape and call count by layer name; layers not in it show no shape.</param>
    /// <returns>The summary.</returns>
    public static ModelSummary Of(Module model, IReadOnlyDictionary<string, (long[] Shape, int Calls)> seen)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(seen);
        var summary = Build(model, null);
        foreach (var row in summary.Rows)
        {
            if (!seen.TryGetValue(row.Name, out var s)) continue;
            row.OutputShape = s.Shape;
            row.Calls = s.Calls;
        }
        return summary;
    }

    /// <summary>A fixed-width text table in the style of torchinfo, with a tree of modules and the totals.</summary>
    public override string ToString() => SummaryText.Render(this);

    /// <summary>
    /// A self-contained HTML table (inline CSS, no script): containers are collapsible <c>&lt;details&gt;</c> elements, all
    /// names escaped.
    /// </summary>
    /// <returns>An HTML fragment.</returns>
    public string ToHtml() => SummaryHtml.Render(this);

    static ModelSummary Build(Module model, long[]? inputShape)
    {
        var rows = new List<SummaryRow>();
        var seen = new HashSet<Module>(ReferenceEqualityComparer.Instance) { model };
        rows.Add(MakeRow("", model, 0, "", model.named_children().Any()));
        AddChildren(model, "", 1, "", rows, seen);

        long total = 0, trainable = 0, bytes = 0;
        foreach (var (_, p) in ModuleWalk.Parameters(model))
        {
            long n = p.numel();
            total += n;
            if (p.requires_grad) trainable += n;
            bytes += n * p.element_size();
        }
        return new ModelSummary(rows, total, trainable, bytes, inputShape);
    }

    static void AddChildren(Module parent, string prefix, int depth, string ancestors, List<SummaryRow> rows, HashSet<Module> seen)
    {
        // Shared modules are listed once, under their first name (as ModelLayers does).
        var children = parent.named_children().Where(c => seen.Add(c.module)).ToList();
        for (int i = 0; i < children.Count; i++)
        {
            var (childName, child) = children[i];
            bool last = i == children.Count - 1;
            string name = prefix.Length == 0 ? childName : prefix + "." + childName;
            bool hasChildren = child.named_children().Any();
            rows.Add(MakeRow(name, child, depth, ancestors + (last ? "└─" : "├─"), hasChildren));
            AddChildren(child, name, depth + 1, ancestors + (last ? "   " : "│  "), rows, seen);
        }
    }

    static SummaryRow MakeRow(string name, Module module, int depth, string treePrefix, bool hasChildren)
    {
        long own = 0, ownTrainable = 0, total = 0;
        foreach (var (_, p) in module.named_parameters(recurse: false))
        {
            own += p.numel();
            if (p.requires_grad) ownTrainable += p.numel();
        }
        foreach (var (_, p) in ModuleWalk.Parameters(module)) total += p.numel();
        return new SummaryRow(name, module, depth, treePrefix, own, ownTrainable, total, hasChildren);
    }
}
