namespace ConvVis;

/// <summary>Options of <see cref="Codes.Of(TorchSharp.torch.nn.Module{TorchSharp.torch.Tensor, TorchSharp.torch.Tensor}, string, InputBatches, CodesOptions?)"/>.</summary>
public sealed record CodesOptions
{
    /// <summary>Flatten the layer's output (default) or average each channel over its spatial positions.</summary>
    public CodePooling Pooling { get; init; } = CodePooling.Flatten;

    /// <summary>Stop after this many inputs (null: the whole data set).</summary>
    public int? MaxInputs { get; init; }

    /// <summary>Told after every batch.</summary>
    public IProgress<WorkProgress>? Progress { get; init; }

    /// <summary>Cancels the scan between batches (hooks are removed and the model's modes restored).</summary>
    public CancellationToken CancellationToken { get; init; }
}
