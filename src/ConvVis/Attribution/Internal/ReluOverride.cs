using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ConvVis.AttributionCore;

/// <summary>How an overridden ReLU passes the gradient backward.</summary>
internal enum ReluBackwardRule
{
    /// <summary>Guided backprop (Springenberg et al.): where the forward input was positive AND the incoming gradient is positive.</summary>
    Guided,
    /// <summary>DeconvNet (Zeiler and Fergus): where the incoming gradient is positive, whatever the forward input was.</summary>
    Deconv,
}

/// <summary>
/// Guided backprop's gate, applied to a ReLU module's output: identity forward (a copy, so later in-place ops are
/// safe), relu(grad) backward. The ReLU's own backward then applies the forward mask [x &gt; 0], so together they pass
/// the gradient only where the forward input was positive AND the incoming gradient is positive, at the cost of one
/// copy forward and one clamp backward.
/// </summary>
internal sealed class PositiveGradientGate : torch.autograd.SingleTensorFunction<PositiveGradientGate>
{
    public override string Name => nameof(PositiveGradientGate);

    public override Tensor forward(torch.autograd.AutogradContext ctx, params object[] vars) => ((Tensor)vars[0]).clone();

    public override List<Tensor> backward(torch.autograd.AutogradContext ctx, Tensor grad_output) => [grad_output.clamp_min(0)];
}

/// <summary>ReLU whose backward is DeconvNet's: relu(grad), no forward mask.</summary>
internal sealed class DeconvReluFunction : torch.autograd.SingleTensorFunction<DeconvReluFunction>
{
    public override string Name => nameof(DeconvReluFunction);

    public override Tensor forward(torch.autograd.AutogradContext ctx, params object[] vars) => ((Tensor)vars[0]).relu();

    public override List<Tensor> backward(torch.autograd.AutogradContext ctx, Tensor grad_output) => [grad_output.clamp_min(0)];
}

/// <summary>
/// Replaces the backward pass of every <see cref="ReLU"/> module of a model while installed. Guided: a forward hook
/// returns <see cref="PositiveGradientGate"/> of the module's output (the ReLU's own backward keeps the forward mask).
/// DeconvNet: the ReLU's own backward must be bypassed, so a forward pre-hook keeps the ReLU's input (a clone for
/// in-place ReLUs, whose input is overwritten) and the forward hook returns <see cref="DeconvReluFunction"/> of it.
/// The returned tensor replaces the module's output. Reused modules get one custom node per call.
/// Also watches the inputs of the other leaf modules to detect ReLUs applied as functions (see <see cref="FunctionalReluSuspects"/>).
/// </summary>
internal sealed class ReluOverride : IDisposable
{
    private readonly List<Action> _removers = new();
    private readonly Dictionary<ReLU, Tensor> _pending = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<ReLU> _fired = new(ReferenceEqualityComparer.Instance);
    private readonly List<(string Name, ReLU Module)> _relus = new();
    private readonly HashSet<IntPtr> _reluStorages = new();
    private readonly List<string> _suspects = new();
    private readonly ReluBackwardRule _rule;
    private bool _watch;

    private ReluOverride(ReluBackwardRule rule) => _rule = rule;

    /// <summary>Installs the override on every ReLU module of <paramref name="model"/>; with <paramref name="detectFunctional"/> also the watch on other leaf modules.</summary>
    public static ReluOverride Install(nn.Module model, ReluBackwardRule rule, bool detectFunctional)
    {
        var o = new ReluOverride(rule);
        try
        {
            var seen = new HashSet<nn.Module>(ReferenceEqualityComparer.Instance);
            var all = new List<(string, nn.Module)> { ("", model) };
            all.AddRange(model.named_modules());
            foreach (var (name, module) in all)
            {
                if (!seen.Add(module)) continue; // a reused module is registered under several names: hook it once
                if (module is ReLU relu)
                {
                    o._relus.Add((name, relu));
                    if (rule == ReluBackwardRule.Deconv)
                    {
                        var pre = relu.register_forward_pre_hook((m, input) => o.Before((ReLU)m, input));
                        o._removers.Add(pre.remove);
                    }
                    var post = relu.register_forward_hook((m, input, output) => o.After((ReLU)m, output));
                    o._removers.Add(post.remove);
                }
                else if (detectFunctional && !module.children().Any() && module is nn.Module<Tensor, Tensor> leaf)
                {
                    string leafName = name;
                    bool keepsSign = !leaf.parameters().Any(); // pooling, dropout, flatten: a ReLU output stays ReLU-like
                    var pre = leaf.register_forward_pre_hook((_, input) => { o.Inspect(leafName, input); return null!; });
                    var post = leaf.register_forward_hook((_, input, output) => { if (keepsSign) o.Propagate(input, output); return null!; });
                    o._removers.Add(pre.remove);
                    o._removers.Add(post.remove);
                }
            }
            o._watch = detectFunctional;
        }
        catch
        {
            o.Dispose();
            throw;
        }
        return o;
    }

    /// <summary>The model's input: never suspected (an image may well be non-negative with zeros).</summary>
    public void MarkInput(Tensor x)
    {
        if (_watch) _reluStorages.Add(StorageOf(x));
    }

    /// <summary>Number of distinct ReLU modules.</summary>
    public int ReluModuleCount => _relus.Count;

    /// <summary>Number of distinct ReLU modules that ran through call().</summary>
    public int FiredCount => _fired.Count;

    /// <summary>ReLU modules that did not run through call() in the forward pass (their gradient was not changed).</summary>
    public IEnumerable<string> NotFired => _relus.Where(r => !_fired.Contains(r.Module)).Select(r => r.Name);

    /// <summary>
    /// Leaf modules whose input was non-negative with exact zeros without coming from a ReLU module (or from a module
    /// fed by one): the mark of a ReLU applied as a function (<c>functional.relu</c>, <c>relu_()</c>) before them.
    /// </summary>
    public IReadOnlyList<string> FunctionalReluSuspects => _suspects;

    private Tensor Before(ReLU relu, Tensor input)
    {
        _pending[relu] = relu.inplace ? input.clone() : input;
        return null!; // keep the input
    }

    private Tensor After(ReLU relu, Tensor output)
    {
        Tensor replaced;
        if (_rule == ReluBackwardRule.Guided)
            replaced = PositiveGradientGate.apply(output);
        else if (_pending.Remove(relu, out var input))
            replaced = DeconvReluFunction.apply(input);
        else
            return output;
        _fired.Add(relu);
        if (_watch) _reluStorages.Add(StorageOf(replaced));
        return replaced;
    }

    private void Inspect(string name, Tensor input)
    {
        if (!input.is_floating_point() || input.numel() == 0 || _reluStorages.Contains(StorageOf(input))) return;
        using var _ = torch.no_grad();
        using var min = input.min();
        if (min.ToDouble() < 0) return;
        using var zeros = input.eq(0).any();
        if (zeros.ToBoolean() && !_suspects.Contains(name)) _suspects.Add(name);
    }

    private void Propagate(Tensor input, Tensor output)
    {
        if (_reluStorages.Contains(StorageOf(input))) _reluStorages.Add(StorageOf(output));
    }

    private static IntPtr StorageOf(Tensor t)
    {
        if (!t.is_floating_point()) return IntPtr.Zero;
        return t.dtype switch
        {
            ScalarType.Float32 => t.storage<float>().data_ptr(),
            ScalarType.Float64 => t.storage<double>().data_ptr(),
            _ => IntPtr.Zero,
        };
    }

    public void Dispose()
    {
        foreach (var remove in _removers) remove();
        _removers.Clear();
        _pending.Clear();
    }
}
