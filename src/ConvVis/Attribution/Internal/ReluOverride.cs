using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ConvVis.Attributions.Internal;

/// <summary>How an overridden ReLU passes the gradient backward.</summary>
internal enum ReluBackwardRule
{
    /// <summary>Guided backprop (Springenberg et al.): where the forward input was positive AND the incoming gradient is positive.</summary>
    Guided,
    /// <summary>DeconvNet (Zeiler and Fergus): where the incoming gradient is positive, whatever the forward input was.</summary>
    Deconv,
}

/// <summary>
/// ReLU whose backward is guided backprop's: the gradient passes where the forward input was positive AND the incoming
/// gradient is positive. One node instead of the ReLU's own backward plus a gate keeps guided backprop close to the
/// cost of a plain gradient.
/// </summary>
internal sealed class GuidedReluFunction : torch.autograd.SingleTensorFunction<GuidedReluFunction>
{
    public override string Name => nameof(GuidedReluFunction);

    public override Tensor forward(torch.autograd.AutogradContext ctx, params object[] vars)
    {
        var input = (Tensor)vars[0];
        // The mask, not the output, is kept: later in-place operations on the output cannot change it.
        ctx.save_for_backward([input.gt(0)]);
        return input.relu();
    }

    public override List<Tensor> backward(torch.autograd.AutogradContext ctx, Tensor grad_output)
        => [grad_output.clamp_min(0).mul_(ctx.get_saved_variables()[0])];
}

/// <summary>ReLU whose backward is DeconvNet's: relu(grad), no forward mask.</summary>
internal sealed class DeconvReluFunction : torch.autograd.SingleTensorFunction<DeconvReluFunction>
{
    public override string Name => nameof(DeconvReluFunction);

    public override Tensor forward(torch.autograd.AutogradContext ctx, params object[] vars) => ((Tensor)vars[0]).relu();

    public override List<Tensor> backward(torch.autograd.AutogradContext ctx, Tensor grad_output) => [grad_output.clamp_min(0)];
}

/// <summary>
/// Replaces the backward pass of every <see cref="ReLU"/> module of a model while installed: a forward pre-hook keeps
/// the ReLU's input (a clone for in-place ReLUs, whose input is overwritten) and the forward hook returns
/// <see cref="GuidedReluFunction"/> or <see cref="DeconvReluFunction"/> of it, so the ReLU's own backward is bypassed.
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
                    var pre = relu.register_forward_pre_hook((m, input) => o.Before((ReLU)m, input));
                    o._removers.Add(pre.remove);
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
        if (!_pending.Remove(relu, out var input)) return output;
        var replaced = _rule == ReluBackwardRule.Guided ? GuidedReluFunction.apply(input) : DeconvReluFunction.apply(input);
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
