using ConvVis.Gradients;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// While installed, the conv layers of a model whose float32 backward is wrong on this machine (see
/// <see cref="ConvGradientFault"/>) get their gradients — of the input, and of weight and bias when they require
/// grad — recomputed in float64; every other layer keeps libtorch's fast path. ConvVis's gradient-based methods
/// install it for every call; install it yourself around training to train such layers correctly:
/// <code>using (ConvGradientCorrection.Install(model)) { loss.backward(); ... }</code>
/// Dispose removes its hooks. The forward values are the layers' own, unchanged.
/// </summary>
/// <remarks>
/// A forward hook on each corrected layer replaces its output by the same values attached to a float64 backward node,
/// so hooks fire only through <c>call()</c>: a conv run with <c>forward()</c> is not corrected.
/// </remarks>
public sealed class ConvGradientCorrection : IDisposable
{
    private readonly List<Action> _removers = new();
    private readonly List<string> _corrected = new();
    private readonly List<string> _faulty = new();

    private ConvGradientCorrection() { }

    /// <summary>Installs the correction on the layers of <paramref name="model"/> that <paramref name="mode"/> selects (default <see cref="ConvGradientFault.Mode"/>).</summary>
    public static ConvGradientCorrection Install(nn.Module model, ConvGradientCorrectionMode? mode = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var chosen = mode ?? ConvGradientFault.Mode;
        var correction = new ConvGradientCorrection();
        if (chosen == ConvGradientCorrectionMode.Never) return correction;
        try
        {
            foreach (var (name, module) in ModelLayers.All(model).Prepend(("", model)))
            {
                if (module is not Conv2d conv) continue;
                bool faulty = chosen == ConvGradientCorrectionMode.Auto && ConvGradientFault.IsFaulty(conv);
                if (faulty) correction._faulty.Add(name);
                if (!faulty && chosen != ConvGradientCorrectionMode.Always) continue;
                var geometry = ConvGeometry.Of(conv);
                var hook = conv.register_forward_hook((m, input, output) =>
                {
                    var c = (Conv2d)m;
                    return Float64ConvBackward.Apply(input, c.weight!, c.bias, geometry, output);
                });
                correction._removers.Add(hook.remove);
                correction._corrected.Add(name);
            }
        }
        catch
        {
            correction.Dispose();
            throw;
        }
        return correction;
    }

    /// <summary>Names of the layers whose backward is recomputed in float64.</summary>
    public IReadOnlyList<string> CorrectedLayers => _corrected;

    /// <summary>Names of the layers whose float32 backward failed the self-check on this machine.</summary>
    public IReadOnlyList<string> FaultyLayers => _faulty;

    /// <summary>Removes the hooks.</summary>
    public void Dispose()
    {
        foreach (var remove in _removers) remove();
        _removers.Clear();
    }
}
