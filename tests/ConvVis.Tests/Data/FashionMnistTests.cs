using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Tests.Data;

public class FashionMnistTests
{
    [Fact]
    public void LoadsTheInstalledFilesWithTheRightCountsAndRanges()
    {
        if (!FashionMnist.IsAvailable()) return; // the CI machine has dataset-fashion-mnist; elsewhere see the error test
        using var test = FashionMnist.Load(train: false);
        Assert.Equal(10000, test.Count);
        Assert.Equal(new long[] { 10000, 1, 28, 28 }, test.Images.shape);
        Assert.Equal(ScalarType.Float32, test.Images.dtype);
        Assert.Equal(0f, test.Images.min().item<float>());
        Assert.Equal(1f, test.Images.max().item<float>());
        Assert.Equal(0, test.Labels.min().item<long>());
        Assert.Equal(9, test.Labels.max().item<long>());
        // The test split is balanced: 1000 per class.
        Assert.All(test.Labels.bincount(null, 10).data<long>().ToArray(), c => Assert.Equal(1000, c));
        Assert.Equal("Ankle boot", FashionMnist.ClassNames[9]);
        Assert.Same(FashionMnist.ClassNames, test.ClassNames);

        using var train = FashionMnist.Load(train: true);
        Assert.Equal(60000, train.Count);
        Assert.Equal(60000, train.Labels.shape[0]);
    }

    [Fact]
    public void LimitLoadsOnlyTheFirstImages()
    {
        if (!FashionMnist.IsAvailable()) return;
        using var some = FashionMnist.Load(train: true, limit: 100);
        Assert.Equal(100, some.Count);
        Assert.Equal(9, some.Labels[0].item<long>()); // the first training image is an ankle boot
    }

    [Fact]
    public void MissingFilesSayHowToInstallThem()
    {
        string empty = Directory.CreateTempSubdirectory("convvis-nofmnist-").FullName;
        try
        {
            var e = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(empty));
            Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
            Assert.Contains(empty, e.Message);
            Assert.False(FashionMnist.IsAvailable(empty));
        }
        finally { Directory.Delete(empty); }
    }
}
