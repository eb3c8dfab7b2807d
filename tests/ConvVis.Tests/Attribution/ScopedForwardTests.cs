using ConvVis.Tests.Fixtures;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ConvVis.Tests.Attribution;

/// <summary>
/// Methods that keep a layer's output from a forward hook (Grad-CAM, unit targets, feature inversion) on a model whose
/// <c>forward</c> opens its own dispose scope, as many users write it: the scope frees everything made inside it when
/// forward returns, and the kept output used to go with it ("Tensor invalid -- empty handle"). Each result must equal
/// the same method on the same layers without the scope.
/// </summary>
public class ScopedForwardTests
{
    /// <summary>LeNet inside a module whose forward keeps only its output.</summary>
    sealed class ScopedForward : nn.Module<Tensor, Tensor>
    {
        public readonly Sequential body;

        public ScopedForward(Sequential inner) : base(nameof(ScopedForward))
        {
            body = inner;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            return body.call(x).MoveToOuterDisposeScope();
        }
    }

    [Fact]
    public void GradCamWorksThroughTheModelsOwnScope()
    {
        using var scope = NewDisposeScope();
        var plain = LeNet.Create();
        using var scoped = new ScopedForward(LeNet.Create());
        var x = LeNet.Images(4);
        var target = AttributionTarget.Classes(LeNet.Classes(4));

        using var expected = new GradCam(plain, "conv2").Attribute(x, target);
        using var actual = new GradCam(scoped, "body.conv2").Attribute(x, target);
        Assert.Equal(expected.Values.data<float>().ToArray(), actual.Values.data<float>().ToArray());
        Assert.True(expected.Values.abs().max().item<float>() > 0);
    }

    [Fact]
    public void AUnitTargetWorksThroughTheModelsOwnScope()
    {
        using var scope = NewDisposeScope();
        var plain = LeNet.Create();
        using var scoped = new ScopedForward(LeNet.Create());
        var x = LeNet.Images(3);

        using var expected = new Saliency(plain).Attribute(x, AttributionTarget.Unit("relu2", 5));
        using var actual = new Saliency(scoped).Attribute(x, AttributionTarget.Unit("body.relu2", 5));
        Assert.Equal(expected.Values.data<float>().ToArray(), actual.Values.data<float>().ToArray());
        Assert.True(expected.Values.max().item<float>() > 0);
    }

    [Fact]
    public void FeatureInversionWorksThroughTheModelsOwnScope()
    {
        using var scope = NewDisposeScope();
        var plain = LeNet.Create();
        using var scoped = new ScopedForward(LeNet.Create());
        var x = LeNet.Images(1);
        var options = new FeatureInversionOptions { Steps = 5 };

        var expected = new FeatureInversion(plain, "relu2", options).Run(x);
        var actual = new FeatureInversion(scoped, "body.relu2", options).Run(x);
        Assert.Equal(expected.Pictures.data<float>().ToArray(), actual.Pictures.data<float>().ToArray());
    }
}
