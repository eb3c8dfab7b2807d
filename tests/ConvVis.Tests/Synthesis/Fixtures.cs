namespace ConvVis.Tests.Synthesis;

/// <summary>An IProgress that runs its action on the calling thread (Progress&lt;T&gt; posts to the thread pool).</summary>
internal sealed class Inline<T>(Action<T> action) : IProgress<T>
{
    public void Report(T value) => action(value);
}

internal static class TensorCompare
{
    /// <summary>Same shape and bit-for-bit equal values.</summary>
    public static bool Same(TorchSharp.torch.Tensor a, TorchSharp.torch.Tensor b) =>
        a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();
}
