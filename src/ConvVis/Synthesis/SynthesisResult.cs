using System.Globalization;
using System.Text;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// Images a network made (<see cref="ActivationMaximization"/>, <see cref="FeatureInversion"/>): the pictures in [0, 1],
/// the model inputs they stand for, and how the objective went. Shows itself as the pictures with their numbers.
/// Holds two tensors: dispose it (or let the dispose scope that was active at creation do so).
/// </summary>
public sealed class SynthesisResult : IHtmlView, IDisposable
{
    internal SynthesisResult(string method, Tensor pictures, Tensor input, IReadOnlyList<string> captions, IReadOnlyList<double[]> history,
        IReadOnlyList<string> warnings)
    {
        Method = method;
        Pictures = pictures;
        Input = input;
        Captions = captions;
        ObjectiveHistory = history;
        Warnings = warnings;
    }

    /// <summary>The technique and preset, e.g. "class visualisation (CS231n)".</summary>
    public string Method { get; }

    /// <summary>The pictures [N, C, H, W], values in [0, 1] (clamped for display).</summary>
    public Tensor Pictures { get; }

    /// <summary>The model inputs [N, C, H, W] the pictures stand for (what the scores were measured on).</summary>
    public Tensor Input { get; }

    /// <summary>One line per image: its target and the numbers that tell how well it was reached.</summary>
    public IReadOnlyList<string> Captions { get; }

    /// <summary>The objective of each image (without regularisers), one array per step, as measured during the step (on the transformed image).</summary>
    public IReadOnlyList<double[]> ObjectiveHistory { get; }

    /// <summary>The target score of each image before the first step (on the starting image); class and unit visualisation only.</summary>
    public IReadOnlyList<double>? InitialScores { get; internal init; }

    /// <summary>The target score of each image after the last step (on the untransformed result); class and unit visualisation only.</summary>
    public IReadOnlyList<double>? FinalScores { get; internal init; }

    /// <summary>‖φ(x) − φ₀‖ / ‖φ₀‖ per image at the inverted layer after the last step; feature inversion only.</summary>
    public IReadOnlyList<double>? CodeRelativeErrors { get; internal init; }

    /// <summary>The same measure for the starting image; feature inversion only.</summary>
    public IReadOnlyList<double>? InitialCodeRelativeErrors { get; internal init; }

    /// <summary>What the user should know (for example the conv-gradient fault corrected on this machine).</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>The pictures as an image grid.</summary>
    public ImageGrid ToImageGrid(ImageGridOptions? options = null) => ImageGrid.Of(Pictures, options ?? new ImageGridOptions { Title = Method });

    /// <inheritdoc/>
    public string ToHtml()
    {
        var sb = new StringBuilder();
        sb.Append("<div class=\"convvis-synthesis\">");
        sb.Append(ToImageGrid().ToHtml());
        sb.Append("<ol start=\"0\" style=\"font:12px/1.4 system-ui,sans-serif;color:#333;margin:2px 0 4px 0\">");
        foreach (var c in Captions) sb.Append("<li>").Append(Html.Escape(c)).Append("</li>");
        sb.Append("</ol>");
        foreach (var w in Warnings)
            sb.Append("<div class=\"convvis-warning\" style=\"color:#a15c00;font:12px system-ui,sans-serif\">").Append(Html.Escape(w)).Append("</div>");
        sb.Append("</div>");
        return sb.ToString();
    }

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        Pictures.Dispose();
        Input.Dispose();
    }

    internal static string Number(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
}
