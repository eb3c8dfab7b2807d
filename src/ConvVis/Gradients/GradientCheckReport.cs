using System.Globalization;
using System.Text;
using ConvVis.Rendering;

namespace ConvVis;

/// <summary>The result of <see cref="GradientCheck"/>: one row per layer, a verdict, and what to do about it.</summary>
public sealed class GradientCheckReport : IHtmlView
{
    internal GradientCheckReport(IReadOnlyList<GradientCheckRow> rows, long[] inputShape)
    {
        Rows = rows;
        InputShape = inputShape;
    }

    /// <summary>One row per leaf layer that ran, in the order they ran.</summary>
    public IReadOnlyList<GradientCheckRow> Rows { get; }

    /// <summary>The shape of the input the model was checked on.</summary>
    public long[] InputShape { get; }

    /// <summary>The layers whose float32 gradients are wrong on this machine.</summary>
    public IReadOnlyList<GradientCheckRow> WrongLayers => Rows.Where(r => r.Verdict == GradientVerdict.Wrong).ToList();

    /// <summary>True when every checked layer's float32 gradients agree with float64.</summary>
    public bool AllRight => Rows.All(r => r.Verdict != GradientVerdict.Wrong);

    /// <summary>The verdict and the remedy, in plain words.</summary>
    public string Summary
    {
        get
        {
            int checkedLayers = Rows.Count(r => r.Verdict != GradientVerdict.NotChecked);
            string notChecked = Rows.Count(r => r.Verdict == GradientVerdict.NotChecked) is var n && n > 0
                ? $" ({Layers(n)} not checked)" : "";
            if (AllRight)
            {
                double worst = Rows.Select(r => Math.Max(r.InputGradientError ?? 0, r.ParameterGradientError ?? 0)).DefaultIfEmpty(0).Max();
                return $"All {Layers(checkedLayers)} compute float32 gradients that agree with float64 (largest relative error {Format(worst)}){notChecked}: training on this machine is not affected.";
            }
            var wrong = WrongLayers;
            string names = string.Join(", ", wrong.Select(r => $"{r.Layer} ({r.Note}, off by {Format(Math.Max(r.InputGradientError ?? 0, r.ParameterGradientError ?? 0))})"));
            return $"{wrong.Count} of {Layers(checkedLayers)} compute wrong float32 gradients on this machine: {names}. " +
                "ConvVis corrects its own attributions, but training these layers here is affected: set DNNL_MAX_CPU_ISA=AVX in the environment before the process or notebook kernel starts, " +
                "or train inside ConvGradientCorrection.Install(model).";
        }
    }

    /// <summary>A text table and the summary.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.AppendLine($"Gradient check on input [{string.Join(", ", InputShape)}]");
        sb.AppendLine($"{"Layer",-28} {"Type",-18} {"Input shape",-18} {"Input grad",-12} {"Param grads",-12} Verdict");
        foreach (var r in Rows)
            sb.AppendLine($"{r.Layer,-28} {r.Type,-18} {Shape(r.InputShape),-18} {Format(r.InputGradientError),-12} {Format(r.ParameterGradientError),-12} {Verdict(r)}");
        sb.Append(Summary);
        return sb.ToString();
    }

    /// <summary>The table as HTML; every name from the model is escaped.</summary>
    public string ToHtml()
    {
        var sb = new StringBuilder();
        sb.Append("<div class=\"convvis-gradcheck\" style=\"font:12px system-ui,sans-serif\">")
          .Append("<div style=\"font-weight:600;margin:4px 0\">Gradient check: float32 against float64, input [")
          .Append(Html.Escape(string.Join(", ", InputShape))).Append("]</div>")
          .Append("<table style=\"border-collapse:collapse\"><thead><tr>");
        foreach (var h in new[] { "Layer", "Type", "Input shape", "Input gradient error", "Parameter gradient error", "Verdict" })
            sb.Append("<th style=\"text-align:left;padding:2px 10px 2px 0;border-bottom:1px solid #888\">").Append(h).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        foreach (var r in Rows)
        {
            string colour = r.Verdict switch { GradientVerdict.Wrong => "#b00020", GradientVerdict.NotChecked => "#777", _ => "#1b5e20" };
            sb.Append("<tr>")
              .Append(Cell(r.Layer)).Append(Cell(r.Type)).Append(Cell(Shape(r.InputShape)))
              .Append(Cell(Format(r.InputGradientError))).Append(Cell(Format(r.ParameterGradientError)))
              .Append("<td style=\"padding:2px 10px 2px 0;color:").Append(colour).Append("\">").Append(Html.Escape(Verdict(r))).Append("</td></tr>");
        }
        sb.Append("</tbody></table><div style=\"margin-top:6px;max-width:60em\">").Append(Html.Escape(Summary)).Append("</div></div>");
        return sb.ToString();
    }

    private static string Cell(string text) => "<td style=\"padding:2px 10px 2px 0\">" + Html.Escape(text) + "</td>";

    private static string Verdict(GradientCheckRow r) => r.Verdict switch
    {
        GradientVerdict.Right => "right",
        GradientVerdict.Wrong => "WRONG: " + r.Note,
        _ => "not checked: " + r.Note,
    };

    private static string Layers(int n) => Words.Count(n, "layer");

    private static string Shape(long[] shape) => "[" + string.Join(", ", shape) + "]";

    private static string Format(double? error) => error switch
    {
        null => "–",
        double e when double.IsNaN(e) => "NaN",
        double e => e.ToString("0.0e+0", CultureInfo.InvariantCulture),
    };
}
