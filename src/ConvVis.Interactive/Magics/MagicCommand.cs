using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Directives;

namespace ConvVis.Interactive.Magics;

/// <summary>
/// Base of every ConvVis magic command. A command says what it is (<see cref="DirectiveName"/>,
/// <see cref="Description"/>, <see cref="Example"/>, its <see cref="Options"/> with their descriptions) and does its
/// work in <see cref="Run"/>, which returns what to show; <see cref="MagicCommands"/> builds the directive, the
/// <c>-h</c>/<c>--help</c> text and the one-line errors from that. The public properties of a subclass are its
/// options, filled in by .NET Interactive from the directive's parameters.
/// </summary>
internal abstract class MagicCommand : KernelDirectiveCommand
{
    /// <summary><c>--help</c>: show the usage.</summary>
    public bool Help { get; set; }

    /// <summary><c>-h</c>: show the usage.</summary>
    public bool H { get; set; }

    /// <summary>The directive, e.g. <c>#!filters</c>.</summary>
    internal abstract string DirectiveName { get; }

    /// <summary>What the command does, in one line (the help's first line).</summary>
    internal abstract string Description { get; }

    /// <summary>A complete example use (the help's last line).</summary>
    internal abstract string Example { get; }

    /// <summary>The options, each with a description that states its default.</summary>
    internal virtual IEnumerable<KernelDirectiveParameter> Options() => [];

    /// <summary>Does the work. Returns the HTML to show, or null to show nothing.</summary>
    /// <exception cref="ArgumentException">A mistake of use: the cell fails with the message alone.</exception>
    internal abstract string? Run(CSharpKernel kernel, KernelInvocationContext context);

    /// <summary>Called once when the command is added to a kernel, for commands that need more than their directive.</summary>
    internal virtual void AddedTo(CSharpKernel kernel)
    {
    }

    /// <summary>Splits "a,b, c" into names; null or empty gives none.</summary>
    internal static string[] List(string? value) =>
        string.IsNullOrWhiteSpace(value) ? [] : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
