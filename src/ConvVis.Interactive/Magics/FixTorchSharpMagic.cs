using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.CSharp;

namespace ConvVis.Interactive.Magics;

/// <summary>
/// <c>#!convvis-fix-torchsharp</c>: the opt-in fix for TorchSharp's native library on systems with an older
/// libstdc++ (see <see cref="TorchSharpNativeFix"/>). It must run before the first use of torch.
/// </summary>
internal sealed class FixTorchSharpMagic : MagicCommand
{
    internal override string DirectiveName => "#!convvis-fix-torchsharp";
    internal override string Description => "Let TorchSharp's native library load on systems with GCC 12's libstdc++ (Debian 12, Ubuntu 22.04); keeps .orig backups";
    internal override string Example => "#!convvis-fix-torchsharp";

    internal override string? Run(CSharpKernel kernel, KernelInvocationContext context)
    {
        var status = TorchSharpNativeFix.Diagnose();
        string text;
        if (!status.NeedsFix)
            text = "TorchSharp's native library needs nothing from this system that it lacks: no change made.";
        else
        {
            var changed = TorchSharpNativeFix.Apply();
            text = $"Marked {string.Join(", ", status.MissingVersions)} weak in {changed.Count} file(s): {string.Join(", ", changed)} (a .orig copy of each is kept). "
                 + "If torch already failed to load in this kernel, restart the kernel: a failed load lasts for the process.";
        }
        return $"<div style=\"font-family:sans-serif\">{Html.Escape(text)}</div>";
    }
}
