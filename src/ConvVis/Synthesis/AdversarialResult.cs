using System.Globalization;
using System.Text;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// Adversarial or fooling images and what they did: for each image the original and the changed picture, the
/// difference, the model's prediction and confidence before and after, and the size of the change (L∞ and L2, in
/// picture units, values in [0, 1]). Shows itself as original | adversarial | difference ×10 with the predictions.
/// Holds tensors: dispose it (or let the dispose scope that was active at creation do so).
/// </summary>
public sealed class AdversarialResult : IHtmlView, IDisposable
{
    internal AdversarialResult(string method, Tensor original, Tensor adversarial, Tensor originalPictures, Tensor adversarialPictures)
    {
        Method = method;
        Original = original;
        Adversarial = adversarial;
        OriginalPictures = originalPictures;
        AdversarialPictures = adversarialPictures;
    }

    /// <summary>The attack and its budget, e.g. "FGSM ε = 0.1".</summary>
    public string Method { get; }

    /// <summary>The original model inputs [N, C, H, W].</summary>
    public Tensor Original { get; }

    /// <summary>The adversarial model inputs [N, C, H, W].</summary>
    public Tensor Adversarial { get; }

    /// <summary>The original pictures (values in [0, 1]).</summary>
    public Tensor OriginalPictures { get; }

    /// <summary>The adversarial pictures (in [0, 1] for FGSM and PGD; the fooling image is not clamped).</summary>
    public Tensor AdversarialPictures { get; }

    /// <summary>The class each image was aimed at: the true class (untargeted attacks) or the target class.</summary>
    public required IReadOnlyList<int> Classes { get; init; }

    /// <summary>True for a targeted attack (success = the target class wins), false for untargeted (success = the true class loses).</summary>
    public required bool Targeted { get; init; }

    /// <summary>The model's top class for each original image.</summary>
    public required IReadOnlyList<int> PredictedBefore { get; init; }

    /// <summary>Its softmax probability.</summary>
    public required IReadOnlyList<double> ConfidenceBefore { get; init; }

    /// <summary>The model's top class for each adversarial image.</summary>
    public required IReadOnlyList<int> PredictedAfter { get; init; }

    /// <summary>Its softmax probability.</summary>
    public required IReadOnlyList<double> ConfidenceAfter { get; init; }

    /// <summary>The probability of <see cref="Classes"/> before.</summary>
    public required IReadOnlyList<double> ClassProbabilityBefore { get; init; }

    /// <summary>The probability of <see cref="Classes"/> after.</summary>
    public required IReadOnlyList<double> ClassProbabilityAfter { get; init; }

    /// <summary>max |adversarial − original| per image, in picture units.</summary>
    public required IReadOnlyList<double> LinfNorms { get; init; }

    /// <summary>‖adversarial − original‖₂ per image, in picture units.</summary>
    public required IReadOnlyList<double> L2Norms { get; init; }

    /// <summary>Gradient steps each image took (1 for FGSM).</summary>
    public required IReadOnlyList<int> StepsTaken { get; init; }

    /// <summary>Class names for captions (null: indices).</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>What the user should know (for example the conv-gradient fault corrected on this machine).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Whether each image's attack succeeded (see <see cref="Targeted"/>).</summary>
    public IReadOnlyList<bool> Succeeded => Enumerable.Range(0, Classes.Count)
        .Select(i => Targeted ? PredictedAfter[i] == Classes[i] : PredictedAfter[i] != Classes[i]).ToArray();

    /// <summary>The fraction of images whose attack succeeded.</summary>
    public double SuccessRate => Classes.Count == 0 ? 0 : Succeeded.Count(s => s) / (double)Classes.Count;

    /// <summary>Rows of original | adversarial | difference ×10 (grey = no change), at most <paramref name="maxImages"/> rows.</summary>
    public ImageGrid ToImageGrid(int maxImages = 8)
    {
        using var scope = NewDisposeScope();
        int n = (int)Math.Min(OriginalPictures.shape[0], maxImages);
        var before = OriginalPictures.narrow(0, 0, n).clamp(0, 1);
        var after = AdversarialPictures.narrow(0, 0, n).clamp(0, 1);
        var diff = ((AdversarialPictures.narrow(0, 0, n) - OriginalPictures.narrow(0, 0, n)) * 10 + 0.5).clamp(0, 1);
        var rows = stack([before, after, diff], 1).reshape([3L * n, .. OriginalPictures.shape[1..]]);
        return ImageGrid.Of(rows, new ImageGridOptions { Columns = 3, MaxImages = 3 * n, Title = $"{Method}: original | adversarial | difference ×10" });
    }

    /// <summary>One line per image: prediction and confidence before and after, and the size of the change.</summary>
    public string Describe(int i)
    {
        string Name(int c) => ClassNames is { } names && c < names.Count ? names[c] : c.ToString(CultureInfo.InvariantCulture);
        var inv = CultureInfo.InvariantCulture;
        string aim = Targeted ? $"target {Name(Classes[i])}" : $"true class {Name(Classes[i])}";
        return string.Create(inv, $"{aim}: before {Name(PredictedBefore[i])} {ConfidenceBefore[i]:P1}, after {Name(PredictedAfter[i])} {ConfidenceAfter[i]:P1}") +
               string.Create(inv, $" ({(Succeeded[i] ? "fooled" : "not fooled")}; L∞ {LinfNorms[i]:0.####}, L2 {L2Norms[i]:0.###}, {StepsTaken[i]} step{(StepsTaken[i] == 1 ? "" : "s")})");
    }

    /// <inheritdoc/>
    public string ToHtml()
    {
        var sb = new StringBuilder();
        sb.Append("<div class=\"convvis-adversarial\">");
        var grid = ToImageGrid();
        sb.Append(grid.ToHtml());
        sb.Append("<ol start=\"0\" style=\"font:12px/1.4 system-ui,sans-serif;color:#333;margin:2px 0 4px 0\">");
        for (int i = 0; i < grid.ShownImages / 3; i++) sb.Append("<li>").Append(Html.Escape(Describe(i))).Append("</li>");
        sb.Append("</ol>");
        if (Classes.Count > grid.ShownImages / 3)
            sb.Append("<div style=\"color:#555;font:12px system-ui,sans-serif\">").Append(Html.Escape(string.Create(CultureInfo.InvariantCulture,
                $"showing {grid.ShownImages / 3} of {Classes.Count} images; {SuccessRate:P1} fooled in all"))).Append("</div>");
        foreach (var w in Warnings)
            sb.Append("<div class=\"convvis-warning\" style=\"color:#a15c00;font:12px system-ui,sans-serif\">").Append(Html.Escape(w)).Append("</div>");
        sb.Append("</div>");
        return sb.ToString();
    }

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        Original.Dispose();
        Adversarial.Dispose();
        OriginalPictures.Dispose();
        AdversarialPictures.Dispose();
    }
}
