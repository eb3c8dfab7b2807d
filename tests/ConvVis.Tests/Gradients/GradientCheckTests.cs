using ConvVis.Tests.Capture;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using ConvVis.Tests.Fixtures;

namespace ConvVis.Tests.Gradients;

public class GradientCheckTests
{
    [Fact]
    public void EveryLayerOfLeNetIsCheckedAndOnlyAnAffectedMachineHasWrongConvs()
    {
        using var scope = NewDisposeScope();
        var net = LeNet.Create();
        var report = GradientCheck.Of(net, LeNet.Images(2));

        Assert.Equal(["conv1", "relu1", "pool1", "conv2", "relu2", "pool2", "flatten", "fc1", "relu3", "fc2"], report.Rows.Select(r => r.Layer));
        Assert.Equal([2L, 1, 28, 28], report.Rows[0].InputShape);
        Assert.Equal([2L, 16, 5, 5], report.Rows[6].InputShape);
        Assert.All(report.Rows, r => Assert.NotEqual(GradientVerdict.NotChecked, r.Verdict));
        foreach (var r in report.Rows.Where(r => r.Type != "Conv2d"))
        {
            Assert.Equal(GradientVerdict.Right, r.Verdict);
            Assert.InRange(r.InputGradientError!.Value, 0, 1e-5);
        }
        Assert.InRange(report.Rows[7].ParameterGradientError!.Value, 0, 1e-5); // fc1 weight and bias
        Assert.Null(report.Rows[1].ParameterGradientError);                      // ReLU has none
        if (!ConvGradientFault.MachineIsAffected())
        {
            Assert.True(report.AllRight, report.Summary);
            Assert.StartsWith("All 10 layers compute float32 gradients that agree with float64", report.Summary);
        }
        else
        {
            // On an affected CPU only conv layers may be wrong, and the summary then gives the remedy.
            Assert.All(report.WrongLayers, r => Assert.Equal("Conv2d", r.Type));
            if (!report.AllRight) Assert.Contains("DNNL_MAX_CPU_ISA=AVX", report.Summary);
        }
    }

    [Fact]
    public void AFloat32OnlyFaultIsFoundNamedAndTheRemedyGiven()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(2);
        var net = nn.Sequential(("conv", nn.Conv2d(3, 16, 3)), ("broken", new FaultyLayer()), ("gap", nn.AdaptiveAvgPool2d(1)));
        net.eval();
        var report = GradientCheck.Of(net, torch.rand(2, 3, 8, 8));

        var broken = Assert.Single(report.WrongLayers);
        Assert.Equal("broken", broken.Layer);
        Assert.Equal("FaultyLayer", broken.Type);
        Assert.InRange(broken.InputGradientError!.Value, 0.2, 0.35);
        Assert.Equal("wrong input gradient", broken.Note);
        Assert.False(report.AllRight);
        Assert.StartsWith("1 of 3 layers compute wrong float32 gradients on this machine: broken (wrong input gradient, off by 3.0e-1)", report.Summary);
        Assert.Contains("DNNL_MAX_CPU_ISA=AVX", report.Summary);
        Assert.Contains("WRONG: wrong input gradient", report.ToString());
    }

    [Fact]
    public void TheModelIsLeftAsItWasAndTrainingModeBatchNormIsCheckedToo()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(3);
        var bn = nn.BatchNorm2d(16);
        var conv = nn.Conv2d(3, 16, 3, padding: 1);
        var net = nn.Sequential(("conv", conv), ("bn", bn), ("relu", nn.ReLU(inplace: true)), ("flatten", nn.Flatten()), ("fc", nn.Linear(16 * 6 * 6, 4)));
        net.train();
        conv.bias!.requires_grad = false;
        var mean = bn.running_mean!.clone();
        var count = bn.num_batches_tracked!.clone();

        var report = GradientCheck.Of(net, torch.rand(4, 3, 6, 6));

        var bnRow = report.Rows.Single(r => r.Layer == "bn");
        Assert.Equal(GradientVerdict.Right, bnRow.Verdict);
        Assert.InRange(bnRow.ParameterGradientError!.Value, 0, 1e-5);
        Assert.True(net.training && bn.training);
        Assert.True(bn.running_mean!.allclose(mean, rtol: 0, atol: 0));
        Assert.True(bn.num_batches_tracked!.equal(count).item<bool>());
        Assert.False(conv.bias!.requires_grad);
        Assert.True(conv.weight!.requires_grad);
        Assert.All(net.parameters(), p => Assert.Null(p.grad));
        Assert.All(net.modules(), m => Assert.Equal(0, HookCounter.Count(m)));
    }

    [Fact]
    public void LayerNamesAreEscapedInHtmlAndBadInputsSayWhatToDo()
    {
        using var scope = NewDisposeScope();
        var net = nn.Sequential(("<b>x</b>", nn.Conv2d(1, 2, 3)));
        var html = GradientCheck.Of(net, torch.rand(2, 1, 5, 5)).ToHtml();
        Assert.Contains("&lt;b&gt;x&lt;/b&gt;", html);
        Assert.DoesNotContain("<b>x</b>", html);

        var e1 = Assert.Throws<ArgumentException>(() => GradientCheck.Of(net, torch.ones(new long[] { 2, 1, 5, 5 }, dtype: int32)));
        Assert.Contains("floating-point", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => GradientCheck.Of(net, torch.rand(2, 1, 5, 5, dtype: float64)));
        Assert.Contains("float32 model and input", e2.Message);
    }
}
