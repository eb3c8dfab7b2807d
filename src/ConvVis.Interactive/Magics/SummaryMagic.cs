using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Directives;
using static TorchSharp.torch;

namespace ConvVis.Interactive.Magics;

/// <summary><c>#!summary --model net [--input-shape 1,3,224,224]</c>: the layer summary, with output shapes from a dry run.</summary>
internal sealed class SummaryMagic : ModelMagic
{
    /// <summary>The input shape for the dry run: <c>1,3,224,224</c> or <c>[1,3,224,224]</c>.</summary>
    [TextOption]
    public string? InputShape { get; set; }

    internal override string DirectiveName => "#!summary";
    internal override string Description => "Show a model's layers, output shapes and parameter counts";
    internal override string Example => "#!summary --model net --input-shape 1,3,224,224";

    internal override IEnumerable<KernelDirectiveParameter> Options() =>
    [
        .. base.Options(),
        new("--input-shape", "Input shape for a dry run in eval mode: 1,3,224,224 or [1,3,224,224] (default: none, so no output shapes)"),
    ];

    internal override string? Run(CSharpKernel kernel, KernelInvocationContext context) =>
        ModelSummary.Of(GetModel<nn.Module>(kernel), InputShapes.Parse(InputShape, DirectiveName)).ToHtml();
}
