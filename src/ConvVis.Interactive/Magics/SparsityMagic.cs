using Microsoft.AspNetCore.Html;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Directives;
using static TorchSharp.torch;

namespace ConvVis.Interactive.Magics;

/// <summary>
/// <c>#!sparsity --model net --data X [--layers ...] [--batches N]</c>: per layer and channel, how often activations
/// are zero, with a table and a bar chart per layer (<see cref="ActivationStats.Collect(nn.Module{Tensor, Tensor}, InputBatches, StatsOptions, string[])"/>).
/// </summary>
public sealed class SparsityMagic : DatasetScanMagic
{
    internal const string Name = "#!sparsity";

    internal static void AddTo(CSharpKernel kernel)
    {
        var directive = new KernelActionDirective(Name) { Description = "Activation sparsity per layer and channel over a dataset (table and bar charts)" };
        foreach (var parameter in CommonParameters()) directive.Parameters.Add(parameter);
        MagicCommands.Add<SparsityMagic>(kernel, directive, "#!sparsity --model net --data images --batches 8", (command, context) =>
        {
            using var progress = NotebookProgress.Show(context, "Scanning activations");
            var (model, data, options) = command.Prepare(kernel, Name, progress);
            var layers = MagicCommands.List(command.Layers);
            var report = ActivationStats.Collect(model, data, options, layers.Length > 0 ? layers : ["ReLU"]);
            context.Display(new HtmlString(ChartScript.Once(context) + report.ToHtml()), "text/html");
            return Task.CompletedTask;
        });
    }
}
