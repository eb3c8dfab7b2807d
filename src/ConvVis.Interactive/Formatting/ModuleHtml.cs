using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace ConvVis.Interactive.Formatting;

/// <summary>How a module shows in a notebook: its layer summary, with the output shapes the last capture saw.</summary>
static class ModuleHtml
{
    // Only shapes are remembered, not a summary: parameter counts and trainable flags are read fresh each time.
    static readonly ConditionalWeakTable<nn.Module, Dictionary<string, (long[] Shape, int Calls)>> CapturedShapes = new();

    public static string Of(nn.Module module) =>
        (CapturedShapes.TryGetValue(module, out var shapes) ? ModelSummary.Of(module, shapes) : ModelSummary.Of(module)).ToHtml();

    /// <summary>Remembers the output shapes a capture of <paramref name="model"/> saw, for later displays of the model.</summary>
    public static void Remember(nn.Module model, ActivationRecorder recorder) =>
        CapturedShapes.AddOrUpdate(model, ModelSummary.RecordedShapes(recorder));
}
