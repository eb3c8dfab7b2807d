using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Directives;
using static TorchSharp.torch;

namespace ConvVis.Interactive.Magics;

/// <summary>What the magic commands that scan a dataset through a model (<c>#!sparsity</c>, <c>#!dead-filters</c>) share.</summary>
public abstract class DatasetScanMagic : ModelMagic
{
    /// <summary>The variable holding the input data.</summary>
    public string? Data { get; set; }
    /// <summary>Comma-separated layer names, globs or types; every ReLU by default.</summary>
    public string? Layers { get; set; }
    /// <summary>The most batches to scan.</summary>
    [NumberOption("--batches")]
    public int? Batches { get; set; }

    internal static IEnumerable<KernelDirectiveParameter> CommonParameters() =>
    [
        ModelParameter(),
        new KernelDirectiveParameter("--data", "The variable that holds the inputs: Tensor [N,C,H,W], LabeledImages, a DataLoader or an IEnumerable of batches (required)"),
        new KernelDirectiveParameter("--layers", "Comma-separated layer names, globs or types (default: every ReLU)"),
        new KernelDirectiveParameter("--batches", "Scan at most this many batches of 64 (default: all)"),
    ];

    /// <summary>Reads and checks the model, the data and the options; the scan reports to <paramref name="progress"/>.</summary>
    internal (nn.Module<Tensor, Tensor> Model, InputBatches Data, StatsOptions Options) Prepare(
        CSharpKernel kernel, string magic, NotebookProgress progress)
    {
        var model = GetModel<nn.Module<Tensor, Tensor>>(kernel, magic);
        var data = GetData(kernel, magic);
        if (Batches is <= 0) throw new ArgumentException($"{magic}: --batches must be a positive number, not {Batches}.");
        return (model, data, new StatsOptions { MaxBatches = Batches, Progress = progress, CancellationToken = progress.CancellationToken });
    }

    /// <summary>The <c>--data</c> variable as input batches, or an error naming the variable, what it is and what is accepted.</summary>
    internal InputBatches GetData(CSharpKernel kernel, string magic)
    {
        var value = KernelVariables.Get<object>(kernel, Data, "--data", magic,
            "input data: a Tensor [N, C, H, W], LabeledImages, a DataLoader or an IEnumerable of batches");
        return InputBatches.FromAny(value, dataName: $"{magic}: --data '{Data}'");
    }
}
