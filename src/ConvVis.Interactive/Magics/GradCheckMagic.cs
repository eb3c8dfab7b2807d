using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Directives;
using static TorchSharp.torch;

namespace ConvVis.Interactive.Magics;

/// <summary>
/// <c>#!gradcheck --model net --input-shape 2,1,28,28</c>: per layer, float32 against float64 gradients of the input and
/// the parameters, with a verdict (<see cref="GradientCheck"/>).
/// </summary>
internal sealed class GradCheckMagic : ModelMagic
{
    /// <summary>The input shape, batch first, e.g. <c>2,1,28,28</c>.</summary>
    public string? InputShape { get; set; }

    internal override string DirectiveName => "#!gradcheck";
    internal override string Description => "Check that this machine computes the model's float32 gradients right (against float64), layer by layer";
    internal override string Example => "#!gradcheck --model net --input-shape 2,1,28,28";

    internal override IEnumerable<KernelDirectiveParameter> Options() =>
        [.. base.Options(), new("--input-shape", "Input shape, batch first, e.g. 2,1,28,28 (required; use a batch of 2 or more)")];

    internal override string? Run(CSharpKernel kernel, KernelInvocationContext context)
    {
        var model = GetModel<nn.Module<Tensor, Tensor>>(kernel);
        var shape = InputShapes.Parse(InputShape, DirectiveName)
            ?? throw new ArgumentException($"{DirectiveName}: give the input shape, batch first, e.g. {DirectiveName} --model {Model ?? "net"} --input-shape 2,1,28,28.");
        return GradientCheck.Of(model, shape).ToHtml();
    }
}
