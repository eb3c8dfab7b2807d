using System.Text;

namespace ConvVis.Inspection;

/// <summary>
/// Renders a <see cref="ModelSummary"/> as self-contained HTML: a header, one row per module, containers as open
/// <c>&lt;details&gt;</c> elements whose <c>&lt;summary&gt;</c> is the container's row, and the totals. Everything from the
/// model (names, type names) is HTML-escaped. Inline CSS scoped to <c>.convvis-summary</c>; no script.
/// </summary>
internal static class SummaryHtml
{
    const string Css =
        ".convvis-summary{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;line-height:1.5}" +
        ".convvis-summary .row{display:block;white-space:nowrap}" +
        ".convvis-summary .row>span{display:inline-block;box-sizing:border-box;vertical-align:top;overflow:hidden;text-overflow:ellipsis}" +
        ".convvis-summary .layer{width:30em}.convvis-summary .shape{width:16em}" +
        ".convvis-summary .num{width:8em;text-align:right}" +
        ".convvis-summary .head{font-weight:bold;border-bottom:1px solid #888}" +
        // Our own open/closed marker inside the first cell keeps every row on one line and the columns aligned.
        ".convvis-summary summary{cursor:pointer;display:block;list-style:none}" +
        ".convvis-summary summary::-webkit-details-marker{display:none}" +
        ".convvis-summary .mark{display:inline-block;width:1.2em}" +
        ".convvis-summary details>summary .mark::before{content:'\\25B8'}" +
        ".convvis-summary details[open]>summary .mark::before{content:'\\25BE'}" +
        ".convvis-summary table{font:inherit;border-collapse:collapse}" +
        ".convvis-summary .type{color:#555}.convvis-summary .none{color:#999}" +
        ".convvis-summary table.totals{margin-top:.5em;border-top:1px solid #888}" +
        ".convvis-summary table.totals td{padding:0 1em 0 0}.convvis-summary table.totals td.n{text-align:right}";

    internal static string Render(ModelSummary summary)
    {
        var sb = new StringBuilder();
        sb.Append("<div class=\"convvis-summary\"><style>").Append(Css).Append("</style>");
        sb.Append("<span class=\"row head\"><span class=\"layer\">Layer (type)</span><span class=\"shape\">Output shape</span>")
          .Append("<span class=\"num\">Param #</span><span class=\"num\">Trainable</span></span>");

        int open = 0;
        var rows = summary.Rows;
        for (int i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            // Close the containers this row is not inside of.
            while (open > r.Depth) { sb.Append("</details>"); open--; }
            if (r.HasChildren)
            {
                sb.Append("<details open><summary>");
                Row(sb, r, leaf: false);
                sb.Append("</summary>");
                open++;
            }
            else
            {
                Row(sb, r, leaf: true);
            }
        }
        while (open-- > 0) sb.Append("</details>");

        sb.Append("<table class=\"totals\">");
        if (summary.InputShape is { } input) Total(sb, "Input shape", ActivationRecorder.Shape(input));
        Total(sb, "Total params", SummaryText.Count(summary.TotalParameters));
        Total(sb, "Trainable params", SummaryText.Count(summary.TrainableParameters));
        Total(sb, "Non-trainable params", SummaryText.Count(summary.NonTrainableParameters));
        Total(sb, "Params size", SummaryText.Count(summary.ParameterBytes) + " bytes");
        sb.Append("</table></div>");
        return sb.ToString();
    }

    static void Row(StringBuilder sb, SummaryRow r, bool leaf)
    {
        // Indent by depth inside the fixed-width first cell, so the other columns stay aligned at every depth.
        double indent = r.Depth * 1.2 + (leaf ? 1.2 : 0);
        string label = r.Name.Length == 0 ? "" : Html.Escape(LastSegment(r.Name)) + " ";
        sb.Append("<span class=\"row\" title=\"").Append(Html.Escape(r.Name.Length == 0 ? "(model)" : r.Name)).Append("\">")
          .Append("<span class=\"layer\" style=\"padding-left:").Append(indent.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)).Append("em\">")
          .Append(leaf ? "" : "<span class=\"mark\"></span>")
          .Append(label).Append("<span class=\"type\">(").Append(Html.Escape(r.TypeName)).Append(")</span></span>")
          .Append("<span class=\"shape\">").Append(Html.Escape(SummaryText.ShapeCell(r))).Append("</span>")
          .Append(Num(r.Parameters, r.Parameters)).Append(Num(r.Parameters, r.TrainableParameters))
          .Append("</span>");
    }

    static string Num(long own, long value)
        => own == 0 ? "<span class=\"num none\">--</span>" : $"<span class=\"num\">{SummaryText.Count(value)}</span>";

    static void Total(StringBuilder sb, string label, string value)
        => sb.Append("<tr><td>").Append(label).Append("</td><td class=\"n\">").Append(Html.Escape(value)).Append("</td></tr>");

    static string LastSegment(string name) => name[(name.LastIndexOf('.') + 1)..];

}
