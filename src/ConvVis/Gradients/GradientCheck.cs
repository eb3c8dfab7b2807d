using ConvVis.Attributions.Internal;
using ConvVis.Gradients;
using ConvVis.Internal;
using ConvVis.Inspection;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// Checks, layer by layer, that this machine's libtorch computes a model's float32 gradients right: each leaf layer
/// gets the very input it receives when the model runs on <c>input</c>, a random upstream gradient, and its float32
/// gradients (of its input and of its parameters, as training computes them) are compared with the same gradients
/// recomputed in float64. It is how a user learns that training on their machine is broken (see
/// <see cref="ConvGradientFault"/>). The model is left as it was: mode, <c>requires_grad</c>, gradients, buffers, hooks.
/// </summary>
public static class GradientCheck
{
    /// <summary>
    /// Checks every leaf layer of <paramref name="model"/> on a random input of <paramref name="inputShape"/> (uniform in
    /// [0, 1), a fixed seed; the global random state is not touched), e.g. [2, 1, 28, 28].
    /// </summary>
    public static GradientCheckReport Of(nn.Module<Tensor, Tensor> model, long[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        if (inputShape.Length == 0 || inputShape.Any(s => s <= 0))
            throw new ArgumentException($"The input shape [{string.Join(", ", inputShape)}] is not a shape: give positive sizes with a batch dimension, e.g. [2, 3, 32, 32].", nameof(inputShape));
        using var scope = torch.NewDisposeScope();
        using var generator = new torch.Generator(20261202);
        return Of(model, torch.rand(inputShape, generator: generator));
    }

    /// <summary>Checks every leaf layer of <paramref name="model"/> on <paramref name="input"/> (a batch, e.g. [2, 1, 28, 28]: use two or more images, the fault needs a batch).</summary>
    public static GradientCheckReport Of(nn.Module<Tensor, Tensor> model, Tensor input)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        if (!input.is_floating_point())
            throw new ArgumentException($"Expected a floating-point input; got {input.dtype}. Convert it with input.to(torch.float32).", nameof(input));
        if (input.dtype != ScalarType.Float32)
            throw new ArgumentException($"The check compares float32 with float64 gradients, so it needs a float32 model and input; got a {input.dtype} input.", nameof(input));

        using var scope = torch.NewDisposeScope();
        using var state = ModelStateGuard.ForGradients(model); // requires_grad off (set per layer below) and buffers restored
        var inputs = LayerInputs(model, input);
        var rows = new List<GradientCheckRow>();
        foreach (var (name, module) in ModelLayers.Leaves(model))
        {
            string type = ModelLayers.TypeName(module);
            if (!inputs.TryGetValue(module, out var x))
                continue; // did not run in the forward pass (or ran through forward(), which fires no hook)
            rows.Add(CheckLayer(name, type, module, x));
        }
        return new GradientCheckReport(rows, input.shape);
    }

