using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Tests.Imaging;

public class ImageLoaderTests
{
    [Fact]
    public void APngBecomesAThreeByHeightByWidthTensorInZeroToOne()
    {
        using var image = new Image<Rgb24>(5, 4);
        image[0, 0] = new Rgb24(255, 0, 0);
        image[4, 0] = new Rgb24(0, 255, 0);
        image[0, 3] = new Rgb24(0, 0, 255);
        image[2, 1] = new Rgb24(51, 102, 204);
        using var t = ImageLoader.Load(new MemoryStream(ImageFiles.Png(image)));
        Assert.Equal(new long[] { 3, 4, 5 }, t.shape);
        Assert.Equal(ScalarType.Float32, t.dtype);
        Assert.Equal(new[] { 1f, 0f, 0f }, Pixel(t, 0, 0));
        Assert.Equal(new[] { 0f, 1f, 0f }, Pixel(t, 0, 4));
        Assert.Equal(new[] { 0f, 0f, 1f }, Pixel(t, 3, 0));
        Assert.Equal(new[] { 0.2f, 0.4f, 0.8f }, Pixel(t, 1, 2));
        Assert.Equal(0f, t.sum().item<float>() - 1 - 1 - 1 - (0.2f + 0.4f + 0.8f), 4);
    }

    private static float[] Pixel(Tensor t, long y, long x) =>
        Enumerable.Range(0, 3).Select(c => MathF.Round(t[c, y, x].item<float>(), 5)).ToArray();

    [Fact]
    public void GreyscaleAndRgbaPngsBecomeRgb()
    {
        using var grey = new Image<L8>(3, 2);
        grey[1, 1] = new L8(128);
        using var g = ImageLoader.Load(new MemoryStream(ImageFiles.Png(grey)));
        Assert.Equal(new long[] { 3, 2, 3 }, g.shape);
        Assert.Equal(Enumerable.Repeat(MathF.Round(128 / 255f, 5), 3), Pixel(g, 1, 1));

        using var rgba = new Image<Rgba32>(2, 2);
        rgba[0, 1] = new Rgba32(10, 20, 30, 40);
        using var a = ImageLoader.Load(new MemoryStream(ImageFiles.Png(rgba)));
        Assert.Equal(new long[] { 3, 2, 2 }, a.shape);
    }

    [Fact]
    public void AJpegLoadsCloseToThePngOfTheSamePicture()
    {
        using var photo = ImageFiles.SmallPhoto(96, 64);
        using var png = ImageLoader.Load(new MemoryStream(ImageFiles.Png(photo)));
        using var jpg = ImageLoader.Load(new MemoryStream(ImageFiles.Jpeg(photo, 95)));
        Assert.Equal(new long[] { 3, 64, 96 }, jpg.shape);
        float meanError = (png - jpg).abs().mean().item<float>();
        Assert.InRange(meanError, 0f, 0.03f);
    }

    [Fact]
    public void AJpegWithAnExifRotationLoadsUpright()
    {
        using var photo = new Image<Rgb24>(4, 2);
        photo[3, 0] = new Rgb24(255, 255, 255);   // top-right white
        photo.Metadata.ExifProfile = new SixLabors.ImageSharp.Metadata.Profiles.Exif.ExifProfile();
        photo.Metadata.ExifProfile.SetValue(SixLabors.ImageSharp.Metadata.Profiles.Exif.ExifTag.Orientation, (ushort)6);   // rotate 90° clockwise to display
        using var t = ImageLoader.Load(new MemoryStream(ImageFiles.Png(photo)));
        Assert.Equal(new long[] { 3, 4, 2 }, t.shape);
        Assert.True(t[0, 3, 1].item<float>() > 0.9f, "after a 90° clockwise turn the top-right pixel is at the bottom-right");
    }

