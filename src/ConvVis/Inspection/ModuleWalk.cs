using TorchSharp.Modules;
using static TorchSharp.torch.nn;

namespace ConvVis.Inspection;

/// <summary>
/// Walks a module tree without trusting it to be a tree. TorchSharp's <c>parameters()</c>, <c>named_modules()</c> and
/// <c>train()</c> recurse through <c>named_children()</c> with no memory of where they have been, so a module registered
/// as its own descendant overflows the stack and takes the kernel down. Here every module is visited once.
/// </summary>
internal static class ModuleWalk
{
    /// <summary><paramref name="root"/> and every module below it, each once (depth first, in registration order).</summary>
    public static IReadOnlyList<(string Name, Module Module)> Modules(Module root)
    {
        var result = new List<(string, Module)>();
        var seen = new HashSet<Module>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(string Name, Module Module)>();
        stack.Push(("", root));
        while (stack.Count > 0)
        {
            var (name, module) = stack.Pop();
            if (!seen.Add(module)) continue;
            result.Add((name, module));
            var children = module.named_children().ToList();
            for (int i = children.Count - 1; i >= 0; i--)
                stack.Push((name.Length == 0 ? children[i].name : name + "." + children[i].name, children[i].module));
        }
        return result;
    }

    /// <summary>
    /// The parameters of <paramref name="root"/> and its submodules with their dotted names, each parameter once (a
    /// parameter shared by two modules, like a module shared by two parents, counts once, as <c>parameters()</c> does).
    /// </summary>
    public static IReadOnlyList<(string Name, Parameter Parameter)> Parameters(Module root)
    {
        var result = new List<(string, Parameter)>();
        var seen = new HashSet<IntPtr>();
        foreach (var (prefix, module) in Modules(root))
            foreach (var (name, p) in module.named_parameters(recurse: false))
                if (p.Handle != IntPtr.Zero && seen.Add(p.Handle))
                    result.Add((prefix.Length == 0 ? name : prefix + "." + name, p));
        return result;
    }

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming the registration when <paramref name="model"/> contains itself:
    /// TorchSharp's <c>eval()</c>, <c>train()</c>, <c>named_modules()</c> and <c>Dispose()</c> would recurse forever on it.
    /// </summary>
    /// <param name="model">The model about to be run.</param>
    /// <param name="instead">What the user can do instead, appended to the message.</param>
    public static void RefuseCycles(Module model, string instead)
    {
        if (FindCycle(model) is not { } cycle) return;
        throw new ArgumentException(
            $"The model cannot be run: '{cycle.Name}' is {(cycle.Repeats.Length == 0 ? "the model itself" : $"'{cycle.Repeats}' again")}, a module registered " +
            "inside itself. TorchSharp's eval(), train() and parameters() recurse forever on such a model (a stack overflow ends the process). " +
            instead, nameof(model));
    }

    /// <summary>
    /// The first place where a module is registered below itself, as (the dotted name of the registration, the name of
    /// the module it repeats), or null for a proper tree.
    /// </summary>
    public static (string Name, string Repeats)? FindCycle(Module root)
    {
        var path = new List<(string Name, Module Module)>();
        return Visit("", root);

        (string, string)? Visit(string name, Module module)
        {
            int ancestor = path.FindIndex(a => ReferenceEquals(a.Module, module));
            if (ancestor >= 0) return (name, path[ancestor].Name);
            path.Add((name, module));
            try
            {
                foreach (var (childName, child) in module.named_children())
                    if (Visit(name.Length == 0 ? childName : name + "." + childName, child) is { } found) return found;
                return null;
            }
            finally
            {
                path.RemoveAt(path.Count - 1);
            }
        }
    }
}
