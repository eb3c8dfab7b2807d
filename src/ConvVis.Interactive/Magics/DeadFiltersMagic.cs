using Microsoft.AspNetCore.Html;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Directives;
using static TorchSharp.torch;

namespace ConvVis.Interactive.Magics;

/// <summary>
/// <c>#!dead-filters --model net --data X [--threshold t] [--batches N] [--layers ...]</c>: channels that never
/// activate on any input, with their filters, their empty maps and what usually causes them
/// (<see cref="DeadFilters"/>.Find).
/// </summary>
public sealed class DeadFiltersMagic : KernelDirectiveCommand
{
    internal const string Name = "#!dead-filters";

    /// <summary>The variable holding the model.</summary>
    public string? Model { get; set; }
    /// <summary>The variable holding the input data.</summary>
    public string? Data { get; set; }
    /// <summary>A channel is dead when no value is above this (default 0).</summary>
    public float? Threshold { get; set; }
    /// <summary>The most batches to scan.</summary>
    public int? Batches { get; set; }
    /// <summary>Comma-separated layer names, globs or types; every ReLU by default.</summary>
    public string? Layers { get; set; }

    internal static void AddTo(CSharpKernel kernel)
    {
        var directive = new KernelActionDirective(Name)
        {
            Description = "Find channels that never activate on the data, with their filters and the usual causes",
            Parameters =
            {
                new KernelDirectiveParameter("--model", "The variable that holds the TorchSharp module") { AllowImplicitName = true },
                new KernelDirectiveParameter("--data", "The variable that holds the inputs: Tensor [N,C,H,W], LabeledImages or IEnumerable of batches"),
                new KernelDirectiveParameter("--threshold", "A channel is dead when no value is above this (default 0)"),
                new KernelDirectiveParameter("--batches", "Scan at most this many batches of 64"),
                new KernelDirectiveParameter("--layers", "Comma-separated layer names, globs or types (default: every ReLU)"),
            },
        };
        kernel.AddDirective<DeadFiltersMagic>(directive, (command, context) =>
        {
            var model = KernelVariables.Get<nn.Module<Tensor, Tensor>>(kernel, command.Model, "--model", Name, "a TorchSharp module");
            var data = DataBatches.Get(kernel, command.Data, Name);
            if (command.Batches is <= 0) throw new ArgumentException($"{Name}: --batches must be a positive number, not {command.Batches}.");
            using var progress = new NotebookProgress(context, "Looking for dead filters");
            var options = new StatsOptions { MaxBatches = command.Batches, Progress = progress, CancellationToken = context.CancellationToken };
            var report = DeadFilters.Find(model, data, command.Threshold ?? 0f, options, MagicCommands.List(command.Layers));
            context.Display(new HtmlString(ChartScript.Once(context) + report.ToHtml()), "text/html");
            return Task.CompletedTask;
        });
    }
}
