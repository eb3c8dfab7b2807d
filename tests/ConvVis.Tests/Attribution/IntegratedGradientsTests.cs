using ConvVis.Attributions.Internal;
using TorchSharp;
using static TorchSharp.torch;
using ConvVis.Tests.Fixtures;

namespace ConvVis.Tests.Attribution;

public class IntegratedGradientsTests
{
    [Theory]
    [InlineData(IntegrationRule.GaussLegendre)]
    [InlineData(IntegrationRule.RiemannTrapezoid)]
    public void QuadraticModelGetsItsExactIntegratedGradients(IntegrationRule rule)
    {
        using var scope = NewDisposeScope();
        var net = new QuadraticNet([2, 4, 4], classes: 3);
        var x = torch.randn([2, 2, 4, 4], generator: new torch.Generator(1));
        var b = torch.randn([2, 4, 4], generator: new torch.Generator(2)); // one baseline [C, H, W] for all images
        // The integrand 2a(b + α(x − b)) is linear in α: both rules are exact with few points.
        using var r = new IntegratedGradients(net) { Steps = 4, Rule = rule, Baseline = b }.Attribute(x, AttributionTarget.Classes(2, 0));
        var a = net.a.detach();
        var expected = torch.stack([a[2] * (x[0] * x[0] - b * b), a[0] * (x[1] * x[1] - b * b)]);
        Assert.True(r.Values.allclose(expected, rtol: 1e-4, atol: 1e-5));
        Assert.All(r.ConvergenceDelta!, e => Assert.True(Math.Abs(e) < 1e-3, $"completeness error {e}"));
    }

    [Theory]
    [InlineData(IntegrationRule.GaussLegendre, 1)]
    [InlineData(IntegrationRule.RiemannTrapezoid, 8)]
    public void CompletenessHoldsOnAReluCnnAndTheReportedErrorIsTheRealOne(IntegrationRule rule, int n)
    {
        using var scope = NewDisposeScope();
        var net = RgbCnn16.Create(seed: 5);
        var x = torch.rand([n, 3, 16, 16], generator: new torch.Generator(3));
        int[] classes = [.. Enumerable.Range(0, n).Select(i => i % 5)];
        var target = AttributionTarget.Classes(classes);

        using var coarse = new IntegratedGradients(net) { Steps = 4, Rule = rule, BatchSize = 7 }.Attribute(x, target);
        using var fine = new IntegratedGradients(net) { Steps = 256, Rule = rule, BatchSize = 64 }.Attribute(x, target);

        Tensor f;
        using (no_grad()) f = net.forward(x).gather(1, tensor(classes.Select(c => (long)c).ToArray()).unsqueeze(1)).squeeze(1);
        Tensor f0;
        using (no_grad()) f0 = net.forward(torch.zeros_like(x)).gather(1, tensor(classes.Select(c => (long)c).ToArray()).unsqueeze(1)).squeeze(1);
        for (int i = 0; i < n; i++)
        {
            double gap = f[i].item<float>() - f0[i].item<float>();
            foreach (var r in new[] { coarse, fine })
            {
                double sum = r.Values[i].sum().item<float>();
                Assert.Equal(sum - gap, r.ConvergenceDelta![i], 4);
                Assert.Equal(f[i].item<float>(), r.TargetScores[i], 4);
            }
            double fineError = Math.Abs(fine.ConvergenceDelta![i]);
            Assert.True(fineError < 0.01 * Math.Abs(gap) + 1e-4, $"sample {i}: completeness error {fineError} for f(x) − f(0) = {gap}");
        }
    }

    [Fact]
    public void ABatchIsTheSameAsItsImagesOneByOne()
    {
        using var scope = NewDisposeScope();
        var net = RgbCnn16.Create(seed: 6);
        var x = torch.rand([8, 3, 16, 16], generator: new torch.Generator(8));
        int[] classes = [4, 3, 2, 1, 0, 1, 2, 3];
        var ig = new IntegratedGradients(net) { Steps = 10, BatchSize = 13 };
        using var batch = ig.Attribute(x, AttributionTarget.Classes(classes));
        for (int i = 0; i < 8; i++)
        {
            using var one = ig.Attribute(x[i], classes[i]); // a [C, H, W] image is a batch of one
            Assert.True(one.Values[0].allclose(batch.Values[i], rtol: 1e-4, atol: 1e-6));
        }
    }

    [Fact]
    public void GaussLegendreNodesIntegratePolynomialsExactly()
    {
        var (alphas, weights) = Quadrature.GaussLegendre(3);
        Assert.Equal(1.0, weights.Sum(), 12);
        Assert.All(alphas, a => Assert.InRange(a, 0.0, 1.0));
        // ∫₀¹ α⁵ dα = 1/6, exact for 3 nodes (degree ≤ 5).
        Assert.Equal(1.0 / 6, alphas.Zip(weights, (a, w) => w * Math.Pow(a, 5)).Sum(), 12);
        var (_, w50) = Quadrature.GaussLegendre(50);
        Assert.Equal(1.0, w50.Sum(), 10);
        var (ta, tw) = Quadrature.Trapezoid(5);
        Assert.Equal([0, 0.25, 0.5, 0.75, 1], ta);
        Assert.Equal([0.125, 0.25, 0.25, 0.25, 0.125], tw);
    }

    [Fact]
    public void ABaselineThatDoesNotFitIsRejected()
    {
        using var scope = NewDisposeScope();
        var net = RgbCnn16.Create();
        var e = Assert.Throws<ArgumentException>(() => new IntegratedGradients(net) { Baseline = torch.zeros(3, 8, 8) }.Attribute(torch.rand(2, 3, 16, 16), 0));
        Assert.Contains("does not broadcast to the input [2, 3, 16, 16]", e.Message);
    }
}
