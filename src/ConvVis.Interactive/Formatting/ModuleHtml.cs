using static TorchSharp.torch;

namespace ConvVis.Interactive.Formatting;

/// <summary>How a module shows in a notebook: its layer summary, with output shapes when a capture saw them.</summary>
static class ModuleHtml
{
    public static string Of(nn.Module module) => ModelSummary.Of(module).ToHtml();
}
