using System.Text.RegularExpressions;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Events;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace ConvVis.Package.Tests;

/// <summary>
/// The packed ConvVis.Interactive, loaded from a local feed with #r "nuget:..." into a real C# kernel
/// (this project has no reference to ConvVis), does what a notebook user sees: its extension loads and says
/// so, TorchSharp runs, a module shows as a layer summary and a conv weight as a picture of its filters.
/// </summary>
[Collection(nameof(LoadedPackages))]
public sealed partial class PackageLoadingTests(LoadedPackages packages)
{
    [Fact]
    public void PackagesRestoreFromTheLocalFeed()
    {
        packages.LoadCell.Succeeded();
        var added = packages.LoadCell.Events.OfType<PackageAdded>()
            .ToDictionary(p => p.PackageReference.PackageName, p => p.PackageReference, StringComparer.OrdinalIgnoreCase);
        foreach (string id in new[] { "ConvVis.Interactive", "ConvVis", "TorchSharp-cpu" })
            Assert.True(added.ContainsKey(id), $"{id} was not added; added: {string.Join(", ", added.Keys)}");
        Assert.Equal(LoadedPackages.Version, added["ConvVis.Interactive"].PackageVersion);
        Assert.Contains(added["ConvVis.Interactive"].AssemblyPaths, p => Path.GetFileName(p) == "ConvVis.Interactive.dll");
    }

    [Fact]
    public void ExtensionLoadsAndShowsItsBanner()
    {
        packages.LoadCell.Succeeded();
        var loaded = packages.LoadCell.Events.OfType<KernelExtensionLoaded>()
            .Select(e => e.KernelExtension.GetType()).ToList();
        Assert.True(loaded.Any(t => t.Assembly.GetName().Name == "ConvVis.Interactive"),
            $"no kernel extension from ConvVis.Interactive was loaded; loaded: {string.Join(", ", loaded.Select(t => t.FullName))}");
        // The restore's own "Installed Packages: ConvVis.Interactive, ..." message names ConvVis too: leave it out.
        var displayed = packages.LoadCell.Events.OfType<DisplayEvent>().Where(e => e.Value is not InstallPackagesMessage).ToList();
        Assert.True(displayed.Any(e => e.FormattedValues.Any(v => v.Value.Contains("ConvVis"))),
            "the extension displayed no banner mentioning ConvVis; displayed:\n"
            + string.Join("\n", displayed.SelectMany(e => e.FormattedValues).Select(v => $"{v.MimeType}: {v.Value}")));
    }

    [Fact]
    public void FirstTorchSharpUseCanBeALayer()
    {
        packages.LoadCell.Succeeded();
        Assert.Equal(2L, packages.FirstUseCell.Succeeded().ReturnedValue());
    }

    [Fact]
    public async Task TorchSharpComputesInTheKernel()
    {
        packages.LoadCell.Succeeded();
        var cell = (await packages.SubmitAsync("TorchSharp.torch.ones(2).sum().item<float>()")).Succeeded();
        Assert.Equal(2f, cell.ReturnedValue());
    }

    [Fact]
    public async Task ModuleDisplaysAsSummaryTableWithItsLayerNames()
    {
        packages.LoadCell.Succeeded();
        var cell = (await packages.SubmitAsync("""
            using TorchSharp;
            using static TorchSharp.torch.nn;
            torch.manual_seed(1);
            var net = Sequential(
                ("stem_conv", Conv2d(3, 8, 3, padding: 1)),
                ("stem_relu", ReLU()),
                ("pool", MaxPool2d(2)),
                ("head_conv", Conv2d(8, 16, 3, padding: 1)),
                ("flatten", Flatten()),
                ("classifier", Linear(16 * 16 * 16, 10)));
            net
            """)).Succeeded();
        string html = cell.Returned("text/html");
        Assert.Contains("<table", html);
        foreach (string layer in new[] { "stem_conv", "stem_relu", "pool", "head_conv", "flatten", "classifier" })
            Assert.Contains(layer, html);
    }

    [Fact]
    public async Task ConvWeightDisplaysAsPictureOfItsFilters()
    {
        packages.LoadCell.Succeeded();
        var cell = (await packages.SubmitAsync("""
            TorchSharp.torch.manual_seed(1);
            var conv = TorchSharp.torch.nn.Conv2d(3, 8, 5);
            conv.weight
            """)).Succeeded();
        string html = cell.Returned("text/html");
        var match = PngImg().Match(html);
        Assert.True(match.Success, $"no <img src=\"data:image/png;base64,...\"> in the weight's HTML:\n{html[..Math.Min(html.Length, 2000)]}");
        using var image = Image.Load<Rgba32>(Convert.FromBase64String(match.Groups[1].Value));
        // 8 RGB filters of 5x5: the picture holds at least 8 * 5 * 5 pixels, and is not absurdly large.
        Assert.InRange(image.Width, 5, 4096);
        Assert.InRange(image.Height, 5, 4096);
        Assert.True(image.Width * image.Height >= 8 * 5 * 5, $"{image.Width}x{image.Height} cannot hold 8 filters of 5x5");
    }

    [GeneratedRegex("<img[^>]*src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"")]
    private static partial Regex PngImg();
}
