using ConvVis.Capture;
using Microsoft.DotNet.Interactive.CSharp;

namespace ConvVis.Interactive.Magics;

/// <summary>Reads the user's variables for magic commands, with errors that say what to type instead.</summary>
static class KernelVariables
{
    public static T Get<T>(CSharpKernel kernel, string? name, string option, string magic, string expected)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw new ArgumentException($"{magic} needs {option} NAME: the name of a variable that holds {expected}, e.g. {magic} {option} net");

        if (!kernel.TryGetValue<object>(name, out var value))
        {
            var names = Names(kernel);
            string hint = names.Count == 0
                ? "No variables are defined yet."
                : $"Closest variable: '{LayerNameHints.Closest(name, names)}'. Variables: {string.Join(", ", names.Take(30))}{(names.Count > 30 ? ", ..." : "")}.";
            throw new ArgumentException($"{magic}: no variable named '{name}'. {hint}");
        }
        if (value is not T typed)
            throw new ArgumentException($"{magic}: '{name}' is a {value?.GetType().Name ?? "null"}, not {expected}.");
        return typed;
    }

    static IReadOnlyList<string> Names(CSharpKernel kernel) =>
        kernel.ScriptState?.Variables.Select(v => v.Name).Distinct().ToList() ?? [];
}
