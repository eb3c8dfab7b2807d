using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Tests.Rendering;

/// <summary>Views keep finished pixels only: rendering leaves no live tensor behind, also when it fails.</summary>
public class TensorLifetimeTests
{
    [Fact]
    public void RenderingLeavesNoLiveTensors()
    {
        using var acts = randn(2, 8, 7, 7);
        using var images = rand(3, 3, 8, 8);
        using var conv = nn.Conv2d(4, 6, 3);
        using var fc = nn.Linear(64, 3);
        using var bad = rand(3, 3);
        // Warm up once (lazy statics), then count.
        Mosaic.Of(acts).ToHtml();
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        var views = new List<IVisual>
        {
            Mosaic.Of(acts, new MosaicOptions { TopK = 3, ClipPercentile = 99, Sample = 1 }),
            Mosaic.Of(acts, new MosaicOptions { Channels = [5, 1], Normalization = Normalization.Shared }),
            FilterGrid.Of(conv),
            FilterGrid.Of(conv, new FilterGridOptions { Layout = FilterLayout.OneTilePerFilter, ClipPercentile = 98 }),
            FilterGrid.OfLinear(fc, [8, 8]),
            ImageGrid.Of(images),
        };
        foreach (var v in views) Assert.StartsWith("<div", v.ToHtml());
        TensorView.ToHtml(acts);
        TensorView.ToHtml(images);
        TensorView.ToHtml(bad);
        Assert.ThrowsAny<ArgumentException>(() => Mosaic.Of(bad));
        Assert.ThrowsAny<ArgumentException>(() => Mosaic.Of(acts, new MosaicOptions { Channels = [99] }));

        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
