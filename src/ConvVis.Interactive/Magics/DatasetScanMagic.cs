using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Directives;
using static TorchSharp.torch;

namespace ConvVis.Interactive.Magics;

/// <summary>
/// What the magic commands that scan a dataset through a model (<c>#!sparsity</c>, <c>#!dead-filters</c>) share: the
/// options <c>--data</c>, <c>--layers</c> and <c>--batches</c>, and a scan under a progress bar that stopping the cell cancels.
/// </summary>
internal abstract class DatasetScanMagic : ModelMagic
{
    /// <summary>The variable holding the input data.</summary>
    public string? Data { get; set; }
    /// <summary>Comma-separated layer names, globs or types; every ReLU by default.</summary>
    public string? Layers { get; set; }
    /// <summary>The most batches to scan.</summary>
    [NumberOption("--batches")]
    public int? Batches { get; set; }

    /// <summary>The label of the progress bar, e.g. "Scanning activations".</summary>
    private protected abstract string ProgressLabel { get; }

    internal override IEnumerable<KernelDirectiveParameter> Options() =>
    [
        .. base.Options(),
        new("--data", "The variable that holds the inputs: Tensor [N,C,H,W], LabeledImages, a DataLoader or an IEnumerable of batches (required)"),
        new("--layers", "Comma-separated layer names, globs or types (default: every ReLU)"),
        new("--batches", $"Scan at most this many batches of {InputBatches.DefaultBatchSize} (default: all)"),
    ];

    /// <summary>Scans the data with <paramref name="options"/> (batch limit, progress and cancellation are set) and returns the report's HTML.</summary>
    private protected abstract string Scan(nn.Module<Tensor, Tensor> model, InputBatches data, StatsOptions options);

    internal sealed override string? Run(CSharpKernel kernel, KernelInvocationContext context)
    {
        using var progress = NotebookProgress.Show(context, ProgressLabel);
        var model = GetModel<nn.Module<Tensor, Tensor>>(kernel);
        var data = GetData(kernel);
        if (Batches is <= 0) throw new ArgumentException($"{DirectiveName}: --batches must be a positive number, not {Batches}.");
        var options = new StatsOptions { MaxBatches = Batches, Progress = progress, CancellationToken = progress.CancellationToken };
        return ChartScript.Once(context) + Scan(model, data, options);
    }

    /// <summary>The <c>--data</c> variable as input batches, or an error naming the variable, what it is and what is accepted.</summary>
    internal InputBatches GetData(CSharpKernel kernel)
    {
        var value = KernelVariables.Get<object>(kernel, Data, "--data", DirectiveName,
            "input data: a Tensor [N, C, H, W], LabeledImages, a DataLoader or an IEnumerable of batches");
        return InputBatches.FromAny(value, dataName: $"{DirectiveName}: --data '{Data}'");
    }
}