    /// <summary>The first input of every module during one forward pass (detached copies).</summary>
    private static Dictionary<nn.Module, Tensor> LayerInputs(nn.Module<Tensor, Tensor> model, Tensor input)
    {
        var inputs = new Dictionary<nn.Module, Tensor>(ReferenceEqualityComparer.Instance);
        var removers = new List<Action>();
        try
        {
            foreach (var (_, module) in ModelLayers.Leaves(model))
            {
                if (module is not nn.Module<Tensor, Tensor> leaf) continue;
                var hook = leaf.register_forward_pre_hook((m, x) =>
                {
                    // A copy, taken before the layer runs: an in-place layer overwrites its input.
                    if (!inputs.ContainsKey(m)) inputs[m] = x.detach().clone();
                    return null!;
                });
                removers.Add(hook.remove);
            }
            using var _ = torch.no_grad();
            try { model.call(input); }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The dry run turns a shape mismatch into a message naming the layer and the shape it expects.
                DryRun.OutputShapes(model, input.shape);
                throw;
            }
        }
        finally
        {
            foreach (var remove in removers) remove();
        }
        return inputs;
    }

    private static GradientCheckRow CheckLayer(string name, string type, nn.Module module, Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        var shape = input.shape;
        if (!input.is_floating_point() || module is not nn.Module<Tensor, Tensor> layer)
            return new(name, type, shape, null, null, GradientVerdict.NotChecked, "its input is not a float tensor");
        if (module.training && type.Contains("Dropout", StringComparison.Ordinal))
            return new(name, type, shape, null, null, GradientVerdict.NotChecked, "dropout in training mode is random");
        var parameters = module.named_parameters(recurse: false).ToList();
        var reference = Float64Reference(module, parameters.Count > 0);
        if (reference is null)
            return new(name, type, shape, null, null, GradientVerdict.NotChecked, $"no float64 recomputation of {type} layers");

        using var enableGrad = torch.enable_grad();
        foreach (var (_, p) in parameters) p.requires_grad = true; // the guard puts the flags back
        var generator = new torch.Generator(20261202);

        var x32 = input.clone().requires_grad_(true);
        var y32 = layer.forward(x32.clone()); // a non-leaf: in-place layers may write into it
        var gradOut = torch.randn(y32.shape, generator: generator);
        var g32 = torch.autograd.grad([y32], [x32, .. parameters.Select(p => (Tensor)p.parameter)], [gradOut], allow_unused: true);

        var x64 = input.to(ScalarType.Float64).requires_grad_(true);
        var p64 = parameters.ToDictionary(p => p.name, p => p.parameter.detach().to(ScalarType.Float64).requires_grad_(true));
        var y64 = reference(x64.clone(), p64);
        var g64 = torch.autograd.grad([y64], [x64, .. parameters.Select(p => p64[p.name])], [gradOut.to(ScalarType.Float64)], allow_unused: true);

        double inputError = RelativeError(g32[0], g64[0]);
        double? parameterError = parameters.Count == 0 ? null
            : Enumerable.Range(1, parameters.Count).Select(i => RelativeError(g32[i], g64[i])).Aggregate(0.0, (a, e) => double.IsNaN(a) || double.IsNaN(e) ? double.NaN : Math.Max(a, e));
        bool right = inputError <= ConvGradientFault.Tolerance && (parameterError is null || parameterError <= ConvGradientFault.Tolerance);
        string note = right ? "" : (inputError <= ConvGradientFault.Tolerance ? "wrong parameter gradient" : "wrong input gradient");
        return new(name, type, shape, inputError, parameterError, right ? GradientVerdict.Right : GradientVerdict.Wrong, note);
    }

    /// <summary>The layer recomputed as a function of a float64 input and float64 copies of its parameters; null when ConvVis has none.</summary>
    private static Func<Tensor, Dictionary<string, Tensor>, Tensor>? Float64Reference(nn.Module module, bool hasParameters)
    {
        switch (module)
        {
            case Conv2d conv:
                var geometry = ConvGeometry.Of(conv);
                return (x, p) => geometry.Apply(x, p["weight"], p.GetValueOrDefault("bias"));
            case Linear:
                return (x, p) => nn.functional.linear(x, p["weight"], p.GetValueOrDefault("bias"));
            case BatchNorm1d or BatchNorm2d:
                var norm = (nn.Module<Tensor, Tensor>)module;
                var buffers = module.named_buffers(recurse: false).ToDictionary(b => b.name, b => b.buffer);
                double eps = module is BatchNorm2d b2 ? b2.eps : ((BatchNorm1d)module).eps;
                bool training = module.training;
                return (x, p) => nn.functional.batch_norm(x,
                    buffers.TryGetValue("running_mean", out var mean) ? mean.to(ScalarType.Float64) : null,
                    buffers.TryGetValue("running_var", out var variance) ? variance.to(ScalarType.Float64) : null,
                    p.GetValueOrDefault("weight"), p.GetValueOrDefault("bias"), training || !buffers.ContainsKey("running_mean"), 0.1, eps);
            default:
                // Layers without parameters (ReLU, pooling, flatten, ...) run in float64 as they are.
                if (hasParameters || module is not nn.Module<Tensor, Tensor> plain) return null;
                return (x, _) => plain.forward(x);
        }
    }

    private static double RelativeError(Tensor? actual, Tensor? expected)
        => actual is null || expected is null || actual.IsInvalid || expected.IsInvalid
            ? 0 // unused: no gradient either way
            : Float64Comparison.RelativeError(actual, expected);
}
