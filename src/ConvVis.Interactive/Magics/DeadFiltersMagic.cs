using Microsoft.AspNetCore.Html;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Directives;

namespace ConvVis.Interactive.Magics;

/// <summary>
/// <c>#!dead-filters --model net --data X [--threshold t] [--batches N] [--layers ...]</c>: channels that never
/// activate on any input, with their filters, their empty maps and what usually causes them
/// (<see cref="DeadFilters"/>.Find).
/// </summary>
public sealed class DeadFiltersMagic : DatasetScanMagic
{
    internal const string Name = "#!dead-filters";

    /// <summary>A channel is dead when no value is above this (default 0).</summary>
    [NumberOption("--threshold")]
    public float? Threshold { get; set; }

    internal static void AddTo(CSharpKernel kernel)
    {
        var directive = new KernelActionDirective(Name) { Description = "Find channels that never activate on the data, with their filters and the usual causes" };
        foreach (var parameter in CommonParameters()) directive.Parameters.Add(parameter);
        directive.Parameters.Add(new KernelDirectiveParameter("--threshold", "A channel is dead when no value is above this (default: 0)"));
        MagicCommands.Add<DeadFiltersMagic>(kernel, directive, "#!dead-filters --model net --data images", (command, context) =>
        {
            using var progress = NotebookProgress.Show(context, "Looking for dead filters");
            var (model, data, options) = command.Prepare(kernel, Name, progress);
            var report = DeadFilters.Find(model, data, options with { Threshold = command.Threshold ?? 0f }, MagicCommands.List(command.Layers));
            context.Display(new HtmlString(ChartScript.Once(context) + report.ToHtml()), "text/html");
            return Task.CompletedTask;
        });
    }
}
