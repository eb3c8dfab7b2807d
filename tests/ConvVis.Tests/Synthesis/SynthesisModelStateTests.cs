using TorchSharp;
using static TorchSharp.torch;
using static ConvVis.Tests.Attribution.ModelStateTests;

namespace ConvVis.Tests.Synthesis;

/// <summary>Every synthesis call leaves the model as it found it: modes, requires_grad, .grad, parameters, buffers, hooks; also when cancelled or failing.</summary>
public class SynthesisModelStateTests
{
    /// <summary>conv → batch norm → ReLU(in place) → dropout → pool → linear, in training mode, one module in eval, one parameter frozen, grads set.</summary>
    private static nn.Module<Tensor, Tensor> Net()
    {
        torch.manual_seed(3);
        var net = nn.Sequential(
            ("conv", nn.Conv2d(1, 4, 3, padding: 1)), ("bn", nn.BatchNorm2d(4)), ("relu", nn.ReLU(inplace: true)),
            ("drop", nn.Dropout(0.3)), ("pool", nn.MaxPool2d(2)), ("flatten", nn.Flatten()), ("fc", nn.Linear(4 * 8 * 8, 3)));
        net.train();
        net.children().ElementAt(3).eval();
        var fcBias = net.named_parameters().First(p => p.name == "fc.bias").parameter;
        fcBias.requires_grad = false;
        using (no_grad()) fcBias[2] = -100; // class 2 never wins within a few small steps, so the fooling loop runs them all
        foreach (var p in net.parameters().Where(p => p.requires_grad)) p.grad = torch.ones_like(p);
        return net;
    }

    private sealed record Snapshot(bool[] Modes, bool[] RequiresGrad, Tensor[] Values, Tensor?[] Grads, int Hooks);

    private static Snapshot Take(nn.Module<Tensor, Tensor> net) => new(
        net.modules().Select(m => m.training).ToArray(),
        net.parameters().Select(p => p.requires_grad).ToArray(),
        net.state_dict().Values.Select(t => t.detach().clone()).ToArray(),
        net.parameters().Select(p => p.grad?.clone()).ToArray(),
        net.modules().Sum(m => HookCount(m)));

    private static void AssertSame(Snapshot a, Snapshot b, string what)
    {
        Assert.True(a.Modes.SequenceEqual(b.Modes), $"{what}: train/eval modes changed");
        Assert.True(a.RequiresGrad.SequenceEqual(b.RequiresGrad), $"{what}: requires_grad changed");
        Assert.True(a.Values.Zip(b.Values).All(p => TensorCompare.Same(p.First, p.Second)), $"{what}: parameters or buffers changed");
        Assert.True(a.Grads.Zip(b.Grads).All(p => p.First is null ? p.Second is null : p.Second is not null && TensorCompare.Same(p.First, p.Second)), $"{what}: .grad changed");
        Assert.Equal(a.Hooks, b.Hooks);
    }

    public static TheoryData<string> Calls => new() { "class", "unit", "lucid", "inversion", "fgsm", "pgd", "fooling" };

    // FGSM is one step: there is no "between steps" to cancel at.
    public static TheoryData<string> IterativeCalls => new() { "class", "unit", "lucid", "inversion", "pgd", "fooling" };

    private static void Run(string call, nn.Module<Tensor, Tensor> net, Tensor x, IProgress<WorkProgress>? progress, CancellationToken token)
    {
        var attack = new Adversarial(net);
        switch (call)
        {
            case "class": new ActivationMaximization(net, ActivationMaximizationOptions.Cs231n with { Steps = 4 }).Run(1, [2, 1, 16, 16], progress, token).Dispose(); break;
            case "unit": new ActivationMaximization(net, ActivationMaximizationOptions.Yosinski(4) with { Steps = 4 }).Run(AttributionTarget.Unit("relu", 2), [2, 1, 16, 16], progress, token).Dispose(); break;
            case "lucid": new ActivationMaximization(net, ActivationMaximizationOptions.Lucid with { Steps = 4 }).Run(2, [2, 1, 16, 16], progress, token).Dispose(); break;
            case "inversion": new FeatureInversion(net, "relu", new FeatureInversionOptions { Steps = 4 }).Run(x, progress, token).Dispose(); break;
            case "fgsm": attack.Fgsm(x, 1, 0.1).Dispose(); break;
            case "pgd": attack.Pgd(x, 1, new PgdOptions { Steps = 4 }, progress, token).Dispose(); break;
            default: attack.Fooling(x, AttributionTarget.Classes(2, 2), 0.01, 4, progress, token).Dispose(); break;
        }
    }

    [Theory, MemberData(nameof(Calls))]
    public void TheModelIsLeftAsItWas(string call)
    {
        using var scope = NewDisposeScope();
        var net = Net();
        var x = torch.rand(2, 1, 16, 16, generator: new Generator(1));
        var before = Take(net);
        Run(call, net, x, null, default);
        AssertSame(before, Take(net), call);
    }

    [Theory, MemberData(nameof(IterativeCalls))]
    public void CancellingStopsBetweenStepsAndLeavesTheModelAsItWas(string call)
    {
        using var scope = NewDisposeScope();
        var net = Net();
        var x = torch.rand(2, 1, 16, 16, generator: new Generator(1));
        var before = Take(net);
        using var cts = new CancellationTokenSource();
        int reports = 0;
        var progress = new Inline<WorkProgress>(_ => { if (++reports == 2) cts.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => Run(call, net, x, progress, cts.Token));
        Assert.Equal(2, reports);
        AssertSame(before, Take(net), call + " (cancelled)");
    }

    [Fact]
    public void AFailingForwardLeavesTheModelAsItWas()
    {
        using var scope = NewDisposeScope();
        var net = Net();
        var before = Take(net);
        // 16×16 fits the linear layer; 20×20 does not, so the forward throws inside the guard.
        Assert.ThrowsAny<Exception>(() => new ActivationMaximization(net).Run(1, [1, 1, 20, 20]));
        Assert.ThrowsAny<Exception>(() => new Adversarial(net).Fgsm(torch.rand(1, 1, 20, 20), 1, 0.1));
        AssertSame(before, Take(net), "failed forward");
    }
}
