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
                : $"Closest variable: '{ClosestName.Of(name, names)}'. Variables: {string.Join(", ", names.Take(30))}{(names.Count > 30 ? ", ..." : "")}.";
            throw new ArgumentException($"{magic}: no variable named '{name}'. {hint}");
        }
        if (value is not T typed)
            throw new ArgumentException($"{magic}: '{name}' is a {value?.GetType().Name ?? "null"}, not {expected}.");
        return typed;
    }

    /// <summary>
    /// Refuses to store a <typeparamref name="T"/> in <paramref name="name"/> when that variable already exists with
    /// another type: the kernel would silently redeclare it and its old value (a model, an input) would be lost.
    /// </summary>
    public static void CheckCanStore<T>(CSharpKernel kernel, string name, string option, string magic)
    {
        var existing = kernel.ScriptState?.Variables.LastOrDefault(v => v.Name == name);
        if (existing is null || existing.Type == typeof(T) || existing.Value is T) return;
        string holds = existing.Value?.GetType() is { } type && type != existing.Type
            ? $"a {TypeName(existing.Type)} (now a {TypeName(type)})"
            : $"a {TypeName(existing.Type)}";
        throw new ArgumentException($"{magic}: {option} '{name}' would overwrite the variable '{name}', which holds {holds}, not {typeof(T).Name}. " +
            $"Choose another name, e.g. {option} {Unused(kernel, "acts")}.");
    }

    static string TypeName(Type type) => type.IsGenericType ? type.Name[..type.Name.IndexOf('`')] : type.Name;

    static string Unused(CSharpKernel kernel, string stem)
    {
        var names = Names(kernel);
        string candidate = stem;
        for (int i = 2; names.Contains(candidate); i++) candidate = stem + i;
        return candidate;
    }

    static IReadOnlyList<string> Names(CSharpKernel kernel) =>
        kernel.ScriptState?.Variables.Select(v => v.Name).Distinct().ToList() ?? [];
}
