using Microsoft.AspNetCore.Html;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.CSharp;
using ConvVis.Interactive.Formatting;
using ConvVis.Interactive.Magics;
using TorchSharp;
using static TorchSharp.torch;

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

        ConvVisFormatters.Register();
        if (firstTime)
        {
            var notices = new List<BannerNotice>();
            notices.AddRange(ApplyOptedInTorchSharpFix());
            var status = SafeDiagnose();
            if (status is { NeedsFix: true })
                notices.Add(BannerNotice.Problem("TorchSharp will not load on this system yet.", status.Explanation));
            notices.AddRange(StartTorchSharp(status));
            var magics = new List<string>();
            root.VisitSubkernelsAndSelf(k =>
            {
                if (k is CSharpKernel csharp) magics = MagicCommands.AddTo(csharp);
            });
            KernelInvocationContext.Current?.Display(new HtmlString(Banner.Render(magics, notices)), "text/html");
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// Loads TorchSharp's native code now, its own copies by full path first (<see cref="TorchSharpNativeLoader"/>), so
    /// that another libtorch on the system cannot take their place. TorchSharp loads its natives on the first
    /// <c>torch.*</c> call only, so a notebook whose first TorchSharp call is a layer constructor (<c>nn.Conv2d(...)</c>)
    /// would otherwise fail with DllNotFoundException. While <c>libLibTorchSharp.so</c> still needs the libstdc++ fix,
    /// only libtorch is loaded: a failed load is permanent, and the fix may still come (<c>#!convvis-fix-torchsharp</c>).
    /// A failure becomes a short notice naming the cause and the remedy, not TorchSharp's load trace.
    /// </summary>
    static IEnumerable<BannerNotice> StartTorchSharp(TorchSharpNativeStatus? status)
    {
        const string heading = "TorchSharp could not load its native library.";
        bool libStdCxxOk = status is { NeedsFix: false };
        TorchSharpNativeLoad natives;
        try
        {
            natives = TorchSharpNativeLoader.Load(withLibTorchSharp: libStdCxxOk);
        }
        catch (Exception e)   // the extension must load whatever happens here
        {
            return [BannerNotice.Problem(heading, TorchSharpNativeLoader.Explain(e))];
        }
        if (!natives.Succeeded) return [BannerNotice.Problem(heading, natives.Problem!)];
        // Without TorchSharp's libtorch package next to it, TorchSharp's own error (at the first use) names it.
        bool libTorchPresent = OperatingSystem.IsLinux() ? natives.Loaded.Count > 0 : LibTorchRestored();
        if (!libStdCxxOk || !libTorchPresent) return [];
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
        }
        catch (Exception e)
        {
            return [BannerNotice.Problem(heading, TorchSharpNativeLoader.Explain(e))];
        }
        return GradientFault();
    }

    /// <summary>
    /// Says so when this machine's libtorch computes wrong float32 conv input gradients (a check of two small convs, a
    /// few milliseconds): the user's own training is affected, and only a variable set before the kernel starts helps.
    /// </summary>
    static IEnumerable<BannerNotice> GradientFault()
    {
        try
        {
            return ConvGradientFault.MachineIsAffected()
                ? [BannerNotice.Problem("This machine computes some conv gradients wrong.", ConvGradientFault.Explanation)]
                : [];
        }
        catch (Exception) { return []; } // a check must never stop the extension from loading
    }

    static TorchSharpNativeStatus? SafeDiagnose()
    {
        try { return TorchSharpNativeFix.Diagnose(); }
        catch (Exception) { return null; } // a diagnosis must never stop the extension from loading
    }

    static bool LibTorchRestored()
    {
        string? dir = Path.GetDirectoryName(typeof(torch).Assembly.Location);
        if (string.IsNullOrEmpty(dir)) return false;
        // A build output folder has the natives beside the assembly; in the NuGet cache TorchSharp looks for a
        // libtorch-* package next to its own (<cache>/torchsharp/<version>/lib/<tfm>/TorchSharp.dll).
        string runtimes = Path.Combine(dir, "runtimes");
        if (Directory.Exists(runtimes) && Directory.EnumerateFiles(runtimes, "libtorch_cpu.so", SearchOption.AllDirectories).Any()) return true;
        var cache = Directory.GetParent(dir)?.Parent?.Parent?.Parent;
        return cache is not null && cache.EnumerateDirectories("libtorch-*").Any();
    }

    static IEnumerable<BannerNotice> ApplyOptedInTorchSharpFix()
    {
        try
        {
            if (!TorchSharpNativeFix.OptedIn) return [];
            var changed = TorchSharpNativeFix.Apply();
            return changed.Count == 0 ? [] : [new($"Applied the opted-in TorchSharp fix ({TorchSharpNativeFix.OptInVariable}=1) to {changed.Count} file(s).")];
        }
        catch (Exception e)
        {
            return [BannerNotice.Problem("The opted-in TorchSharp fix failed.", e.Message)];
        }
    }
}
