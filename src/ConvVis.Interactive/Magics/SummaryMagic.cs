using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Html;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Directives;
using static TorchSharp.torch;

namespace ConvVis.Interactive.Magics;

/// <summary><c>#!summary --model net [--input-shape 1,3,224,224]</c>: the layer summary, with output shapes from a dry run.</summary>
internal sealed class SummaryMagic : ModelMagic
{
    internal const string Name = "#!summary";

    /// <summary>The input shape for the dry run: <c>1,3,224,224</c> or <c>[1,3,224,224]</c>.</summary>
    [TextOption]
    public string? InputShape { get; set; }

    internal static void AddTo(CSharpKernel kernel)
    {
        var directive = new KernelActionDirective(Name)
        {
            Description = "Show a model's layers, output shapes and parameter counts",
            Parameters =
            {
                ModelParameter(),
                new KernelDirectiveParameter("--input-shape", "Input shape for a dry run in eval mode: 1,3,224,224 or [1,3,224,224] (default: none, so no output shapes)"),
            },
        };
        MagicCommands.Add<SummaryMagic>(kernel, directive, "#!summary --model net --input-shape 1,3,224,224", (command, context) =>
        {
            var model = command.GetModel<nn.Module>(kernel, Name);
            long[]? shape = ParseShape(command.InputShape);
            context.Display(new HtmlString(ModelSummary.Of(model, shape).ToHtml()), "text/html");
            return Task.CompletedTask;
        });
    }

    /// <summary>The two forms the help shows: sizes separated by commas, optionally in square brackets (spaces allowed).</summary>
    static readonly Regex ShapeForm = new(@"^\s*(\[\s*(?<list>[^\[\]]*?)\s*\]|(?<list>[^\[\]]*?))\s*$", RegexOptions.CultureInvariant);

    internal static long[]? ParseShape(string? text)
    {
        if (text is null) return null;
        const string Forms = "Give positive sizes separated by commas, e.g. --input-shape 1,3,224,224 or --input-shape [1,3,224,224] (batch, channels, height, width).";
        var match = ShapeForm.Match(text);
        var parts = match.Success ? match.Groups["list"].Value.Split(',', StringSplitOptions.TrimEntries) : [];
        if (parts is [""]) throw new ArgumentException($"{Name}: --input-shape is empty. {Forms}");
        var shape = new long[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!long.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out shape[i]) || shape[i] <= 0)
                throw new ArgumentException($"{Name}: --input-shape '{text}' is not a shape. {Forms}");
        }
        if (shape.Length == 0) throw new ArgumentException($"{Name}: --input-shape '{text}' is not a shape. {Forms}");
        return shape;
    }
}
