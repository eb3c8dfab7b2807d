using System.Collections;
using System.Reflection;
using Module = TorchSharp.torch.nn.Module;

namespace ConvVis.Tests.Capture;

/// <summary>
/// Reads how many hooks a TorchSharp module holds. TorchSharp keeps them in protected dictionaries of
/// HookableModule (pre_hooks, post_hooks, module_pre_hooks, module_post_hooks) and offers no public count.
/// </summary>
public static class HookCounter
{
    static readonly string[] Fields = ["pre_hooks", "post_hooks", "module_pre_hooks", "module_post_hooks"];

    public static int Count(Module module)
    {
        int total = 0, found = 0;
        foreach (var name in Fields)
        {
            for (var t = module.GetType(); t is not null; t = t.BaseType)
            {
                var f = t.GetField(name, BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.DeclaredOnly);
                if (f is null) continue;
                total += ((ICollection)f.GetValue(module)!).Count;
                found++;
                break;
            }
        }
        if (found != Fields.Length) throw new InvalidOperationException($"TorchSharp's hook fields changed: found {found} of {Fields.Length} on {module.GetType()}.");
        return total;
    }

    public static int CountAll(Module model)
        => Count(model) + ModelLayers.All(model).Sum(m => Count(m.Module));
}
