using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Tests.Synthesis;

/// <summary>Class and unit visualisation on the trained Fashion-MNIST CNN.</summary>
[Collection(nameof(FashionCnnCollection))]
public class ActivationMaximizationTests(FashionCnn cnn)
{
    private static readonly int[] Classes = [1, 5, 8]; // trouser, sandal, bag

    private double[] Probabilities(Tensor input, int[] classes)
    {
        using var scope = NewDisposeScope();
        var p = nn.functional.softmax(cnn.Logits(input), 1);
        return classes.Select((c, i) => (double)p[i, c].item<float>()).ToArray();
    }

    private long[] Top1(Tensor input)
    {
        using var scope = NewDisposeScope();
        return cnn.Logits(input).argmax(1).data<long>().ToArray();
    }

    [Theory]
    [InlineData("CS231n")]
    [InlineData("Simonyan")]
    [InlineData("Yosinski #3")]
    public void ClassVisualisationMakesTheTargetTopOneAndRaisesItsScore(string preset)
    {
        var options = preset switch
        {
            "CS231n" => ActivationMaximizationOptions.Cs231n,
            "Simonyan" => ActivationMaximizationOptions.Simonyan with { Steps = 100 },
            _ => ActivationMaximizationOptions.Yosinski(3) with { Steps = 100 },
        };
        using var result = new ActivationMaximization(cnn.Net, options) { Space = cnn.Space }
            .Run(AttributionTarget.Classes(Classes), [3, 1, 28, 28]);

        Assert.Equal(Classes.Select(c => (long)c), Top1(result.Input));
        for (int i = 0; i < Classes.Length; i++)
            Assert.True(result.FinalScores![i] > result.InitialScores![i] + 3,
                $"class {Classes[i]}: score {result.InitialScores[i]:F2} → {result.FinalScores[i]:F2}, expected a rise of more than 3");
        Assert.All(Probabilities(result.Input, Classes), p => Assert.True(p > 0.8, $"the target's probability is only {p:P1}"));
        // The pictures are valid pictures, and the model input is what the picture stands for.
        Assert.True(result.Pictures.min().item<float>() >= 0 && result.Pictures.max().item<float>() <= 1);
        using var back = cnn.Space.ToPicture(result.Input);
        Assert.True(back.allclose(result.Pictures, rtol: 0, atol: 1e-5), "clamped to the valid range: the input maps to a picture in [0, 1]");
        Assert.Equal(options.Steps, result.ObjectiveHistory.Count);
    }

    [Fact]
    public void LucidStyleFourierVisualisationRaisesTheClassScore()
    {
        using var result = new ActivationMaximization(cnn.Net, ActivationMaximizationOptions.Lucid with { Steps = 96 }) { Space = cnn.Space }
            .Run(AttributionTarget.Classes(Classes), [3, 1, 28, 28]);
        Assert.Equal(Classes.Select(c => (long)c), Top1(result.Input));
        for (int i = 0; i < Classes.Length; i++)
            Assert.True(result.FinalScores![i] > result.InitialScores![i] + 3, $"class {Classes[i]}: {result.InitialScores[i]:F2} → {result.FinalScores[i]:F2}");
        // The sigmoid keeps every picture value strictly inside (0, 1) without clamping.
        Assert.True(result.Pictures.min().item<float>() > 0 && result.Pictures.max().item<float>() < 1);
    }

    [Fact]
    public void AUnitVisualisationExcitesTheUnitMoreThanAnyTestImage()
    {
        const int channel = 3;
        var unit = AttributionTarget.Unit("relu2", channel);
        using var result = new ActivationMaximization(cnn.Net, ActivationMaximizationOptions.Cs231n with { Steps = 60, L2 = 0 }) { Space = cnn.Space }
            .Run(unit, [1, 28, 28]);
        double bestReal;
        using (var rec = ActivationRecorder.Attach(cnn.Net, "relu2"))
        {
            using (no_grad()) cnn.Net.call(cnn.TestImages.narrow(0, 0, 500));
            bestReal = rec["relu2"].select(1, channel).mean([1L, 2L]).max().item<float>();
        }
        Assert.True(result.FinalScores![0] > bestReal,
            $"relu2[{channel}] mean: {result.FinalScores[0]:F3} for the visualisation, {bestReal:F3} for the best of 500 test images");
        Assert.Contains("unit relu2[3]", result.Captions[0]);
    }

