using Microsoft.DotNet.Interactive.CSharp;
using static TorchSharp.torch;

namespace ConvVis.Interactive.Magics;

/// <summary>Turns the user's data variable into input batches for the scans behind <c>#!sparsity</c> and <c>#!dead-filters</c>.</summary>
static class DataBatches
{
    static readonly int BatchSize = new StatsOptions().BatchSize;

    public static IEnumerable<Tensor> Get(CSharpKernel kernel, string? name, string magic)
    {
        var value = KernelVariables.Get<object>(kernel, name, "--data", magic,
            "input data: a Tensor [N, C, H, W], LabeledImages, or an IEnumerable of batches");
        return value switch
        {
            Tensor t when t.dim() >= 2 => ActivationStats.SplitBatches(t, BatchSize),
            Tensor t => throw new ArgumentException($"{magic}: --data '{name}' is a tensor of shape [{string.Join(", ", t.shape)}]; give a batch of inputs [N, C, H, W]."),
            LabeledImages images => ActivationStats.SplitBatches(images.Images, BatchSize),
            IEnumerable<Tensor> batches => batches,
            IEnumerable<(Tensor, Tensor)> labeled => labeled.Select(b => b.Item1),
            _ => throw new ArgumentException($"{magic}: --data '{name}' is a {value.GetType().Name}; give a Tensor [N, C, H, W], LabeledImages, IEnumerable<Tensor> or IEnumerable<(Tensor, Tensor)>."),
        };
    }
}
