using System.Globalization;
using System.Text;

namespace ConvVis.Inspection;

/// <summary>Renders a <see cref="ModelSummary"/> as a fixed-width text table (column widths fit the content; no trailing spaces).</summary>
internal static class SummaryText
{
    static readonly string[] Headers = ["Layer (type)", "Name", "Output Shape", "Param #", "Trainable"];
    static readonly bool[] RightAligned = [false, false, false, true, true];
    const string Gap = "  ";

    internal static string Render(ModelSummary summary)
    {
        var cells = summary.Rows.Select(r => new[]
        {
            r.TreePrefix + r.TypeName,
            r.Name,
            ShapeCell(r),
            r.Parameters == 0 ? "--" : Count(r.Parameters),
            r.Parameters == 0 ? "--" : Count(r.TrainableParameters),
        }).ToList();

        var widths = Headers.Select((h, i) => Math.Max(h.Length, cells.Count == 0 ? 0 : cells.Max(c => c[i].Length))).ToArray();
        int lineWidth = widths.Sum() + Gap.Length * (widths.Length - 1);
        string rule = new('=', lineWidth);

        var sb = new StringBuilder();
        sb.Append(rule).Append('\n');
        sb.Append(Line(Headers, widths)).Append('\n');
        sb.Append(rule).Append('\n');
        foreach (var c in cells) sb.Append(Line(c, widths)).Append('\n');
        sb.Append(rule).Append('\n');
        if (summary.InputShape is { } input) sb.Append("Input shape: ").Append(ActivationRecorder.Shape(input)).Append('\n');
        sb.Append("Total params: ").Append(Count(summary.TotalParameters)).Append('\n');
        sb.Append("Trainable params: ").Append(Count(summary.TrainableParameters)).Append('\n');
        sb.Append("Non-trainable params: ").Append(Count(summary.NonTrainableParameters)).Append('\n');
        sb.Append("Params size: ").Append(Count(summary.ParameterBytes)).Append(" bytes (")
          .Append((summary.ParameterBytes / (1024.0 * 1024.0)).ToString("0.00", CultureInfo.InvariantCulture)).Append(" MB)\n");
        sb.Append(rule).Append('\n');
        return sb.ToString();
    }

    /// <summary>The first call's output shape, "--" when unknown, with the number of calls for a reused module.</summary>
    internal static string ShapeCell(SummaryRow r)
    {
        if (r.OutputShape is null) return "--";
        var s = ActivationRecorder.Shape(r.OutputShape);
        return r.Calls > 1 ? $"{s} ({r.Calls} calls)" : s;
    }

    internal static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    static string Line(string[] cells, int[] widths)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < cells.Length; i++)
        {
            if (i > 0) sb.Append(Gap);
            sb.Append(RightAligned[i] ? cells[i].PadLeft(widths[i]) : cells[i].PadRight(widths[i]));
        }
        return sb.ToString().TrimEnd();
    }
}
