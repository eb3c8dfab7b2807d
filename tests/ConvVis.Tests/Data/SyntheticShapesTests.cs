using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Tests.Data;

public class SyntheticShapesTests
{
    [Fact]
    public void TenBalancedClassesOf28x28ImagesInUnitRangeReproducibleForASeed()
    {
        using var a = SyntheticShapes.Create(200, seed: 4);
        using var b = SyntheticShapes.Create(200, seed: 4);
        using var c = SyntheticShapes.Create(200, seed: 5);
        Assert.Equal(new long[] { 200, 1, 28, 28 }, a.Images.shape);
        Assert.True(a.Images.min().item<float>() >= 0 && a.Images.max().item<float>() <= 1);
        Assert.All(a.Labels.bincount(null, 10).data<long>().ToArray(), n => Assert.Equal(20, n));
        Assert.True(a.Images.eq(b.Images).all().item<bool>());
        Assert.False(a.Images.eq(c.Images).all().item<bool>());
        Assert.Equal(10, SyntheticShapes.ClassNames.Count);
    }

    static float AtCentroid(Tensor img)
    {
        var ys = arange(28, dtype: ScalarType.Float32).view(28, 1);
        var xs = arange(28, dtype: ScalarType.Float32).view(1, 28);
        float total = img.sum().item<float>();
        long cy = (long)Math.Round((img * ys).sum().item<float>() / total);
        long cx = (long)Math.Round((img * xs).sum().item<float>() / total);
        return img[cy, cx].item<float>();
    }

    [Fact]
    public void ShapesAreWhereTheyShouldBe()
    {
        using var set = SyntheticShapes.Create(10, seed: 1, noise: 0);
        // A horizontal bar (class 0) spreads along x: its column profile is wider than its row profile.
        var bar = set.Images[0, 0];
        long wide = bar.sum(new long[] { 0 }).gt(0.5).sum().item<long>(), tall = bar.sum(new long[] { 1 }).gt(0.5).sum().item<long>();
        Assert.True(wide > 2 * tall, $"wide {wide}, tall {tall}");
        var vbar = set.Images[1, 0];
        Assert.True(vbar.sum(new long[] { 1 }).gt(0.5).sum().item<long>() > 2 * vbar.sum(new long[] { 0 }).gt(0.5).sum().item<long>());
        // A ring (class 5) is dark at its centre of mass, a disc (class 4) bright.
        Assert.True(AtCentroid(set.Images[4, 0]) > 0.6);
        Assert.True(AtCentroid(set.Images[5, 0]) < 0.2);
        Assert.True(set.Images[5, 0].max().item<float>() > 0.6);
    }
}
