using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Directives;
using static TorchSharp.torch;

namespace ConvVis.Interactive.Magics;

/// <summary>What every ConvVis magic command that works on a model shares: the <c>--model</c> option and its checks.</summary>
internal abstract class ModelMagic : MagicCommand
{
    /// <summary>The variable holding the model.</summary>
    public string? Model { get; set; }

    internal static KernelDirectiveParameter ModelParameter() =>
        new("--model", "The variable that holds the TorchSharp module (required)") { AllowImplicitName = true };

    /// <summary>The model the user named, or an error that says what to type instead.</summary>
    internal T GetModel<T>(CSharpKernel kernel, string magic) where T : nn.Module =>
        KernelVariables.Get<T>(kernel, Model, "--model", magic, "a TorchSharp module");
}
