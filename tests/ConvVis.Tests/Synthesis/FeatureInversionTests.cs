using static TorchSharp.torch;

namespace ConvVis.Tests.Synthesis;

/// <summary>Feature inversion on the trained Fashion-MNIST CNN.</summary>
[Collection(nameof(FashionCnnCollection))]
public class FeatureInversionTests(FashionCnn cnn)
{
    [Theory]
    [InlineData("relu1")]
    [InlineData("pool2")]
    public void TheReconstructionsCodeIsCloseToTheTargetCode(string layer)
    {
        var x = cnn.TestImages.narrow(0, 0, 2);
        using var result = new FeatureInversion(cnn.Net, layer, new FeatureInversionOptions { Steps = 150 }) { Space = cnn.Space }.Run(x);

        // Measured here: from about 0.8–1.1 at the random start to 0.05–0.13 after 150–200 steps.
        for (int i = 0; i < 2; i++)
        {
            Assert.True(result.InitialCodeRelativeErrors![i] > 0.5, $"image {i}: the start is already close ({result.InitialCodeRelativeErrors[i]:F3})");
            Assert.True(result.CodeRelativeErrors![i] < 0.2, $"image {i}: relative error of the {layer} code is {result.CodeRelativeErrors[i]:F3} (from {result.InitialCodeRelativeErrors[i]:F3})");
        }
        // Recomputed independently: the code of the returned model input.
        using (var rec = ActivationRecorder.Attach(cnn.Net, layer))
        {
            using (no_grad()) cnn.Net.call(x);
            var target = rec[layer].clone();
            using (no_grad()) cnn.Net.call(result.Input);
            var error = (rec[layer] - target).reshape(2, -1).norm(1) / target.reshape(2, -1).norm(1);
            for (int i = 0; i < 2; i++) Assert.Equal(result.CodeRelativeErrors![i], error[i].item<float>(), 1e-4);
        }
        // And the picture looks like the photo: pixel correlation with the original.
        using var original = cnn.Space.ToPicture(x);
        for (int i = 0; i < 2; i++)
        {
            var a = original[i].flatten(); var b = result.Pictures[i].flatten();
            double r = corrcoef(stack([a, b]))[0, 1].item<float>();
            Assert.True(r > 0.8, $"image {i}: the reconstruction from {layer} correlates only {r:F3} with the original");
        }
    }

    [Fact]
    public void EqualSeedsGiveEqualReconstructions()
    {
        var x = cnn.TestImages.narrow(0, 0, 1);
        var o = new FeatureInversionOptions { Steps = 10, Jitter = 2, Seed = 3 };
        using var a = new FeatureInversion(cnn.Net, "relu2", o) { Space = cnn.Space }.Run(x);
        using var b = new FeatureInversion(cnn.Net, "relu2", o) { Space = cnn.Space }.Run(x);
        using var c = new FeatureInversion(cnn.Net, "relu2", o with { Seed = 4 }) { Space = cnn.Space }.Run(x);
        Assert.True(TensorCompare.Same(a.Pictures, b.Pictures));
        Assert.False(a.Pictures.allclose(c.Pictures));
    }

    [Fact]
    public void BadRequestsSayWhatIsWrong()
    {
        var e1 = Assert.ThrowsAny<ArgumentException>(() => new FeatureInversion(cnn.Net, "nope").Run(cnn.TestImages.narrow(0, 0, 1)));
        Assert.Contains("nope", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => new FeatureInversion(cnn.Net, "relu1").Run(zeros(28, 28)));
        Assert.Contains("[N, C, H, W]", e2.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new FeatureInversion(cnn.Net, "relu1", new FeatureInversionOptions { NormPower = 0.5 }).Run(cnn.TestImages.narrow(0, 0, 1)));
    }
}