    [Fact]
    public void EqualSeedsGiveEqualPicturesAndOtherSeedsOtherPictures()
    {
        Tensor Run(ActivationMaximizationOptions o) =>
            new ActivationMaximization(cnn.Net, o) { Space = cnn.Space }.Run(AttributionTarget.Class(0), [2, 1, 28, 28]).Pictures;
        foreach (var o in new[] { ActivationMaximizationOptions.Cs231n with { Steps = 12 }, ActivationMaximizationOptions.Lucid with { Steps = 12 } })
        {
            using var a = Run(o with { Seed = 5 });
            using var b = Run(o with { Seed = 5 });
            using var c = Run(o with { Seed = 6 });
            Assert.True(TensorCompare.Same(a, b), $"{o.Name}: two runs with seed 5 differ");
            Assert.False(a.allclose(c), $"{o.Name}: seeds 5 and 6 gave the same pictures");
        }
    }

    [Fact]
    public void TheConvLayersGetTheCorrectedBackwardDuringTheRun()
    {
        var saved = ConvGradientFault.Mode;
        try
        {
            ConvGradientFault.Mode = ConvGradientCorrectionMode.Always;
            var conv1 = (nn.Module)ModelLayers.Get(cnn.Net, "conv1");
            var hooksDuring = new List<int>();
            var progress = new Inline<WorkProgress>(_ => hooksDuring.Add(ConvVis.Tests.Attribution.ModelStateTests.HookCount(conv1)));
            int before = ConvVis.Tests.Attribution.ModelStateTests.HookCount(conv1);
            using var result = new ActivationMaximization(cnn.Net, ActivationMaximizationOptions.Cs231n with { Steps = 3 }) { Space = cnn.Space }
                .Run(AttributionTarget.Class(1), [1, 1, 28, 28], progress);
            Assert.Equal(3, hooksDuring.Count);
            Assert.All(hooksDuring, h => Assert.Equal(before + 1, h));
            Assert.Equal(before, ConvVis.Tests.Attribution.ModelStateTests.HookCount(conv1));
        }
        finally { ConvGradientFault.Mode = saved; }
    }

    [Fact]
    public void BadRequestsSayWhatIsWrongAndHowToFixIt()
    {
        var am = new ActivationMaximization(cnn.Net) { Space = cnn.Space };
        var e1 = Assert.Throws<ArgumentException>(() => am.Run(AttributionTarget.Class(12), [1, 1, 28, 28]));
        Assert.Contains("10 outputs", e1.Message);
        var e2 = Assert.ThrowsAny<ArgumentException>(() => am.Run(AttributionTarget.Unit("conv9", 0), [1, 1, 28, 28]));
        Assert.Contains("conv9", e2.Message);
        var e3 = Assert.Throws<ArgumentException>(() => am.Run(AttributionTarget.Unit("relu2", 40), [1, 1, 28, 28]));
        Assert.Contains("32 channels", e3.Message);
        var e4 = Assert.Throws<ArgumentException>(() => am.Run(AttributionTarget.Classes(1, 2), [3, 1, 28, 28]));
        Assert.Contains("one class index per sample", e4.Message);
        var e5 = Assert.Throws<ArgumentException>(() => am.Run(AttributionTarget.Class(1), [28, 28]));
        Assert.Contains("[N, C, H, W]", e5.Message);
        var fourierBlur = new ActivationMaximization(cnn.Net, ActivationMaximizationOptions.Lucid with { BlurEvery = 4 });
        var e6 = Assert.Throws<ArgumentException>(() => fourierBlur.Run(AttributionTarget.Class(1), [1, 1, 28, 28]));
        Assert.Contains("ImageParameterization.Pixels", e6.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ActivationMaximizationOptions.Yosinski(5));
    }
}
