using static TorchSharp.torch;

namespace ConvVis.Attributions.Internal;

/// <summary>
/// A layer output that a forward hook keeps for use after the forward pass. A model whose <c>forward</c> opens its own
/// dispose scope frees every tensor made inside it when it returns, the hooked output included. So the hook keeps an
/// alias (the output's storage and autograd history) outside every scope, and after the forward pass the caller
/// <see cref="Adopt"/>s it into its own scope.
/// </summary>
internal static class KeptOutput
{
    /// <summary>In the hook: an alias of <paramref name="output"/> that no dispose scope owns.</summary>
    public static Tensor Keep(Tensor output) => output.alias().DetachFromDisposeScope();

    /// <summary>After the forward pass: the kept tensor as a tensor of the current dispose scope.</summary>
    public static Tensor Adopt(Tensor kept)
    {
        var owned = kept.alias();
        kept.Dispose();
        return owned;
    }
}
