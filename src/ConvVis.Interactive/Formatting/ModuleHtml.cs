using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace ConvVis.Interactive.Formatting;

/// <summary>How a module shows in a notebook: its layer summary, with the output shapes the last capture saw.</summary>
static class ModuleHtml
{
    // Only shapes are remembered, not a summary: parameter counts and trainable flags are read fresh each time.
    static readonly ConditionalWeakTable<nn.Module, Dictionary<string, (long[] Shape, int Calls)>> CapturedShapes = new();

    public static string Of(nn.Module module)
    {
        var summary = ModelSummary.Of(module);
        if (CapturedShapes.TryGetValue(module, out var shapes))
        {
            foreach (var row in summary.Rows)
            {
                if (!shapes.TryGetValue(row.Name, out var seen)) continue;
                row.OutputShape = seen.Shape;
                row.Calls = seen.Calls;
            }
        }
        return summary.ToHtml();
    }

    /// <summary>Remembers the output shapes a capture of <paramref name="model"/> saw, for later displays of the model.</summary>
    public static void Remember(nn.Module model, ActivationRecorder recorder)
    {
        var shapes = new Dictionary<string, (long[], int)>();
        foreach (string layer in recorder.Layers)
        {
            var seen = recorder.OutputShapes(layer);
            if (seen.Count > 0) shapes[layer] = (seen[0], seen.Count);
        }
        CapturedShapes.AddOrUpdate(model, shapes);
    }
}
