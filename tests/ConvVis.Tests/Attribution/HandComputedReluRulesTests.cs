using AttributionResult = ConvVis.Attribution;
using TorchSharp;
using static TorchSharp.torch;
using ConvVis.Tests.Fixtures;

namespace ConvVis.Tests.Attribution;

/// <summary>
/// The hand net (HandNets.HandNet), x = [1, 2]:
///   pre1 = W1 x = [-1, 4, 3], mask1 = [0, 1, 1]; pre2 = W2 relu(pre1) = [-1, 1], mask2 = [0, 1]; out = r2[0] + r2[1] = 1.
/// Backward from d out / d r2 = [1, 1]:
///   plain:   g_pre2 = [0, 1];  g_r1 = W2ᵀ g_pre2 = [1, 1, -1]; g_pre1 = [0, 1, -1];  g_x = W1ᵀ g_pre1 = [1, 0]
///   guided:  g_pre2 = relu([1, 1])·mask2 = [0, 1]; g_r1 = [1, 1, -1]; g_pre1 = relu(g_r1)·mask1 = [0, 1, 0]; g_x = [2, 1]
///   deconv:  g_pre2 = relu([1, 1]) = [1, 1]; g_r1 = W2ᵀ [1, 1] = [2, 0, 0]; g_pre1 = [2, 0, 0]; g_x = W1ᵀ [2, 0, 0] = [2, -2]
/// </summary>
public class HandComputedReluRulesTests
{
    private static float[] Run(AttributionMethod method, out AttributionResult result)
    {
        using var x = tensor(new float[] { 1, 2 }).reshape(1, 2);
        result = method.Attribute(x, 0);
        return result.Values.reshape(-1).data<float>().ToArray();
    }

    public static TheoryData<string> Nets => new() { "sequential", "sequential-inplace", "reused", "reused-inplace" };

    private static nn.Module<Tensor, Tensor> Net(string kind) => kind switch
    {
        "sequential" => HandNets.HandNet(),
        "sequential-inplace" => HandNets.HandNet(inplace: true),
        "reused" => new ReusedReluNet(inplace: false),
        _ => new ReusedReluNet(inplace: true),
    };

    [Theory, MemberData(nameof(Nets))]
    public void PlainGradientIsTheHandValue(string kind)
    {
        using var r = new Saliency(Net(kind)) { Map = SaliencyMap.Signed }.Attribute(tensor(new float[] { 1, 2 }).reshape(1, 2), 0);
        Assert.Equal(new float[] { 1, 0 }, r.Values.reshape(-1).data<float>().ToArray());
        Assert.Equal(1.0, r.TargetScores[0], 6);
    }

    [Theory, MemberData(nameof(Nets))]
    public void GuidedBackpropIsTheHandValue(string kind)
    {
        var values = Run(new GuidedBackprop(Net(kind)), out var result);
        using (result)
        {
            Assert.Equal(new float[] { 2, 1 }, values);
            Assert.Empty(result.Warnings);
        }
    }

    [Theory, MemberData(nameof(Nets))]
    public void DeconvNetIsTheHandValue(string kind)
    {
        var values = Run(new DeconvNet(Net(kind)), out var result);
        using (result)
        {
            Assert.Equal(new float[] { 2, -2 }, values);
            Assert.Empty(result.Warnings);
        }
    }

    [Fact]
    public void FunctionalReluCannotBeOverriddenAndIsWarnedAbout()
    {
        // No ReLU modules at all: the map is the plain gradient, and the result says so.
        var values = Run(new GuidedBackprop(new FunctionalReluNet(firstIsModule: false)), out var none);
        using (none)
        {
            Assert.Equal(new float[] { 1, 0 }, values);
            Assert.Contains(none.Warnings, w => w.Contains("No ReLU module ran"));
        }

        // First ReLU a module, second a function: only the first is guided. g_pre2 = [0, 1] (plain), g_r1 = [1, 1, -1],
        // guided at the module: [0, 1, 0] → g_x = [2, 1]; the functional ReLU's consumer 'l3' is named.
        values = Run(new GuidedBackprop(new FunctionalReluNet(firstIsModule: true)), out var mixed);
        using (mixed)
        {
            Assert.Equal(new float[] { 2, 1 }, values);
            var warning = Assert.Single(mixed.Warnings);
            Assert.Contains("'l3'", warning);
            Assert.Contains("functional.relu", warning);
        }
    }

    [Fact]
    public void ReluModuleRunWithForwardInsteadOfCallIsReported()
    {
        var net = new ForwardOnlyNet();
        var values = Run(new GuidedBackprop(net), out var result);
        using (result)
        {
            Assert.Equal(new float[] { 1, 0 }, values); // nothing was overridden
            Assert.Contains(result.Warnings, w => w.Contains("'r1'") && w.Contains("forward()"));
        }
    }
}
