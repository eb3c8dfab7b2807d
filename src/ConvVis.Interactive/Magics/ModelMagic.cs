using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Directives;
using static TorchSharp.torch;

namespace ConvVis.Interactive.Magics;

/// <summary>What every ConvVis magic command that works on a model shares: the <c>--model</c> option and its checks.</summary>
internal abstract class ModelMagic : MagicCommand
{
    /// <summary>The variable holding the model.</summary>
    public string? Model { get; set; }

    /// <inheritdoc />
    internal override IEnumerable<KernelDirectiveParameter> Options() =>
        [new("--model", "The variable that holds the TorchSharp module (required)") { AllowImplicitName = true }];

    /// <summary>The model the user named, or an error that says what to type instead.</summary>
    internal T GetModel<T>(CSharpKernel kernel) where T : nn.Module =>
        KernelVariables.Get<T>(kernel, Model, "--model", DirectiveName, "a TorchSharp module");
}
