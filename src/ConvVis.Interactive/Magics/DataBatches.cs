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
            Tensor t when t.dim() >= 2 => new Slices(t, BatchSize),
            Tensor t => throw new ArgumentException($"{magic}: --data '{name}' is a tensor of shape [{string.Join(", ", t.shape)}]; give a batch of inputs [N, C, H, W]."),
            LabeledImages images => new Slices(images.Images, BatchSize),
            IEnumerable<Tensor> batches => batches,
            IEnumerable<(Tensor, Tensor)> labeled => labeled.Select(b => b.Item1),
            _ => throw new ArgumentException($"{magic}: --data '{name}' is a {value.GetType().Name}; give a Tensor [N, C, H, W], LabeledImages, IEnumerable<Tensor> or IEnumerable<(Tensor, Tensor)>."),
        };
    }

    /// <summary>
    /// Views of the inputs along dimension 0, made lazily (inside the scan's per-batch dispose scope), with a known
    /// count so the progress bar shows a total. Only ConvVis's public API is used here: the two packages ship apart.
    /// </summary>
    sealed class Slices(Tensor inputs, int batchSize) : IReadOnlyCollection<Tensor>
    {
        public int Count => (int)((inputs.shape[0] + batchSize - 1) / batchSize);

        public IEnumerator<Tensor> GetEnumerator()
        {
            long n = inputs.shape[0];
            for (long start = 0; start < n; start += batchSize)
                yield return inputs.narrow(0, start, Math.Min(batchSize, n - start));
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
