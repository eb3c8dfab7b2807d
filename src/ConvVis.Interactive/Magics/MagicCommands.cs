using System.Text;
using Microsoft.AspNetCore.Html;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Directives;

namespace ConvVis.Interactive.Magics;

/// <summary>Adds every ConvVis magic command to a C# kernel, each with its help and its one-line errors.</summary>
static class MagicCommands
{
    /// <summary>Every magic command: its name and how it registers itself. The one list, also behind the banner's.</summary>
    static readonly (string Name, Action<CSharpKernel> AddTo)[] All =
    [
        (FiltersMagic.Name, FiltersMagic.AddTo),
        (SummaryMagic.Name, SummaryMagic.AddTo),
        (CaptureMagic.Name, CaptureMagic.AddTo),
        (SparsityMagic.Name, SparsityMagic.AddTo),
        (DeadFiltersMagic.Name, DeadFiltersMagic.AddTo),
        (TopImagesMagic.Name, TopImagesMagic.AddTo),
        (GradCheckMagic.Name, GradCheckMagic.AddTo),
        (FixTorchSharpMagic.Name, FixTorchSharpMagic.AddTo),
    ];

    /// <summary>The names of the magic commands, in the order the banner lists them.</summary>
    public static IReadOnlyList<string> Names => All.Select(m => m.Name).ToList();

    public static List<string> AddTo(CSharpKernel kernel)
    {
        foreach (var (_, add) in All) add(kernel);
        return [.. Names];
    }

    /// <summary>
    /// Registers <paramref name="directive"/> with <c>-h</c>/<c>--help</c> (its usage, every option with its
    /// description, and <paramref name="example"/>) and runs <paramref name="run"/> so that a mistake in the command's
    /// use fails the cell with its message alone: the message says what to type, a stack trace would only bury it.
    /// </summary>
    public static void Add<T>(CSharpKernel kernel, KernelActionDirective directive, string example,
        Func<T, KernelInvocationContext, Task> run) where T : MagicCommand
    {
        directive.Parameters.Add(new KernelDirectiveParameter("--help", "Show this help") { Flag = true });
        directive.Parameters.Add(new KernelDirectiveParameter("-h", "Show this help") { Flag = true });
        string help = Usage(directive, example);
        kernel.AddDirective<T>(directive, async (command, context) =>
        {
            if (command.Help || command.H)
            {
                context.Display(new HtmlString(help), "text/html");
                return;
            }
            try
            {
                await run(command, context);
            }
            catch (Exception e) when (IsMistakeOfUse(e))
            {
                context.Fail(command, null, e.Message);
            }
        });
    }

    /// <summary>The exceptions ConvVis throws for a wrong use (names, shapes, values, files); anything else is a bug and keeps its trace.</summary>
    static bool IsMistakeOfUse(Exception e) =>
        e is ArgumentException or InvalidOperationException or InvalidDataException or NotSupportedException or IOException;

    /// <summary>The help text: what it does, the usage line, the options with their descriptions (defaults included), an example.</summary>
    internal static string Usage(KernelActionDirective directive, string example)
    {
        var options = directive.Parameters.Where(p => p.Name is not ("--help" or "-h")).ToList();
        string usage = directive.Name + string.Concat(options.Select(p => p.Flag ? $" [{p.Name}]" : $" [{p.Name} VALUE]"));
        var sb = new StringBuilder();
        sb.Append("<div class=\"convvis-help\" style=\"font:13px system-ui,sans-serif\"><div><b>").Append(Html.Escape(directive.Name))
          .Append("</b>: ").Append(Html.Escape(directive.Description)).Append("</div>")
          .Append("<pre style=\"margin:4px 0\">Usage: ").Append(Html.Escape(usage)).Append("</pre><table style=\"border-collapse:collapse\">");
        foreach (var p in options.Append(new KernelDirectiveParameter("-h, --help", "Show this help")))
            sb.Append("<tr><td style=\"padding:1px 12px 1px 0;font-family:monospace;white-space:nowrap;vertical-align:top\">").Append(Html.Escape(p.Name))
              .Append("</td><td style=\"padding:1px 0\">").Append(Html.Escape(p.Description)).Append("</td></tr>");
        sb.Append("</table><div style=\"margin-top:4px\">Example: <code>").Append(Html.Escape(example)).Append("</code></div></div>");
        return sb.ToString();
    }

    /// <summary>Splits "a,b, c" into names; null or empty gives none.</summary>
    public static string[] List(string? value) =>
        string.IsNullOrWhiteSpace(value) ? [] : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
