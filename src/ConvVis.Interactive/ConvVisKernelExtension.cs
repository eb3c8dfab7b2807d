using Microsoft.AspNetCore.Html;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.CSharp;
using ConvVis.Interactive.Formatting;
using ConvVis.Interactive.Magics;

namespace ConvVis.Interactive;

/// <summary>
/// The .NET Interactive extension: loaded automatically by <c>#r "nuget: ConvVis.Interactive"</c>. It registers
/// the formatters that draw TorchSharp modules, tensors and ConvVis views, and the magic commands.
/// </summary>
public sealed class ConvVisKernelExtension : IKernelExtension
{
    // Directives cannot be registered twice on a kernel; a second #r of the package, or a notebook that
    // loads the extension by hand too, must be harmless.
    static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Kernel, object> Loaded = new();

    /// <inheritdoc />
    public Task OnLoadAsync(Kernel kernel) => LoadAsync(kernel);

    /// <summary>Registers formatters and magic commands on <paramref name="kernel"/> and its C# subkernels. Idempotent.</summary>
    public static Task LoadAsync(Kernel kernel)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        var root = kernel.RootKernel;
        bool firstTime = false;
        lock (Loaded)
        {
            if (!Loaded.TryGetValue(root, out _))
            {
                Loaded.Add(root, new object());
                firstTime = true;
            }
        }

        string fixNote = ApplyOptedInTorchSharpFix();
        ConvVisFormatters.Register();
        if (firstTime)
        {
            var magics = new List<string>();
            root.VisitSubkernelsAndSelf(k =>
            {
                if (k is CSharpKernel csharp) magics = MagicCommands.AddTo(csharp);
            });
            KernelInvocationContext.Current?.Display(new HtmlString(Banner.Render(magics, fixNote)), "text/html");
        }
        return Task.CompletedTask;
    }

    static string ApplyOptedInTorchSharpFix()
    {
        try
        {
            if (!TorchSharpNativeFix.OptedIn) return "";
            var changed = TorchSharpNativeFix.Apply();
            return changed.Count == 0 ? "" : $"Applied the opted-in TorchSharp fix ({TorchSharpNativeFix.OptInVariable}=1) to {changed.Count} file(s).";
        }
        catch (Exception e)
        {
            return "The opted-in TorchSharp fix failed: " + e.Message;
        }
    }
}
