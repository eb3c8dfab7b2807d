using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ConvVis.Tests.Fixtures;

/// <summary>The hand-computable net of the ReLU-rule tests (and its variants below): weights small enough to do gradients by hand.</summary>
internal static class HandNets
{
    /// <summary>Sets a parameter's values (under no_grad).</summary>
    public static void Set(Tensor parameter, float[] values)
    {
        using var _ = no_grad();
        using var v = tensor(values).reshape(parameter.shape);
        parameter.copy_(v);
    }

    /// <summary>Gives the three linear layers of a hand net their weights.</summary>
    public static void SetWeights(Linear l1, Linear l2, Linear l3)
    {
        Set(l1.weight, [1, -1, 2, 1, 1, 1]);
        Set(l2.weight, [1, -1, 1, 1, 1, -1]);
        Set(l3.weight, [1, 1]);
    }

    /// <summary>
    /// x[2] → Linear(2,3) → ReLU → Linear(3,2) → ReLU → Linear(2,1), no biases, with weights small enough to do the
    /// gradients by hand (see HandComputedReluRulesTests).
    /// </summary>
    public static Sequential HandNet(bool inplace = false)
    {
        var l1 = nn.Linear(2, 3, hasBias: false);
        var l2 = nn.Linear(3, 2, hasBias: false);
        var l3 = nn.Linear(2, 1, hasBias: false);
        SetWeights(l1, l2, l3);
        var net = nn.Sequential(("l1", l1), ("r1", nn.ReLU(inplace)), ("l2", l2), ("r2", nn.ReLU(inplace)), ("l3", l3));
        net.eval();
        return net;
    }
}

/// <summary>The hand net with ONE ReLU module called twice.</summary>
internal sealed class ReusedReluNet : nn.Module<Tensor, Tensor>
{
    private readonly Linear l1 = nn.Linear(2, 3, hasBias: false);
    private readonly Linear l2 = nn.Linear(3, 2, hasBias: false);
    private readonly Linear l3 = nn.Linear(2, 1, hasBias: false);
    private readonly ReLU relu;

    public ReusedReluNet(bool inplace) : base(nameof(ReusedReluNet))
    {
        relu = nn.ReLU(inplace);
        HandNets.SetWeights(l1, l2, l3);
        RegisterComponents();
        eval();
    }

    public override Tensor forward(Tensor x) => l3.call(relu.call(l2.call(relu.call(l1.call(x)))));
}

/// <summary>The hand net with ReLU applied as a function (no ReLU modules), or the second one only.</summary>
internal sealed class FunctionalReluNet : nn.Module<Tensor, Tensor>
{
    private readonly Linear l1 = nn.Linear(2, 3, hasBias: false);
    private readonly ReLU r1 = nn.ReLU();
    private readonly Linear l2 = nn.Linear(3, 2, hasBias: false);
    private readonly Linear l3 = nn.Linear(2, 1, hasBias: false);
    private readonly bool _firstIsModule;

    public FunctionalReluNet(bool firstIsModule) : base(nameof(FunctionalReluNet))
    {
        _firstIsModule = firstIsModule;
        HandNets.SetWeights(l1, l2, l3);
        RegisterComponents();
        eval();
    }

    public override Tensor forward(Tensor x)
    {
        var h = l1.call(x);
        h = _firstIsModule ? r1.call(h) : nn.functional.relu(h);
        return l3.call(nn.functional.relu(l2.call(h)));
    }
}

/// <summary>conv → ReLU → conv, plus the skip, → ReLU (modules, or a functional relu_ at the end like TorchVision) → pool → linear.</summary>
internal sealed class ResidualNet : nn.Module<Tensor, Tensor>
{
    public readonly Conv2d conv1 = nn.Conv2d(2, 2, 3, padding: 1);
    public readonly ReLU relu1 = nn.ReLU(inplace: true);
    public readonly Conv2d conv2 = nn.Conv2d(2, 2, 3, padding: 1);
    public readonly ReLU relu2 = nn.ReLU(inplace: true);
    public readonly Flatten flatten = nn.Flatten();
    public readonly Linear fc = nn.Linear(2 * 6 * 6, 3);
    private readonly bool _functionalEnd;

    public ResidualNet(bool functionalEnd, int seed = 3) : base(nameof(ResidualNet))
    {
        torch.manual_seed(seed);
        _functionalEnd = functionalEnd;
        foreach (var p in new[] { conv1.weight!, conv2.weight!, fc.weight! })
            using (no_grad()) p.normal_(0, 0.5);
        RegisterComponents();
        eval();
    }

    public override Tensor forward(Tensor x)
    {
        var h = relu1.call(conv1.call(x));
        var y = conv2.call(h) + x;
        y = _functionalEnd ? y.relu_() : relu2.call(y);
        return fc.call(flatten.call(y));
    }
}

/// <summary>The hand net whose ReLU modules forward() runs directly (not through call()), so no hook sees them.</summary>
internal sealed class ForwardOnlyNet : nn.Module<Tensor, Tensor>
{
    private readonly Linear l1 = nn.Linear(2, 3, hasBias: false);
    private readonly ReLU r1 = nn.ReLU();
    private readonly Linear l2 = nn.Linear(3, 2, hasBias: false);
    private readonly ReLU r2 = nn.ReLU();
    private readonly Linear l3 = nn.Linear(2, 1, hasBias: false);

    public ForwardOnlyNet() : base(nameof(ForwardOnlyNet))
    {
        HandNets.SetWeights(l1, l2, l3);
        RegisterComponents();
        eval();
    }

    public override Tensor forward(Tensor x) => l3.call(r2.forward(l2.call(r1.forward(l1.call(x)))));
}
