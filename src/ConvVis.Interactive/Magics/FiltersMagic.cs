using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Directives;
using static TorchSharp.torch;

namespace ConvVis.Interactive.Magics;

/// <summary><c>#!filters --model net [--layers conv1,features.3]</c>: the filter grids of a model's conv layers.</summary>
internal sealed class FiltersMagic : ModelMagic
{
    /// <summary>Comma-separated layer names or patterns; all conv layers when empty.</summary>
    public string? Layers { get; set; }

    internal override string DirectiveName => "#!filters";
    internal override string Description => "Show the filters of a model's conv layers";
    internal override string Example => "#!filters --model net --layers conv1";

    internal override IEnumerable<KernelDirectiveParameter> Options() =>
        [.. base.Options(), new("--layers", "Comma-separated layer names or patterns (default: every Conv2d)")];

    internal override string? Run(CSharpKernel kernel, KernelInvocationContext context) =>
        ModelFilters.Of(GetModel<nn.Module>(kernel), List(Layers)).ToHtml();
}
