using static TorchSharp.torch;

namespace ConvVis.Interactive.Magics;

/// <summary>
/// <c>#!sparsity --model net --data X [--layers ...] [--batches N]</c>: per layer and channel, how often activations
/// are zero, with a table and a bar chart per layer (<see cref="ActivationStats"/>).
/// </summary>
internal sealed class SparsityMagic : DatasetScanMagic
{
    internal override string DirectiveName => "#!sparsity";
    internal override string Description => "Activation sparsity per layer and channel over a dataset (table and bar charts)";
    internal override string Example => "#!sparsity --model net --data images --batches 8";
    private protected override string ProgressLabel => "Scanning activations";

    private protected override string Scan(nn.Module<Tensor, Tensor> model, InputBatches data, StatsOptions options)
    {
        var layers = List(Layers);
        return ActivationStats.Collect(model, data, options, layers.Length > 0 ? layers : ["ReLU"]).ToHtml();
    }
}
