namespace ConvVis;

/// <summary>How <see cref="Codes.Of(TorchSharp.torch.nn.Module{TorchSharp.torch.Tensor, TorchSharp.torch.Tensor}, string, InputBatches, CodesOptions?)"/> turns a layer's output into one vector per input.</summary>
public enum CodePooling
{
    /// <summary>Every value of the output, flattened: [N, C, H, W] gives C*H*W numbers per input.</summary>
    Flatten,

    /// <summary>The mean of each channel over its spatial positions: [N, C, H, W] gives C numbers per input (an output [N, D] is kept as it is).</summary>
    GlobalAveragePool,
}
