using static TorchSharp.torch;

namespace ConvVis.Tests.Rendering;

public class TensorViewTests
{
    [Fact]
    public void HeaderShowsShapeDtypeDeviceAndStatistics()
    {
        using var t = tensor(new float[] { 0, 1, 2, -3, 0, 6, 0, 2 }, [1, 2, 2, 2]);
        string header = TensorView.HeaderHtml(t);
        Assert.Contains("Tensor [1, 2, 2, 2] Float32 cpu", header);
        Assert.Contains("min -3 · max 6 · mean 1 · zeros 37.5%", header);
        Assert.DoesNotContain("NaN", header);
    }

    [Fact]
    public void HeaderCountsNaNAndInfAndIgnoresThemInStatistics()
    {
        using var t = tensor(new float[] { 1, float.NaN, 3, float.PositiveInfinity }, [4]);
        string header = TensorView.HeaderHtml(t);
        Assert.Contains("min 1 · max 3 · mean 2 · zeros 0%", header);
        Assert.Contains("NaN 1 · Inf 1", header);
    }

    [Fact]
    public void DisposedTensorGivesTheNote()
    {
        var t = rand(3, 4, 4);
        t.Dispose();
        Assert.Contains(TensorView.DisposedNote, TensorView.ToHtml(t));
        Assert.Contains(TensorView.DisposedNote, TensorView.HeaderHtml(t));
        Assert.False(TensorView.IsPicturable(t));
    }

    [Fact]
    public void ImageBatchesShowAsPicturesAndOtherFloatTensorsAsMosaics()
    {
        using var images = rand(2, 3, 8, 8);
        Assert.True(TensorView.IsImageBatch(images));
        string html = TensorView.ToHtml(images);
        Assert.Contains("2 images, RGB 8×8", html);
        Assert.Contains("values in [0, 1] shown as they are", html);

        using var acts = randn(1, 16, 5, 5).requires_grad_();
        Assert.False(TensorView.IsImageBatch(acts));
        string mosaic = TensorView.ToHtml(acts, maxChannels: 8);
        Assert.Contains("requires_grad", mosaic);
        Assert.Contains("showing 8 of 16 channels", mosaic);
        Assert.True(acts.requires_grad);
    }

    [Fact]
    public void OtherTensorsGetOnlyTheHeader()
    {
        using var ints = arange(24).reshape(2, 3, 4);
        Assert.False(TensorView.IsPicturable(ints));
        string html = TensorView.ToHtml(ints);
        Assert.Contains("Tensor [2, 3, 4] Int64 cpu", html);
        Assert.DoesNotContain("<img", html);
        using var vector = ones(5);
        Assert.DoesNotContain("<img", TensorView.ToHtml(vector));
        using var empty = zeros(0, 3, 3);
        Assert.Contains("(empty)", TensorView.ToHtml(empty));
        using var flag = tensor(new[] { true, false });
        Assert.Contains("zeros 50%", TensorView.ToHtml(flag));
    }

    [Fact]
    public void ProblemsBecomeAnEscapedNoteInsteadOfAnException()
    {
        // Far too many pixels for a picture: the note explains instead of throwing.
        using var huge = zeros(1, 64, 1, 200_000, dtype: ScalarType.Float16);
        string html = TensorView.ToHtml(huge);
        Assert.Contains("Could not draw this tensor: The picture would have", html);
        Assert.Contains("Tensor [1, 64, 1, 200000] Float16 cpu", html);
    }
}
