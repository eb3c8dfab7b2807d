using static TorchSharp.torch;

namespace ConvVis.Health;

/// <summary>
/// Puts a model in eval mode and, on dispose, gives every module back its own train/eval flag
/// (modules of one model can be in different modes, e.g. a frozen BatchNorm).
/// </summary>
internal sealed class ModelModeGuard : IDisposable
{
    readonly List<(nn.Module Module, bool Training)> _modes = [];

    public ModelModeGuard(nn.Module model)
    {
        Inspection.ModuleWalk.RefuseCycles(model, "Remove that registration to scan it.");
        _modes.Add((model, model.training));
        foreach (var (_, m) in model.named_modules()) _modes.Add((m, m.training));
        model.eval();
    }

    public void Dispose()
    {
        // Parents first: train(bool) recurses into children, so set children after their parent.
        foreach (var (m, training) in _modes) m.train(training);
    }
}
