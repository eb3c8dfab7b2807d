using ConvVis.Synthesis;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Tests.Synthesis;

/// <summary>The regularisers and transforms, on hand-made tensors.</summary>
public class SynthesisTransformsTests
{
    [Fact]
    public void BlurOfAnImpulseIsTheNormalisedGaussianAndAConstantStaysConstant()
    {
        using var scope = NewDisposeScope();
        var impulse = zeros(1, 1, 15, 15);
        impulse[0, 0, 7, 7] = 1;
        var blurred = GaussianBlur.Apply(impulse, 1.0);
        // radius 4σ = 4: weights exp(−i²/2) for |i| ≤ 4, normalised; the 2-D response is their outer product.
        var w = Enumerable.Range(-4, 9).Select(i => Math.Exp(-0.5 * i * i)).ToArray();
        double sum = w.Sum();
        for (int dy = -4; dy <= 4; dy++)
            for (int dx = -4; dx <= 4; dx++)
                Assert.Equal(w[dy + 4] * w[dx + 4] / (sum * sum), blurred[0, 0, 7 + dy, 7 + dx].item<float>(), 1e-6);
        Assert.Equal(0, blurred[0, 0, 0, 0].item<float>(), 1e-9);
        var constant = full(new long[] { 2, 3, 6, 5 }, 0.3f);
        Assert.True(GaussianBlur.Apply(constant, 0.5).allclose(constant, atol: 1e-6));
    }

    [Fact]
    public void JitterRollsAndRollsBack()
    {
        using var scope = NewDisposeScope();
        var x = arange(2 * 3 * 5 * 7).reshape(2, 3, 5, 7).to(ScalarType.Float32);
        var rolled = Jitter.Roll(x, 2, -3);
        Assert.Equal(x[1, 2, 0, 0].item<float>(), rolled[1, 2, 2, 4].item<float>());
        Assert.True(TensorCompare.Same(Jitter.Roll(rolled, -2, 3), x));
        var random = new Random(1);
        for (int i = 0; i < 200; i++)
        {
            var (dy, dx) = Jitter.Offset(random, 3);
            Assert.InRange(dy, -3, 3);
            Assert.InRange(dx, -3, 3);
        }
    }

