using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// The result of an attribution: a map of how much each input pixel matters for the target, with the inputs it explains.
/// Owns its tensors (they belong to no dispose scope): dispose it when done. Renders itself as a heatmap overlay on
/// the input images (<see cref="IVisual"/>, default <see cref="OverlayOptions"/>; <see cref="Render"/> for others).
/// </summary>
public sealed class Attribution : IDisposable, IVisual
{
    private AttributionView? _view;
    private readonly Tensor _values;
    private readonly Tensor _inputs;
    private bool _disposed;

    internal Attribution(string method, Tensor values, Tensor inputs, AttributionTarget target, IReadOnlyList<string> warnings)
    {
        Method = method;
        _values = values;
        _inputs = inputs;
        Target = target;
        Warnings = warnings;
    }

    /// <summary>The technique's name ("Saliency", "Guided backprop", "Grad-CAM (layer4)", ...).</summary>
    public string Method { get; }

    /// <summary>
    /// The attribution map: [N, C, H, W] like the input (gradients, integrated gradients, occlusion),
    /// or [N, 1, H, W] (Grad-CAM, and saliency reduced over channels).
    /// </summary>
    public Tensor Values => _disposed ? throw new ObjectDisposedException(nameof(Attribution)) : _values;

    /// <summary>A detached copy of the explained inputs [N, C, H, W] (for rendering overlays).</summary>
    public Tensor Inputs => _disposed ? throw new ObjectDisposedException(nameof(Attribution)) : _inputs;

    /// <summary>What was explained.</summary>
    public AttributionTarget Target { get; }

    /// <summary>Number of explained samples (N).</summary>
    public int Count => (int)_inputs.shape[0];

    /// <summary>The explained score f(x) of the target (class output or unit), per sample.</summary>
    public IReadOnlyList<double> TargetScores { get; internal init; } = [];

    /// <summary>
    /// Integrated gradients only (null otherwise): per sample, Σ attributions − (f(x) − f(baseline)), which the
    /// completeness axiom makes zero; its size says whether <see cref="IntegratedGradients.Steps"/> were enough
    /// (Captum's <c>delta</c>).
    /// </summary>
    public IReadOnlyList<double>? ConvergenceDelta { get; internal init; }

    /// <summary>Integrated gradients only (null otherwise): f(baseline) of the target, per sample.</summary>
    public IReadOnlyList<double>? BaselineScores { get; internal init; }

    /// <summary>SmoothGrad only (null otherwise): the standard deviation of the added noise, per sample.</summary>
    public IReadOnlyList<double>? NoiseSigma { get; internal init; }

    /// <summary>Occlusion only (null otherwise): the number of window positions each image was occluded at.</summary>
    public int? OcclusionWindows { get; internal init; }

    /// <summary>Why the result may not be what the method promises (e.g. ReLUs the override could not reach, a model in training mode).</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>The attribution map of sample <paramref name="index"/> as a new [C, H, W] tensor (caller disposes).</summary>
    public Tensor Of(int index) => Values[index].clone();

    /// <summary>Draws the attribution over its inputs with <paramref name="options"/> (defaults when null).</summary>
    public AttributionView Render(OverlayOptions? options = null) => AttributionView.Of(this, options);

    private AttributionView View => _view ??= _disposed
        ? throw new ObjectDisposedException(nameof(Attribution), "This attribution has been disposed before it was drawn; nothing to show.")
        : Render();

    /// <inheritdoc/>
    public int Width => View.Width;

    /// <inheritdoc/>
    public int Height => View.Height;

    /// <inheritdoc/>
    public byte[] ToPng() => View.ToPng();

    /// <summary>
    /// The default overlay as HTML. Never throws for a disposed attribution or for inputs that are not images
    /// (a notebook formatter must not fail): it then shows a one-line description instead.
    /// </summary>
    public string ToHtml()
    {
        if (_view is null && (_disposed || _inputs.dim() != 4))
            return "<div class=\"convvis\" style=\"font:12px system-ui,sans-serif;color:#555\">" + Html.Escape(ToString()) + "</div>";
        return View.ToHtml();
    }

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _values.Dispose();
        _inputs.Dispose();
    }

    /// <summary>"Saliency for class 3: [8, 1, 64, 64]".</summary>
    public override string ToString() => _disposed
        ? $"{Method} (disposed)"
        : $"{Method} for {Target}: [{string.Join(", ", _values.shape)}]";
}
