using ConvVis.Capture;
using ConvVis.Internal;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ConvVis.Inspection;

/// <summary>
/// Runs a model once on a random input to learn every module's output shape, leaving no trace: modes restored, hooks
/// removed, tensors freed, no gradients recorded. A failure becomes an <see cref="ArgumentException"/> that names the
/// shape given, the layer that failed and what the first layer expects.
/// </summary>
internal static class DryRun
{
    internal readonly record struct Seen(long[] Shape, int Calls);

    internal static Dictionary<Module, Seen> OutputShapes(Module model, long[] inputShape)
    {
        CheckShape(inputShape);
        if (model is not Module<Tensor, Tensor> runnable)
            throw new ArgumentException(
                $"A dry run needs a model whose forward takes one tensor; {ModelLayers.TypeName(model)} does not. " +
                "Summarise it without an input shape, or run it under an ActivationRecorder and use ModelSummary.Of(model, recorder).",
                nameof(model));

        using var state = ModelStateGuard.ForInference(model, "Remove that registration, or summarise the model without an input shape.");
        var all = ModelLayers.All(model);
        var modules = new List<(string Name, Module Module)> { ("", model) };
        modules.AddRange(all);

        var seen = new Dictionary<Module, Seen>(ReferenceEqualityComparer.Instance);
        var open = new Stack<(string Name, Module Module)>();
        (string Name, Module Module)? firstLeaf = null;

        using var hooks = new HookSet();
        foreach (var (name, module) in modules)
        {
            if (module is not Module<Tensor, Tensor> hookable) continue;
            bool leaf = !module.named_children().Any();
            hooks.AddForwardPreHook(hookable, _ =>
            {
                open.Push((name, module));
                if (leaf && firstLeaf is null) firstLeaf = (name, module);
            });
            hooks.AddForwardHook(hookable, (_, output) =>
            {
                if (open.Count > 0 && ReferenceEquals(open.Peek().Module, module)) open.Pop();
                seen[module] = seen.TryGetValue(module, out var s) ? s with { Calls = s.Calls + 1 } : new Seen(output.shape, 1);
            });
        }

        try
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            var first = ModuleWalk.Parameters(model).Select(p => p.Parameter).FirstOrDefault();
            // A private generator: the dry run must not advance the user's global random state.
            using var generator = new Generator(0);
            var input = randn(inputShape, dtype: first?.dtype ?? ScalarType.Float32, generator: generator).to(first?.device ?? CPU);
            runnable.call(input);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var failed = open.Count > 0 ? open.Peek() : ((string, Module)?)null;
            throw new ArgumentException(FailureMessage(inputShape, failed, firstLeaf, all, e), nameof(inputShape), e);
        }
        return seen;
    }

    static void CheckShape(long[] shape)
    {
        if (shape.Length == 0)
            throw new ArgumentException("The input shape is empty; give the full shape with a batch dimension, e.g. [1, 3, 224, 224].", "inputShape");
        if (shape.Any(d => d <= 0))
            throw new ArgumentException($"The input shape {ActivationRecorder.Shape(shape)} has a dimension that is not positive; every dimension must be at least 1, e.g. [1, 3, 224, 224].", "inputShape");
    }

    static string FailureMessage(long[] shape, (string Name, Module Module)? failed, (string Name, Module Module)? firstLeaf,
        IReadOnlyList<(string Name, Module Module)> all, Exception e)
    {
        string reason = e.Message.Split('\n', 2)[0].Trim();
        var msg = $"The model cannot run on an input of shape {ActivationRecorder.Shape(shape)}";
        if (failed is { } f)
            msg += $": layer '{Label(f.Name)}' ({ModelLayers.TypeName(f.Module)}) failed with \"{reason}\"";
        else
            msg += $": \"{reason}\"";
        msg += ".";

        // What the first layer with a fixed input size wants: the one the run reached first, else the first in model order.
        var first = firstLeaf is { } fl && Expectation(fl.Module) is not null ? fl : all.FirstOrDefault(m => Expectation(m.Module) is not null);
        if (first.Module is not null)
            msg += $" The first layer, '{Label(first.Name)}' ({ModelLayers.TypeName(first.Module)}), expects {Expectation(first.Module)}.";
        if (failed is { } g && (first.Module is null || !ReferenceEquals(g.Module, first.Module)) && Expectation(g.Module) is { } there)
            msg += $" Layer '{Label(g.Name)}' expects {there}.";
        return msg;
    }

    static string Label(string name) => name.Length == 0 ? "(model)" : name;

    /// <summary>What input a layer with a fixed input size accepts, e.g. "input [N, 3, H, W] (in_channels = 3)".</summary>
    static string? Expectation(Module module) => module switch
    {
        Convolution c => $"input {ConvShape(c)} (in_channels = {c.in_channels})",
        Linear l => $"input [..., {l.in_features}] (in_features = {l.in_features})",
        _ => null,
    };

    static string ConvShape(Convolution c) => c.kernel_size.Length switch
    {
        1 => $"[N, {c.in_channels}, L]",
        2 => $"[N, {c.in_channels}, H, W]",
        3 => $"[N, {c.in_channels}, D, H, W]",
        _ => $"[N, {c.in_channels}, ...]",
    };
}
