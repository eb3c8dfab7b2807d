using Microsoft.AspNetCore.Html;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Directives;
using static TorchSharp.torch;

namespace ConvVis.Interactive.Magics;

/// <summary><c>#!filters --model net [--layers conv1,features.3]</c>: the filter grids of a model's conv layers.</summary>
internal sealed class FiltersMagic : ModelMagic
{
    internal const string Name = "#!filters";

    /// <summary>Comma-separated layer names or patterns; all conv layers when empty.</summary>
    public string? Layers { get; set; }

    internal static void AddTo(CSharpKernel kernel)
    {
        var directive = new KernelActionDirective(Name)
        {
            Description = "Show the filters of a model's conv layers",
            Parameters =
            {
                ModelParameter(),
                new KernelDirectiveParameter("--layers", "Comma-separated layer names or patterns (default: every Conv2d)"),
            },
        };
        MagicCommands.Add<FiltersMagic>(kernel, directive, "#!filters --model net --layers conv1", (command, context) =>
        {
            var model = command.GetModel<nn.Module>(kernel, Name);
            context.Display(new HtmlString(ModelFilters.Of(model, MagicCommands.List(command.Layers)).ToHtml()), "text/html");
            return Task.CompletedTask;
        });
    }
}
