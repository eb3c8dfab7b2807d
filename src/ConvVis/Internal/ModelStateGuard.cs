using ConvVis.Inspection;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ConvVis.Internal;

/// <summary>
/// Saves what running a model can change and puts it back on <see cref="Dispose"/>, also when the run throws or is
/// cancelled: the one way library code leaves a user's model as it found it. Which state is saved depends on the run:
/// <see cref="ForInference"/> for passes that only read the model (scans, dry runs, recordings),
/// <see cref="ForGradients"/> for passes that differentiate through it (attribution, gradient checks, synthesis).
/// </summary>
/// <remarks>Not thread-safe: one guard per model at a time, disposed on the thread that created it.</remarks>
internal sealed class ModelStateGuard : IDisposable
{
    private readonly List<(nn.Module Module, bool Training)> _modes = [];
    private readonly List<(Parameter Parameter, bool RequiresGrad)> _parameters = [];
    private readonly List<(Tensor Buffer, Tensor Copy)> _buffers = [];
    private bool _disposed;

    private ModelStateGuard() { }

    /// <summary>
    /// Puts every module of <paramref name="model"/> in eval mode; <see cref="Dispose"/> gives each module back its own
    /// train/eval flag (modules of one model can be in different modes, e.g. a frozen batch norm in a training model).
    /// </summary>
    /// <param name="model">The model about to be run.</param>
    /// <param name="instead">
    /// What the user can do when the model contains itself (TorchSharp's <c>eval()</c> would recurse forever), appended
    /// to the <see cref="ArgumentException"/> that refuses it.
    /// </param>
    public static ModelStateGuard ForInference(nn.Module model, string instead)
    {
        ModuleWalk.RefuseCycles(model, instead);
        var guard = new ModelStateGuard();
        foreach (var (_, module) in ModuleWalk.Modules(model)) guard._modes.Add((module, module.training));
        model.eval();
        return guard;
    }

    /// <summary>
    /// Turns off <c>requires_grad</c> of every parameter of <paramref name="model"/> (so no parameter graph is built and
    /// no <c>.grad</c> accumulates) and, when some module is in training mode (batch norm then updates its running
    /// statistics on every forward), snapshots the buffers. Train/eval modes are left as they are: the caller decides.
    /// <see cref="Dispose"/> restores the flags and the buffers. Code may turn <c>requires_grad</c> on for a parameter
    /// inside the guard; it is put back too.
    /// </summary>
    /// <param name="model">The model about to be differentiated.</param>
    public static ModelStateGuard ForGradients(nn.Module model)
    {
        var guard = new ModelStateGuard();
        foreach (var (_, p) in ModuleWalk.Parameters(model))
        {
            guard._parameters.Add((p, p.requires_grad));
            if (p.requires_grad) p.requires_grad = false;
        }
        if (AnyTraining(model))
        {
            using var _ = torch.no_grad();
            foreach (var b in model.buffers())
                guard._buffers.Add((b, b.detach().clone().DetachFromDisposeScope()));
        }
        return guard;
    }

    /// <summary>True when <paramref name="model"/> or any module below it is in training mode.</summary>
    public static bool AnyTraining(nn.Module model) => ModuleWalk.Modules(model).Any(m => m.Module.training);

    /// <summary>Restores what the guard saved; a second call does nothing.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        // Parents first: train(bool) recurses into children, so each child's own flag is set after its parent's.
        foreach (var (module, training) in _modes) module.train(training);
        foreach (var (p, requiresGrad) in _parameters)
            if (p.requires_grad != requiresGrad) p.requires_grad = requiresGrad;
        if (_buffers.Count > 0)
        {
            using var _ = torch.no_grad();
            foreach (var (buffer, copy) in _buffers)
            {
                buffer.copy_(copy);
                copy.Dispose();
            }
            _buffers.Clear();
        }
    }
}
