using System.Text.RegularExpressions;
using ConvVis.Capture;
using TorchSharp;
using static TorchSharp.torch.nn;

namespace ConvVis;

/// <summary>
/// Finds layers of a TorchSharp model by name: exact dotted names (<c>layer1.0.conv1</c>), globs
/// (<c>layer*.relu</c>, <c>features.*</c>) and module type names (<c>Conv2d</c>, <c>ReLU</c>).
/// Every lookup that finds nothing throws an <see cref="ArgumentException"/> that names the closest
/// valid layer and lists the valid names, so a typo is a one-glance fix.
/// </summary>
/// <remarks>
/// Names are the dotted paths of <c>named_children()</c>, walked depth first in registration order
/// (usually the order of the forward pass). A module registered under two names is listed once,
/// under the first. The root module itself has the empty name.
/// </remarks>
public static class ModelLayers
{
    /// <summary>Every module below <paramref name="model"/> (not the root), depth first, with its dotted name.</summary>
    /// <param name="model">The model to walk.</param>
    /// <returns>Pairs of dotted name and module, parents before their children.</returns>
    public static IReadOnlyList<(string Name, Module Module)> All(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var result = new List<(string, Module)>();
        var seen = new HashSet<Module>(ReferenceEqualityComparer.Instance) { model };
        Walk(model, "", result, seen);
        return result;
    }

    /// <summary>
    /// The leaf layers of <paramref name="model"/> (modules without children), depth first, with their
    /// dotted names. A model without submodules is its own only leaf, under the empty name.
    /// </summary>
    /// <param name="model">The model to walk.</param>
    /// <returns>Pairs of dotted name and leaf module.</returns>
    public static IReadOnlyList<(string Name, Module Module)> Leaves(Module model)
    {
        var all = All(model);
        if (all.Count == 0) return [("", model)];
        return all.Where(p => !p.Module.named_children().Any()).ToList();
    }

    /// <summary>The module called <paramref name="name"/> (a dotted path; the empty name is the model itself).</summary>
    /// <param name="model">The model to search.</param>
    /// <param name="name">The exact dotted name, as in <c>named_modules()</c>.</param>
    /// <returns>The module.</returns>
    /// <exception cref="ArgumentException">No module has that name; the message names the closest valid name and lists the valid ones.</exception>
    public static Module Get(Module model, string name)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0) return model;
        var all = All(model);
        foreach (var (n, m) in all)
            if (n == name) return m;
        throw new ArgumentException(LayerNameHints.NoSuchLayer(name, all, $"The model has no layer named '{name}'."), nameof(name));
    }

    /// <summary>
    /// The modules matching any of <paramref name="patterns"/>, in model order, each once.
    /// A pattern is an exact dotted name; or a glob where <c>*</c> matches any run of characters
    /// (dots included, so <c>layer*.relu</c> matches <c>layer1.0.relu</c>) and <c>?</c> one character;
    /// or a module type name such as <c>Conv2d</c> or <c>ReLU</c> (case-insensitive), used when no
    /// layer has that exact name. Globs and type names may match container modules too.
    /// </summary>
    /// <param name="model">The model to search.</param>
    /// <param name="patterns">Names, globs or type names; at least one.</param>
    /// <returns>Pairs of dotted name and module.</returns>
    /// <exception cref="ArgumentException">A pattern matches nothing; the message names the closest valid name and lists the valid ones.</exception>
    public static IReadOnlyList<(string Name, Module Module)> Select(Module model, params string[] patterns)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(patterns);
        if (patterns.Length == 0) throw new ArgumentException("Give at least one layer name, glob or type name.", nameof(patterns));
        var all = All(model);
        if (all.Count == 0) all = [("", model)];
        var chosen = new HashSet<Module>(ReferenceEqualityComparer.Instance);
        foreach (var pattern in patterns)
        {
            if (string.IsNullOrWhiteSpace(pattern))
                throw new ArgumentException("A layer pattern is empty.", nameof(patterns));
            var matches = Matches(all, pattern.Trim());
            if (matches.Count == 0)
                throw new ArgumentException(LayerNameHints.NoSuchLayer(pattern, all, NothingMatches(pattern, all)), nameof(patterns));
            foreach (var m in matches) chosen.Add(m);
        }
        return all.Where(p => chosen.Contains(p.Module)).ToList();
    }

    /// <summary>The type name shown for a module: its class name without generic arity (<c>Conv2d</c>, <c>Sequential</c>).</summary>
    /// <param name="module">The module.</param>
    /// <returns>The class name.</returns>
    public static string TypeName(Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var name = module.GetType().Name;
        int tick = name.IndexOf('`');
        return tick < 0 ? name : name[..tick];
    }

    static List<Module> Matches(IReadOnlyList<(string Name, Module Module)> all, string pattern)
    {
        var exact = all.Where(p => p.Name == pattern).Select(p => p.Module).ToList();
        if (exact.Count > 0) return exact;
        if (pattern.Contains('*') || pattern.Contains('?'))
        {
            var regex = GlobToRegex(pattern);
            return all.Where(p => regex.IsMatch(p.Name)).Select(p => p.Module).ToList();
        }
        return all.Where(p => string.Equals(TypeName(p.Module), pattern, StringComparison.OrdinalIgnoreCase)).Select(p => p.Module).ToList();
    }

    static Regex GlobToRegex(string glob)
    {
        var body = Regex.Escape(glob).Replace(@"\*", ".*").Replace(@"\?", ".");
        return new Regex("^" + body + "$", RegexOptions.CultureInvariant);
    }

    static string NothingMatches(string pattern, IReadOnlyList<(string Name, Module Module)> all)
    {
        var types = all.Select(p => TypeName(p.Module)).Distinct().ToList();
        string kind = pattern.Contains('*') || pattern.Contains('?') ? "glob" : "name or type name";
        return $"No layer matches the {kind} '{pattern}'. Module types in this model: {string.Join(", ", types)}.";
    }

    static void Walk(Module module, string prefix, List<(string, Module)> result, HashSet<Module> seen)
    {
        foreach (var (childName, child) in module.named_children())
        {
            if (!seen.Add(child)) continue;
            string name = prefix.Length == 0 ? childName : prefix + "." + childName;
            result.Add((name, child));
            Walk(child, name, result, seen);
        }
    }
}
