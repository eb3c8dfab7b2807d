using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ConvVis.Capture;

/// <summary>
/// The forward hooks one tool put on a model, kept so that all of them can be removed, once, in
/// <see cref="Dispose"/> (also when a forward pass threw half-way).
/// </summary>
internal sealed class HookSet : IDisposable
{
    readonly List<Action> _removers = [];

    /// <summary>Number of hooks currently registered through this set.</summary>
    internal int Count => _removers.Count;

    /// <summary>Registers <paramref name="onOutput"/> to run after <paramref name="module"/>'s forward; it never replaces the output.</summary>
    internal void AddForwardHook(Module<Tensor, Tensor> module, Action<Tensor, Tensor> onOutput)
    {
        var handle = module.register_forward_hook((_, input, output) =>
        {
            onOutput(input, output);
            return null!; // null keeps the module's own output
        });
        _removers.Add(handle.remove);
    }

    /// <summary>Registers <paramref name="onInput"/> to run before <paramref name="module"/>'s forward; it never replaces the input.</summary>
    internal void AddForwardPreHook(Module<Tensor, Tensor> module, Action<Tensor> onInput)
    {
        var handle = module.register_forward_pre_hook((_, input) =>
        {
            onInput(input);
            return null!;
        });
        _removers.Add(handle.remove);
    }

    /// <summary>Removes every hook registered through this set.</summary>
    public void Dispose()
    {
        foreach (var remove in _removers) remove();
        _removers.Clear();
    }
}
