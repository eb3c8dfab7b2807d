namespace ConvVis;

/// <summary>How an <see cref="ActivationRecorder"/> stores what it captures.</summary>
public sealed class CaptureOptions
{
    /// <summary>The default memory budget: 2 GiB of stored activations.</summary>
    public const long DefaultMemoryBudgetBytes = 2L * 1024 * 1024 * 1024;

    /// <summary>Copy activations to the CPU (default <c>true</c>), which frees GPU memory and makes them quick to render.</summary>
    public bool ToCpu { get; init; } = true;

    /// <summary>Keep only the first N samples of each batch (the first dimension); <c>null</c> keeps the whole batch.</summary>
    public int? MaxSamples { get; init; }

    /// <summary>
    /// Stop capturing (with an <see cref="InvalidOperationException"/> thrown from the hook, which aborts the forward pass)
    /// when the stored activations would exceed this many bytes; <c>null</c> means no limit. Default 2 GiB.
    /// </summary>
    public long? MemoryBudgetBytes { get; init; } = DefaultMemoryBudgetBytes;
}