    [Fact]
    public void AffineTransformsShiftScaleAndRotateAsDrawn()
    {
        using var scope = NewDisposeScope();
        var x = rand(1, 1, 16, 16, generator: new Generator(2));
        Assert.True(TensorCompare.Same(RandomAffine.Apply(x, new RandomAffine.Draw(1, 0, 0, 0)), x));
        // A pure shift by whole pixels moves the interior exactly.
        var shifted = RandomAffine.Apply(x, new RandomAffine.Draw(1, 0, 2, -1));
        Assert.True(shifted[.., .., 4..12, 4..12].allclose(x[.., .., 2..10, 5..13], atol: 1e-5));
        // A rotation by 90° maps row r to column 15 − r (rotation about the centre).
        var rotated = RandomAffine.Apply(x, new RandomAffine.Draw(1, 90, 0, 0));
        Assert.True(rotated.allclose(x.rot90(1, (2, 3)), atol: 1e-4) || rotated.allclose(x.rot90(-1, (2, 3)), atol: 1e-4), "a 90° rotation is a rot90");
        // Scaling by 2 zooms in about the centre (7.5): on a ramp x[., j] = j, column j shows 7.5 + (j − 7.5) / 2.
        var ramp = arange(16).to(ScalarType.Float32).reshape(1, 1, 1, 16).expand(1, 1, 16, 16).contiguous();
        var zoomed = RandomAffine.Apply(ramp, new RandomAffine.Draw(2, 0, 0, 0));
        for (int j = 0; j < 16; j++) Assert.Equal(7.5 + (j - 7.5) / 2, zoomed[0, 0, 8, j].item<float>(), 1e-4);
        // The gradient flows back to the untransformed image.
        var v = x.clone().requires_grad_(true);
        var g = torch.autograd.grad([RandomAffine.Apply(v, new RandomAffine.Draw(1.1, 7, 1, 1)).sum()], [v])[0];
        Assert.True(g.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void FourierPicturesAreInRangeSmoothAndDifferentiable()
    {
        using var scope = NewDisposeScope();
        using var param = new FourierParameterization([2, 3, 32, 32], new Generator(1), initialStd: 1);
        var picture = param.Picture();
        Assert.Equal(new long[] { 2, 3, 32, 32 }, picture.shape);
        Assert.True(picture.min().item<float>() > 0 && picture.max().item<float>() < 1);
        // 1/f scaling: neighbouring pixels are far more alike than in white noise of the same variance.
        var p = picture.detach();
        double neighbour = (p[.., .., .., 1..] - p[.., .., .., ..^1]).pow(2).mean().item<float>();
        double variance = p.var().item<float>();
        Assert.True(neighbour < 0.5 * 2 * variance, $"mean squared neighbour difference {neighbour:G3} vs 2·variance {2 * variance:G3}");
        var g = torch.autograd.grad([picture.sum()], [param.Variable])[0];
        Assert.True(g.isfinite().all().item<bool>() && g.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void ClippingZeroesTheSmallestPixels()
    {
        using var scope = NewDisposeScope();
        // One image, one channel, 2×5: pixel norms 1..10.
        var x = arange(1, 11).to(ScalarType.Float32).reshape(1, 1, 2, 5);
        var byNorm = x.clone();
        PixelClipping.Apply(byNorm, null, 50, 0);
        Assert.Equal(new float[] { 0, 0, 0, 0, 0, 6, 7, 8, 9, 10 }, byNorm.flatten().data<float>().ToArray());
        // Contribution |x · g|: with g = 1/x² it is 1/x, so the largest pixels contribute least.
        var byContribution = x.clone();
        PixelClipping.Apply(byContribution, x.pow(-2), 0, 50);
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 0, 0, 0, 0, 0 }, byContribution.flatten().data<float>().ToArray());
    }

    [Fact]
    public void ImageSpacesMapBothWaysAndClampToValidPictures()
    {
        using var scope = NewDisposeScope();
        var space = ImageSpace.Standardized([0.5, 0.4, 0.3], [0.2, 0.25, 0.5]);
        var picture = rand(2, 3, 4, 4, generator: new Generator(3));
        var input = space.ToModel(picture);
        Assert.Equal((picture[1, 2, 3, 3].item<float>() - 0.3f) / 0.5f, input[1, 2, 3, 3].item<float>(), 1e-6);
        Assert.True(space.ToPicture(input).allclose(picture, atol: 1e-6));
        var clamped = space.ToPicture(space.Clamp(input * 10));
        Assert.True(clamped.min().item<float>() >= -1e-6 && clamped.max().item<float>() <= 1 + 1e-6);
        Assert.Throws<ArgumentException>(() => ImageSpace.Standardized([0.5], [0.2, 0.3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageSpace.Standardized([0.5], [0]));
    }

    [Fact]
    public void AMeanImageSpaceServesOtherSizesWithItsMeanImageResized()
    {
        using var scope = NewDisposeScope();
        // A BGR 0..255 normalisation whose 8×8 mean image is constant per channel (B 100, G 110, R 120).
        var meanImage = stack([full(new long[] { 8, 8 }, 100f), full(new long[] { 8, 8 }, 110f), full(new long[] { 8, 8 }, 120f)]);
        using var normalization = ImageNormalization.CntkResNet(meanImage);
        var space = ImageSpace.From(normalization);
        var picture = rand(1, 3, 4, 6, generator: new Generator(4));
        var input = space.ToModel(picture);
        // Channel 0 of the input is blue: 255 · picture's channel 2 minus the blue mean.
        Assert.Equal(255 * picture[0, 2, 1, 3].item<float>() - 100, input[0, 0, 1, 3].item<float>(), 1e-3);
        Assert.Equal(255 * picture[0, 0, 3, 5].item<float>() - 120, input[0, 2, 3, 5].item<float>(), 1e-3);
        Assert.True(space.ToPicture(input).allclose(picture, atol: 1e-5));
        // At its own size it is the normalisation itself.
        var full8 = rand(1, 3, 8, 8, generator: new Generator(5));
        Assert.True(space.ToModel(full8).allclose(normalization.Normalize(full8)));
    }

    [Fact]
    public void ALayersCodeStopsTheForwardPassAtTheLayer()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(9);
        var net = nn.Sequential(("conv", nn.Conv2d(1, 3, 3)), ("relu", nn.ReLU()), ("flatten", nn.Flatten()), ("fc", nn.Linear(3 * 6 * 6, 2)));
        int fcCalls = 0;
        var fc = (nn.Module<Tensor, Tensor>)ModelLayers.Get(net, "fc");
        var counter = fc.register_forward_hook((_, _, o) => { fcCalls++; return o; });
        var x = rand(2, 1, 8, 8, generator: new Generator(6));
        var code = LayerCode.Of(net, "relu", x);
        Assert.Equal(0, fcCalls);
        Assert.True(code.allclose(nn.functional.relu(ModelLayers.Get(net, "conv") is nn.Module<Tensor, Tensor> conv ? conv.call(x) : x)));
        net.call(x);
        Assert.Equal(1, fcCalls);
        counter.remove();
        Assert.Contains("nope", Assert.ThrowsAny<ArgumentException>(() => LayerCode.Of(net, "nope", x)).Message);
    }
}
