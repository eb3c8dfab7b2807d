using Microsoft.AspNetCore.Html;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Directives;
using static TorchSharp.torch;

namespace ConvVis.Interactive.Magics;

/// <summary>
/// <c>#!sparsity --model net --data X [--layers ...] [--batches N]</c>: per layer and channel, how often activations
/// are zero, with a table and a bar chart per layer (<see cref="ActivationStats.Collect(nn.Module{Tensor, Tensor}, IEnumerable{Tensor}, StatsOptions, string[])"/>).
/// </summary>
public sealed class SparsityMagic : KernelDirectiveCommand
{
    internal const string Name = "#!sparsity";

    /// <summary>The variable holding the model.</summary>
    public string? Model { get; set; }
    /// <summary>The variable holding the input data.</summary>
    public string? Data { get; set; }
    /// <summary>Comma-separated layer names, globs or types; every ReLU by default.</summary>
    public string? Layers { get; set; }
    /// <summary>The most batches to scan.</summary>
    public int? Batches { get; set; }

    internal static void AddTo(CSharpKernel kernel)
    {
        var directive = new KernelActionDirective(Name)
        {
            Description = "Activation sparsity per layer and channel over a dataset (table and bar charts)",
            Parameters =
            {
                new KernelDirectiveParameter("--model", "The variable that holds the TorchSharp module") { AllowImplicitName = true },
                new KernelDirectiveParameter("--data", "The variable that holds the inputs: Tensor [N,C,H,W], LabeledImages or IEnumerable of batches"),
                new KernelDirectiveParameter("--layers", "Comma-separated layer names, globs or types (default: every ReLU)"),
                new KernelDirectiveParameter("--batches", "Scan at most this many batches of 64"),
            },
        };
        kernel.AddDirective<SparsityMagic>(directive, (command, context) =>
        {
            var model = KernelVariables.Get<nn.Module<Tensor, Tensor>>(kernel, command.Model, "--model", Name, "a TorchSharp module");
            var data = DataBatches.Get(kernel, command.Data, Name);
            if (command.Batches is <= 0) throw new ArgumentException($"{Name}: --batches must be a positive number, not {command.Batches}.");
            var layers = MagicCommands.List(command.Layers);
            if (layers.Length == 0) layers = ["ReLU"];
            using var progress = new NotebookProgress(context, "Scanning activations");
            var options = new StatsOptions { MaxBatches = command.Batches, Progress = progress, CancellationToken = context.CancellationToken };
            var report = ActivationStats.Collect(model, data, options, layers);
            context.Display(new HtmlString(ChartScript.Once(context) + report.ToHtml()), "text/html");
            return Task.CompletedTask;
        });
    }
}
