using Microsoft.AspNetCore.Html;
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
    internal const string Name = "#!gradcheck";

    /// <summary>The input shape, batch first, e.g. <c>2,1,28,28</c>.</summary>
    public string? InputShape { get; set; }

    internal static void AddTo(CSharpKernel kernel)
    {
        var directive = new KernelActionDirective(Name)
        {
            Description = "Check that this machine computes the model's float32 gradients right (against float64), layer by layer",
            Parameters =
            {
                ModelParameter(),
                new KernelDirectiveParameter("--input-shape", "Input shape, batch first, e.g. 2,1,28,28 (required; use a batch of 2 or more)"),
            },
        };
        MagicCommands.Add<GradCheckMagic>(kernel, directive, "#!gradcheck --model net --input-shape 2,1,28,28", (command, context) =>
        {
            var model = command.GetModel<nn.Module<Tensor, Tensor>>(kernel, Name);
            var shape = SummaryMagic.ParseShape(command.InputShape)
                ?? throw new ArgumentException($"{Name}: give the input shape, batch first, e.g. {Name} --model {command.Model ?? "net"} --input-shape 2,1,28,28.");
            context.Display(new HtmlString(GradientCheck.Of(model, shape).ToHtml()), "text/html");
            return Task.CompletedTask;
        });
    }
}
