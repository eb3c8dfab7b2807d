using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Tests.Synthesis;

/// <summary>FGSM, BIM/PGD and the CS231n fooling image on the trained Fashion-MNIST CNN.</summary>
[Collection(nameof(FashionCnnCollection))]
public class AdversarialTests(FashionCnn cnn)
{
    private const int N = 300;

    private (Tensor X, AttributionTarget Labels) TestBatch(int n = N) =>
        (cnn.TestImages.narrow(0, 0, n), AttributionTarget.Classes(cnn.TestLabels.narrow(0, 0, n).data<long>().Select(l => (int)l).ToArray()));

    [Fact]
    public void FgsmLowersTestAccuracyByALargeAmountWithinItsBudget()
    {
        var (x, labels) = TestBatch();
        var attack = new Adversarial(cnn.Net) { Space = cnn.Space };
        double clean = cnn.Accuracy(x);
        using var small = attack.Fgsm(x, labels, 0.05);
        using var large = attack.Fgsm(x, labels, 0.1);
        double atSmall = cnn.Accuracy(small.Adversarial), atLarge = cnn.Accuracy(large.Adversarial);
        // Measured here: about 81 % clean, 58 % at ε = 0.05, 41 % at ε = 0.1.
        Assert.True(clean - atLarge > 0.3, $"FGSM ε = 0.1 took accuracy from {clean:P1} only to {atLarge:P1}");
        Assert.True(atLarge < atSmall && atSmall < clean, $"accuracy {clean:P1} → {atSmall:P1} (ε 0.05) → {atLarge:P1} (ε 0.1) should fall with ε");
        Assert.All(large.LinfNorms, d => Assert.InRange(d, 0, 0.1 + 1e-6));
        Assert.True(large.AdversarialPictures.min().item<float>() >= 0 && large.AdversarialPictures.max().item<float>() <= 1);
        Assert.Equal(1 - atLarge, large.SuccessRate, 1e-9);
    }

    [Fact]
    public void PgdStaysInItsBallAndIsAtLeastAsStrongAsFgsm()
    {
        var (x, labels) = TestBatch(100);
        var attack = new Adversarial(cnn.Net) { Space = cnn.Space };
        using var fgsm = attack.Fgsm(x, labels, 0.05);
        using var pgd = attack.Pgd(x, labels, new PgdOptions { Epsilon = 0.05, StepSize = 0.01, Steps = 10 });
        using var bim = attack.Pgd(x, labels, new PgdOptions { Epsilon = 0.05, StepSize = 0.01, Steps = 10, RandomStart = false });
        Assert.All(pgd.LinfNorms, d => Assert.InRange(d, 0, 0.05 + 1e-6));
        Assert.All(bim.LinfNorms, d => Assert.InRange(d, 0, 0.05 + 1e-6));
        double accFgsm = cnn.Accuracy(fgsm.Adversarial), accPgd = cnn.Accuracy(pgd.Adversarial), accBim = cnn.Accuracy(bim.Adversarial);
        Assert.True(accPgd <= accFgsm && accBim <= accFgsm, $"accuracy under FGSM {accFgsm:P1}, PGD {accPgd:P1}, BIM {accBim:P1} (same ε 0.05)");
        Assert.All(pgd.StepsTaken, s => Assert.Equal(10, s));
    }

    [Fact]
    public void TargetedPgdRaisesTheTargetsProbability()
    {
        var (x, _) = TestBatch(8);
        var targets = Enumerable.Range(0, 8).Select(i => (i * 3 + 1) % 10).ToArray();
        using var r = new Adversarial(cnn.Net) { Space = cnn.Space }
            .Pgd(x, AttributionTarget.Classes(targets), new PgdOptions { Epsilon = 0.1, StepSize = 0.01, Steps = 20, Targeted = true });
        Assert.True(r.Targeted);
        for (int i = 0; i < 8; i++)
            Assert.True(r.ClassProbabilityAfter[i] > r.ClassProbabilityBefore[i], $"image {i}: p(target) {r.ClassProbabilityBefore[i]:P2} → {r.ClassProbabilityAfter[i]:P2}");
        Assert.All(r.LinfNorms, d => Assert.InRange(d, 0, 0.1 + 1e-6));
    }

    [Fact]
    public void TheFoolingImageWinsWithinItsStepBudgetAndMovesNoFurtherThanItsSteps()
    {
        var (x, _) = TestBatch(8);
        var targets = Enumerable.Range(0, 8).Select(i => (i * 3 + 1) % 10).ToArray();
        using var r = new Adversarial(cnn.Net) { Space = cnn.Space, ClassNames = FashionMnist.ClassNames }
            .Fooling(x, AttributionTarget.Classes(targets), learningRate: 1, maxSteps: 100);
        Assert.Equal(targets, r.PredictedAfter);
        Assert.All(r.Succeeded, Assert.True);
        Assert.All(r.StepsTaken, s => Assert.InRange(s, 1, 100));
        // Each step moves the model input by exactly 1 (L2), so the change is at most the steps taken; in picture units
        // (× std) at most std · steps.
        for (int i = 0; i < 8; i++)
        {
            double moved = (r.Adversarial[i] - r.Original[i]).norm().item<float>();
            Assert.True(moved <= r.StepsTaken[i] + 1e-4, $"image {i}: moved {moved:F3} in {r.StepsTaken[i]} steps of length 1");
            Assert.True(r.L2Norms[i] <= cnn.Std * r.StepsTaken[i] + 1e-4);
        }
        // An image the model already takes for the target needs no step.
        var already = (int)cnn.Logits(x.narrow(0, 0, 1)).argmax(1).item<long>();
        using var none = new Adversarial(cnn.Net) { Space = cnn.Space }.Fooling(x.narrow(0, 0, 1), already);
        Assert.Equal(0, none.StepsTaken[0]);
        Assert.True(none.LinfNorms[0] < 1e-6, $"unchanged up to rounding, moved {none.LinfNorms[0]}");
    }

    [Fact]
    public void BadRequestsSayWhatIsWrong()
    {
        var (x, labels) = TestBatch(2);
        var attack = new Adversarial(cnn.Net) { Space = cnn.Space };
        Assert.Contains("classes, not units", Assert.Throws<ArgumentException>(() => attack.Fgsm(x, AttributionTarget.Unit("relu1", 0), 0.1)).Message);
        Assert.Contains("10 outputs", Assert.Throws<ArgumentException>(() => attack.Fgsm(x, 11, 0.1)).Message);
        Assert.Contains("one class index per sample", Assert.Throws<ArgumentException>(() => attack.Fgsm(x, AttributionTarget.Classes(1, 2, 3), 0.1)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => attack.Fgsm(x, labels, -0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => attack.Pgd(x, labels, new PgdOptions { Epsilon = 2 }));
        var unitNet = nn.Sequential(nn.Conv2d(1, 4, 3));
        Assert.Contains("classifier", Assert.Throws<InvalidOperationException>(() => new Adversarial(unitNet).Fgsm(x, 0, 0.1)).Message);
    }
}
