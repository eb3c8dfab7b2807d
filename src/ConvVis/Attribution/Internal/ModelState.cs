using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.AttributionCore;

/// <summary>
/// Guards a model during an attribution: turns off <c>requires_grad</c> of its parameters (so no parameter graph is
/// built and no <c>.grad</c> accumulates) and, when some module is in training mode (batch norm updates its running
/// statistics on every forward), snapshots the buffers; <see cref="Dispose"/> puts everything back.
/// </summary>
internal sealed class ModelState : IDisposable
{
    private readonly List<(TorchSharp.Modules.Parameter Parameter, bool RequiresGrad)> _parameters = new();
    private readonly List<(Tensor Buffer, Tensor Copy)> _buffers = new();

    public ModelState(nn.Module model)
    {
        foreach (var p in model.parameters())
        {
            _parameters.Add((p, p.requires_grad));
            if (p.requires_grad) p.requires_grad = false;
        }
        if (AnyTraining(model))
        {
            using var _ = torch.no_grad();
            foreach (var b in model.buffers())
                _buffers.Add((b, b.detach().clone().DetachFromDisposeScope()));
        }
    }

    public static bool AnyTraining(nn.Module model) => model.training || model.modules().Any(m => m.training);

    public void Dispose()
    {
        foreach (var (p, rg) in _parameters)
            if (p.requires_grad != rg) p.requires_grad = rg;
        if (_buffers.Count > 0)
        {
            using var _ = torch.no_grad();
            foreach (var (b, copy) in _buffers)
            {
                b.copy_(copy);
                copy.Dispose();
            }
            _buffers.Clear();
        }
    }
}
