using System.Text;
using Microsoft.AspNetCore.Html;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Directives;

namespace ConvVis.Interactive.Magics;

/// <summary>Adds every ConvVis magic command to a C# kernel, each with its help and its one-line errors.</summary>
static class MagicCommands
{
    /// <summary>Every magic command, in the order the banner lists them: the one list.</summary>
    static readonly Registration[] All =
    [
        Entry<FiltersMagic>(),
        Entry<SummaryMagic>(),
        Entry<CaptureMagic>(),
        Entry<SparsityMagic>(),
        Entry<DeadFiltersMagic>(),
        Entry<TopImagesMagic>(),
        Entry<GradCheckMagic>(),
        Entry<FixTorchSharpMagic>(),
    ];

    sealed record Registration(string Name, Action<CSharpKernel> AddTo);

    static Registration Entry<T>() where T : MagicCommand, new()
    {
        var definition = new T();
        return new Registration(definition.DirectiveName, kernel => Add(definition, kernel));
    }

    /// <summary>The names of the magic commands, in the order the banner lists them.</summary>
    public static IReadOnlyList<string> Names => All.Select(m => m.Name).ToList();

    public static List<string> AddTo(CSharpKernel kernel)
    {
        foreach (var entry in All) entry.AddTo(kernel);
        return [.. Names];
    }

    /// <summary>
    /// Registers the directive of <typeparamref name="T"/> (described by <paramref name="definition"/>) with
    /// <c>-h</c>/<c>--help</c> (its usage, every option with its description, and its example) and runs it so that a
    /// mistake in the command's use fails the cell with its message alone: the message says what to type, a stack
    /// trace would only bury it.
    /// </summary>
    static void Add<T>(T definition, CSharpKernel kernel) where T : MagicCommand
    {
        var directive = new KernelActionDirective(definition.DirectiveName) { Description = definition.Description };
        foreach (var option in definition.Options()) directive.Parameters.Add(option);
        directive.Parameters.Add(new KernelDirectiveParameter("--help", "Show this help") { Flag = true });
        directive.Parameters.Add(new KernelDirectiveParameter("-h", "Show this help") { Flag = true });
        string help = Usage(directive, definition.Example);
        kernel.AddDirective<T>(directive, (command, context) =>
        {
            if (command.Help || command.H)
            {
                context.Display(new HtmlString(help), "text/html");
                return Task.CompletedTask;
            }
            try
            {
                if (command.Run(kernel, context) is { } html) context.Display(new HtmlString(html), "text/html");
            }
            catch (Exception e) when (IsMistakeOfUse(e))
            {
                context.Fail(command, null, e.Message);
            }
            return Task.CompletedTask;
        });
        definition.AddedTo(kernel);
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
}
