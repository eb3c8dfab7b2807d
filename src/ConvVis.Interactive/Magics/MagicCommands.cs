using Microsoft.DotNet.Interactive.CSharp;

namespace ConvVis.Interactive.Magics;

/// <summary>Adds every ConvVis magic command to a C# kernel.</summary>
static class MagicCommands
{
    public static List<string> AddTo(CSharpKernel kernel)
    {
        FiltersMagic.AddTo(kernel);
        SummaryMagic.AddTo(kernel);
        CaptureMagic.AddTo(kernel);
        SparsityMagic.AddTo(kernel);
        DeadFiltersMagic.AddTo(kernel);
        FixTorchSharpMagic.AddTo(kernel);
        GradCheckMagic.AddTo(kernel);
        return [FiltersMagic.Name, SummaryMagic.Name, CaptureMagic.Name, SparsityMagic.Name, DeadFiltersMagic.Name, FixTorchSharpMagic.Name, GradCheckMagic.Name];
    }

    /// <summary>Splits "a,b, c" into names; null or empty gives none.</summary>
    public static string[] List(string? value) =>
        string.IsNullOrWhiteSpace(value) ? [] : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
