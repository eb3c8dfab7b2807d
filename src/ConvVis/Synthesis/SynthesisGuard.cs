using ConvVis.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Synthesis;

/// <summary>
/// The one place where image synthesis takes hold of a model: eval mode (batch norm and dropout fixed while the input
/// is optimised), parameters' <c>requires_grad</c> off (no parameter graph, no <c>.grad</c>), the conv-gradient
/// correction installed (a wrong float32 input gradient would silently steer the optimisation elsewhere), and grad
/// mode on. Dispose gives everything back, also after an exception or a cancellation.
/// </summary>
internal sealed class SynthesisGuard : IDisposable
{
    private readonly ModelStateGuard _state;
    private readonly ModelStateGuard _modes;
    private readonly ConvGradientCorrection _correction;
    private readonly IDisposable _grad;

    public SynthesisGuard(nn.Module model)
    {
        _state = ModelStateGuard.ForGradients(model);
        try
        {
            _modes = ModelStateGuard.ForInference(model, "Remove the registration that makes the model contain itself.");
            try
            {
                _correction = ConvGradientCorrection.Install(model);
                _grad = torch.enable_grad();
            }
            catch
            {
                _modes.Dispose();
                throw;
            }
        }
        catch
        {
            _state.Dispose();
            throw;
        }
        if (_correction.FaultyLayers.Count > 0)
            Warnings.Add($"{ConvGradientFault.Explanation} Corrected here: {string.Join(", ", _correction.FaultyLayers.Select(n => $"'{n}'"))}.");
    }

    /// <summary>What the user should know (the conv-gradient fault, when this machine has it).</summary>
    public List<string> Warnings { get; } = [];

    public void Dispose()
    {
        _grad.Dispose();
        _correction.Dispose();
        _modes.Dispose();
        _state.Dispose();
    }
}
