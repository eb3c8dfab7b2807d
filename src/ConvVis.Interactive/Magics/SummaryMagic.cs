using Microsoft.AspNetCore.Html;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Directives;
using static TorchSharp.torch;

namespace ConvVis.Interactive.Magics;

/// <summary><c>#!summary --model net [--input-shape 1,3,224,224]</c>: the layer summary, with output shapes from a dry run.</summary>
public sealed class SummaryMagic : ModelMagic
{
    internal const string Name = "#!summary";

    /// <summary>The input shape for the dry run, e.g. <c>1,3,224,224</c>.</summary>
    public string? InputShape { get; set; }

    internal static void AddTo(CSharpKernel kernel)
    {
        var directive = new KernelActionDirective(Name)
        {
            Description = "Show a model's layers, output shapes and parameter counts",
            Parameters =
            {
                ModelParameter(),
                new KernelDirectiveParameter("--input-shape", "Input shape for a dry run in eval mode, e.g. 1,3,224,224"),
            },
        };
        kernel.AddDirective<SummaryMagic>(directive, (command, context) =>
        {
            var model = command.GetModel<nn.Module>(kernel, Name);
            long[]? shape = ParseShape(command.InputShape);
            context.Display(new HtmlString(ModelSummary.Of(model, shape).ToHtml()), "text/html");
            return Task.CompletedTask;
        });
    }

    internal static long[]? ParseShape(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var parts = MagicCommands.List(text.Trim('[', ']', '(', ')'));
        var shape = new long[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!long.TryParse(parts[i], out shape[i]) || shape[i] <= 0)
                throw new ArgumentException($"{Name}: --input-shape '{text}' is not a shape. Give positive sizes separated by commas, e.g. --input-shape 1,3,224,224 (batch, channels, height, width).");
        }
        if (shape.Length == 0)
            throw new ArgumentException($"{Name}: --input-shape is empty. Give e.g. --input-shape 1,3,224,224.");
        return shape;
    }
}
