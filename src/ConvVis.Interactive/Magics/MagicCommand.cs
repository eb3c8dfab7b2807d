using Microsoft.DotNet.Interactive.Commands;

namespace ConvVis.Interactive.Magics;

/// <summary>
/// Base of every ConvVis magic command: <c>-h</c> / <c>--help</c> show its usage instead of running it, and a mistake
/// in its use (a wrong name, shape or value) fails the cell with one plain line, no stack trace
/// (see <see cref="MagicCommands.Add{T}"/>).
/// </summary>
internal abstract class MagicCommand : KernelDirectiveCommand
{
    /// <summary><c>--help</c>: show the usage.</summary>
    public bool Help { get; set; }

    /// <summary><c>-h</c>: show the usage.</summary>
    public bool H { get; set; }
}
