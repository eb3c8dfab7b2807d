using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Directives;
using static TorchSharp.torch;

namespace ConvVis.Interactive.Magics;

/// <summary>
/// What the magic commands that collect activation statistics over a data set (<c>#!sparsity</c>, <c>#!dead-filters</c>)
/// share: <c>--layers</c> besides the data options, and a scan under a progress bar that stopping the cell cancels.
/// </summary>
internal abstract class DatasetScanMagic : DataMagic
{
    /// <summary>Comma-separated layer names, globs or types; every ReLU by default.</summary>
    public string? Layers { get; set; }

    /// <summary>The label of the progress bar, e.g. "Scanning activations".</summary>
    private protected abstract string ProgressLabel { get; }

    internal override IEnumerable<KernelDirectiveParameter> Options() =>
        [.. base.Options(), new("--layers", "Comma-separated layer names, globs or types (default: every ReLU)")];

    /// <summary>Scans the data with <paramref name="options"/> (batch limit, progress and cancellation are set) and returns the report's HTML.</summary>
    private protected abstract string Scan(nn.Module<Tensor, Tensor> model, InputBatches data, StatsOptions options);

    internal sealed override string? Run(CSharpKernel kernel, KernelInvocationContext context)
    {
        using var progress = NotebookProgress.Show(context, ProgressLabel);
        var model = GetModel<nn.Module<Tensor, Tensor>>(kernel);
        var data = GetData(kernel);
        var options = new StatsOptions { MaxBatches = Batches, Progress = progress, CancellationToken = progress.CancellationToken };
        return ChartScript.Once(context) + Scan(model, data, options);
    }
}
