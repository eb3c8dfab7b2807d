using static TorchSharp.torch;

namespace ConvVis.Tests.Inspection;

/// <summary>
/// Issue 9, item 6: a module registered as its own child made TorchSharp's parameters() recurse until the stack
/// overflowed, which ends the process (a notebook kernel dies). The summary must count parameters without recursing.
/// </summary>
public class CyclicModelTests
{
    /// <summary>A module with registered children that runs them in order (Sequential keeps its own child list).</summary>
    sealed class Block : nn.Module<Tensor, Tensor>
    {
        readonly List<nn.Module<Tensor, Tensor>> steps = [];

        public Block(params (string Name, nn.Module<Tensor, Tensor> Module)[] children) : base(nameof(Block))
        {
            foreach (var (name, module) in children) Add(name, module);
        }

        public void Add(string name, nn.Module<Tensor, Tensor> module)
        {
            register_module(name, module);
            if (!ReferenceEquals(module, this)) steps.Add(module);
        }

        /// <summary>Unregisters a child: a cyclic module must be made a tree again before Dispose, which recurses too.</summary>
        public void Remove(string name) => register_module(name, null!);

        public override Tensor forward(Tensor x) => steps.Aggregate(x, (h, m) => m.call(h));
    }

    static Block SelfContaining()
    {
        var net = new Block(("conv", nn.Conv2d(3, 4, 3)), ("relu", nn.ReLU()));
        net.Add("again", net);
        return net;
    }

    [Fact]
    public void SummaryOfAModuleThatContainsItselfCountsEachParameterOnce()
    {
        var net = SelfContaining();
        var summary = ModelSummary.Of(net);
        Assert.Equal(4 * 3 * 3 * 3 + 4, summary.TotalParameters);
        Assert.Equal(summary.TotalParameters, summary.TrainableParameters);
        Assert.Equal(summary.TotalParameters * 4, summary.ParameterBytes);
        Assert.Equal(["", "conv", "relu"], summary.Rows.Select(r => r.Name));
        Assert.Contains(net.named_children(), c => ReferenceEquals(c.module, net)); // the cycle is really there
        Assert.Equal(summary.TotalParameters, summary.Rows[0].TotalParameters);
        Assert.Contains("conv", summary.ToString());
        Assert.Contains("conv", summary.ToHtml());
        net.Remove("again");
        net.Dispose();
    }

    [Fact]
    public void ADryRunOfAModuleThatContainsItselfIsRefusedWithTheReason()
    {
        var net = SelfContaining();
        var e = Assert.Throws<ArgumentException>(() => ModelSummary.Of(net, [1, 3, 8, 8]));
        Assert.Contains("'again' is the model itself", e.Message);
        Assert.Contains("registered inside itself", e.Message);
        net.Remove("again");
        Assert.Equal([1, 4, 6, 6], ModelSummary.Of(net, [1, 3, 8, 8]).Rows[0].OutputShape!);
        net.Dispose();
    }

    [Fact]
    public void ScansOfAModuleThatContainsItselfAreRefusedInsteadOfOverflowingTheStack()
    {
        var net = SelfContaining();
        using var data = rand(4, 3, 8, 8);
        var e = Assert.Throws<ArgumentException>(() => ActivationStats.Collect(net, new[] { data }, new StatsOptions(), "relu"));
        Assert.Contains("'again' is the model itself", e.Message);
        Assert.Throws<ArgumentException>(() => DeadFilters.Find(net, data, null, "relu"));
        net.Remove("again");
        Assert.Single(ActivationStats.Collect(net, new[] { data }, new StatsOptions(), "relu").Layers);
        net.Dispose();
    }

    [Fact]
    public void ACycleDeeperInTheTreeIsNamed()
    {
        var inner = new Block(("conv", nn.Conv2d(1, 2, 3)));
        var net = new Block(("block", inner), ("relu", nn.ReLU()));
        inner.Add("loop", net);
        Assert.Equal(2 * 9 + 2, ModelSummary.Of(net).TotalParameters);
        var e = Assert.Throws<ArgumentException>(() => ModelSummary.Of(net, [1, 1, 8, 8]));
        Assert.Contains("'block.loop' is the model itself", e.Message);
        inner.Remove("loop");
        net.Dispose();
    }

    [Fact]
    public void SharedParametersAndModulesStillCountOnce()
    {
        var conv = nn.Conv2d(2, 2, 3, padding: 1);
        using var net = new Block(("a", conv), ("b", conv));
        Assert.Equal(net.parameters().Sum(p => p.numel()), ModelSummary.Of(net).TotalParameters);
    }
}
