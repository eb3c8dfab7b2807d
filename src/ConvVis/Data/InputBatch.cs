using static TorchSharp.torch;

namespace ConvVis;

/// <summary>One batch of a data set: the inputs [N, ...] and, when the data has them, the labels [N].</summary>
/// <param name="Inputs">The inputs, [N, ...].</param>
/// <param name="Labels">The class index of every input, [N]; null when the data has no labels.</param>
public readonly record struct InputBatch(Tensor Inputs, Tensor? Labels)
{
    /// <summary>The number of inputs in the batch (1 for a scalar input).</summary>
    public long Count => Inputs.dim() == 0 ? 1 : Inputs.shape[0];
}