    [Fact]
    public void TheRealPhotoFilesLoadWithTheirSizes()
    {
        if (!ConvVis.Tests.Onnx.TestFiles.PhotosPresent) return;   // covered by the PhotoFact tests' skip reason
        using var chelsea = ImageLoader.Load(ConvVis.Tests.Onnx.TestFiles.Chelsea);
        using var coffee = ImageLoader.Load(ConvVis.Tests.Onnx.TestFiles.Coffee);
        Assert.Equal(new long[] { 3, 300, 451 }, chelsea.shape);
        Assert.Equal(new long[] { 3, 400, 600 }, coffee.shape);
        Assert.InRange(chelsea.min().item<float>(), 0f, 0.1f);
        Assert.InRange(chelsea.max().item<float>(), 0.9f, 1f);
    }

    [Fact]
    public void ShrinkingIsAntialiased()
    {
        // A one-pixel checkerboard: an antialiased 4x shrink is uniform grey, a point-sampled one is black or white.
        using var board = torch.tensor(Enumerable.Range(0, 64 * 64).Select(i => (float)((i / 64 + i % 64) % 2)).ToArray(), new long[] { 1, 64, 64 }).expand(3, 64, 64).contiguous();
        using var small = ImageLoader.Resize(board, 16, 16);
        Assert.Equal(new long[] { 3, 16, 16 }, small.shape);
        Assert.InRange(small.mean().item<float>(), 0.45f, 0.55f);
        Assert.InRange(small.std().item<float>(), 0f, 0.05f);
    }

    [Fact]
    public void ResizeShorterSideKeepsTheAspectRatioAndCenterCropTakesTheMiddle()
    {
        using var img = torch.zeros(3, 300, 451);
        using var r = ImageLoader.ResizeShorterSide(img, 224);
        Assert.Equal(new long[] { 3, 224, 337 }, r.shape);

        using var grid = torch.arange(20, dtype: ScalarType.Float32).reshape(1, 4, 5).expand(3, 4, 5).contiguous();
        using var crop = ImageLoader.CenterCrop(grid, 2, 3);
        Assert.Equal(new long[] { 3, 2, 3 }, crop.shape);
        Assert.Equal(new float[] { 6, 7, 8, 11, 12, 13 }, crop[0].flatten().data<float>().ToArray());
        var e = Assert.Throws<ArgumentException>(() => ImageLoader.CenterCrop(grid, 5, 5));
        Assert.Contains("ResizeShorterSide", e.Message);
    }

    [Fact]
    public void ImageNetNormalizationAndItsInverse()
    {
        using var rgb = torch.tensor(new[] { 0.485f, 0.456f, 0.406f + 0.225f }).reshape(3, 1, 1);
        using var n = ImageNormalization.ImageNet.Normalize(rgb);
        Assert.Equal(new[] { 0f, 0f, 1f }, n.flatten().data<float>().Select(v => MathF.Round(v, 5)).ToArray());
        using var batch = torch.rand(2, 3, 5, 5);
        using var back = ImageNormalization.ImageNet.Denormalize(ImageNormalization.ImageNet.Normalize(batch));
        Assert.True(torch.allclose(back, batch, 1e-5, 1e-6));
    }

    [Fact]
    public void CntkNormalizationIsBgrTimes255MinusTheMeanImage()
    {
        using var mean = torch.rand(1, 3, 2, 2) * 255;
        using var norm = ImageNormalization.CntkResNet(mean);
        using var rgb = torch.rand(3, 2, 2);
        using var x = norm.Normalize(rgb);
        Assert.True(torch.allclose(x[0], rgb[2] * 255 - mean[0, 0], 1e-4, 1e-4));   // B first
        Assert.True(torch.allclose(x[2], rgb[0] * 255 - mean[0, 2], 1e-4, 1e-4));
        Assert.True(torch.allclose(norm.Denormalize(x), rgb, 1e-5, 1e-5));
        var e = Assert.Throws<ArgumentException>(() => norm.Normalize(torch.rand(3, 4, 4)));
        Assert.Contains("2x2", e.Message);
    }
}
