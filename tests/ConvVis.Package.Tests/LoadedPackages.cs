using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;

namespace ConvVis.Package.Tests;

/// <summary>
/// One kernel for the whole test run (a failed native TorchSharp load is permanent for a process), in which
/// the first cell is what a user types: the local feed, TorchSharp-cpu and ConvVis.Interactive.
/// </summary>
public sealed class LoadedPackages : IAsyncLifetime
{
    public CompositeKernel Kernel { get; private set; } = null!;
    public string Feed { get; private set; } = "";
    public Cell LoadCell { get; private set; } = null!;
    public static string Version => PackageFeed.Version;

    public async Task InitializeAsync()
    {
        // The extension's opt-in switch: it makes TorchSharp's native library load on Debian 12.
        Environment.SetEnvironmentVariable("CONVVIS_FIX_TORCHSHARP", "1");
        Feed = PackageFeed.Ensure();
        Kernel = NuGetKernel.Create();
        LoadCell = await SubmitAsync(
            $"#i \"nuget: {Feed}\"\n" +
            "#r \"nuget: TorchSharp-cpu, 0.107.0\"\n" +
            $"#r \"nuget: ConvVis.Interactive, {Version}\"");
        // A user's first TorchSharp call is often a layer constructor, which calls into the native library
        // before anything has run TorchSharp's loader (torch's static constructor). It must work too.
        FirstUseCell = await SubmitAsync("var firstLayer = TorchSharp.torch.nn.Conv2d(1, 2, 3);\nfirstLayer.weight.shape[0]");
    }

    /// <summary>The first cell after loading that uses TorchSharp: it builds a layer.</summary>
    public Cell FirstUseCell { get; private set; } = null!;

    public async Task<Cell> SubmitAsync(string code) =>
        new(code, (await Kernel.SendAsync(new SubmitCode(code))).Events);

    public Task DisposeAsync()
    {
        Kernel?.Dispose();
        return Task.CompletedTask;
    }
}

[CollectionDefinition(nameof(LoadedPackages))]
public sealed class LoadedPackagesCollection : ICollectionFixture<LoadedPackages>;

/// <summary>What one submitted cell produced.</summary>
public sealed class Cell(string code, IReadOnlyList<KernelEvent> events)
{
    public string Code { get; } = code;
    public IReadOnlyList<KernelEvent> Events { get; } = events;

    public string? Error => Events.OfType<CommandFailed>().FirstOrDefault() is { } failed
        ? failed.Message + (failed.Exception is { } e ? "\n" + e : "")
        : null;

    /// <summary>Fails the test with the kernel's error message when the cell failed.</summary>
    public Cell Succeeded()
    {
        Assert.True(Error is null, $"The cell failed:\n{Code}\n---\n{Error}");
        return this;
    }

    /// <summary>Every formatted value the cell displayed or returned, with its MIME type.</summary>
    public IEnumerable<FormattedValue> Outputs => Events.OfType<DisplayEvent>().SelectMany(e => e.FormattedValues);

    /// <summary>The object the cell returned; fails when it returned none.</summary>
    public object? ReturnedValue()
    {
        var returned = Events.OfType<ReturnValueProduced>().SingleOrDefault();
        Assert.True(returned is not null, $"The cell returned no value:\n{Code}");
        return returned!.Value;
    }

    /// <summary>The cell's return value as <paramref name="mimeType"/>; fails when it has none.</summary>
    public string Returned(string mimeType)
    {
        var returned = Events.OfType<ReturnValueProduced>().SingleOrDefault();
        Assert.True(returned is not null, $"The cell returned no value:\n{Code}");
        var value = returned!.FormattedValues.FirstOrDefault(v => v.MimeType == mimeType);
        Assert.True(value is not null,
            $"The return value has no {mimeType} form, only: {string.Join(", ", returned.FormattedValues.Select(v => v.MimeType))}");
        return value!.Value;
    }
}
