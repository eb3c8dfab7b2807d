using System.Text.RegularExpressions;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace ConvVis.Interactive.Tests;

/// <summary>
/// A real C# kernel inside a composite kernel, as a notebook has it, with the extension loaded. Formatters are
/// process-global, so every test class that uses this is in one non-parallel collection and starts from the
/// default formatters.
/// </summary>
public sealed class NotebookKernel : IDisposable
{
    public CompositeKernel Root { get; }
    public CSharpKernel CSharp { get; }
    public IReadOnlyList<KernelEvent> LoadEvents { get; }

    NotebookKernel(CompositeKernel root, CSharpKernel csharp, IReadOnlyList<KernelEvent> loadEvents)
    {
        Root = root; CSharp = csharp; LoadEvents = loadEvents;
    }

    public const string LoadCode =
        "await new ConvVis.Interactive.ConvVisKernelExtension().OnLoadAsync(Microsoft.DotNet.Interactive.KernelInvocationContext.Current.HandlingKernel.RootKernel);";

    public static async Task<NotebookKernel> StartAsync()
    {
        Formatter.ResetToDefault();
        ConvVisDisplay.TensorsAsPictures = true;
        var csharp = new CSharpKernel();
        var root = new CompositeKernel { csharp };
        root.DefaultKernelName = csharp.Name;
        csharp.AddAssemblyReferences(new[]
        {
            typeof(TorchSharp.torch).Assembly.Location,
            typeof(ConvVis.ModelLayers).Assembly.Location,
            typeof(ConvVisKernelExtension).Assembly.Location,
        });
        // Load the way the kernel does after #r "nuget:...": inside a running command, so the banner is shown.
        var load = await root.SendAsync(new SubmitCode(LoadCode));
        var kernel = new NotebookKernel(root, csharp, load.Events);
        if (load.Events.OfType<CommandFailed>().FirstOrDefault() is { } failed)
            throw new Xunit.Sdk.XunitException("Loading the extension failed: " + failed.Message);
        await kernel.RunAsync("using TorchSharp; using static TorchSharp.torch; using ConvVis; using ConvVis.Interactive;");
        return kernel;
    }

    /// <summary>Submits a cell and fails the test when it fails.</summary>
    public async Task<CellResult> RunAsync(string code)
    {
        var cell = await SubmitAsync(code);
        if (cell.Error is { } error) throw new Xunit.Sdk.XunitException($"The cell failed: {error}\n{code}");
        return cell;
    }

    /// <summary>Submits a cell that must fail, and checks that its error says every one of <paramref name="expected"/>.</summary>
    public async Task<CellResult> FailAsync(string code, params string[] expected)
    {
        var cell = await SubmitAsync(code);
        Assert.NotNull(cell.Error);
        foreach (string text in expected) Assert.Contains(text, cell.Error);
        return cell;
    }

    /// <summary>Submits a cell and returns what it produced, including its error.</summary>
    public async Task<CellResult> SubmitAsync(string code)
    {
        var result = await Root.SendAsync(new SubmitCode(code));
        return new CellResult(result.Events);
    }

    public void Dispose()
    {
        Root.Dispose();
        Formatter.ResetToDefault();
    }
}

/// <summary>What a cell produced.</summary>
public sealed class CellResult(IReadOnlyList<KernelEvent> events)
{
    public IReadOnlyList<KernelEvent> Events { get; } = events;

    public string? Error => Events.OfType<CommandFailed>().FirstOrDefault()?.Message;

    /// <summary>Every text/html output of the cell: displayed values and the return value.</summary>
    public IReadOnlyList<string> Html =>
        Events.OfType<DisplayEvent>()
              .SelectMany(e => e.FormattedValues)
              .Where(v => v.MimeType == "text/html")
              .Select(v => v.Value)
              .ToList();

    public string AllHtml => string.Join("\n", Html);

    /// <summary>Decodes every embedded PNG of the cell's HTML.</summary>
    public IReadOnlyList<Image<Rgba32>> Pngs() =>
        Regex.Matches(AllHtml, "data:image/png;base64,([A-Za-z0-9+/=]+)")
             .Select(m => Image.Load<Rgba32>(Convert.FromBase64String(m.Groups[1].Value)))
             .ToList();
}

[CollectionDefinition("Kernel", DisableParallelization = true)]
public sealed class KernelCollection;
