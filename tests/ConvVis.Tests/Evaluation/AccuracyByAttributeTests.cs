using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Tests.Evaluation;

public class AccuracyByAttributeTests
{
    // Ten inputs with attribute 0..9; the first four wrong, the rest right.
    static readonly double[] Values = [3, 0, 9, 1, 8, 2, 7, 4, 6, 5];
    static readonly bool[] Right = [false, false, true, false, true, false, true, true, true, true];

    [Fact]
    public void EqualWidthBinsCountByHand()
    {
        var a = AccuracyByAttribute.Of(Values, Right, bins: 3, attribute: "brightness");
        // Edges 0, 3, 6, 9: [0,3) = {0,1,2} all wrong; [3,6) = {3,4,5}: 3 wrong, 4 and 5 right; [6,9] = {6,7,8,9} right.
        Assert.Equal([new AttributeBin(0, 3, 3, 0), new AttributeBin(3, 6, 3, 2), new AttributeBin(6, 9, 4, 4)], a.Bins);
        Assert.Equal(0.6, a.OverallAccuracy, 12);
        Assert.Equal(2.0 / 3, a.Bins[1].Accuracy, 12);
    }

    [Fact]
    public void QuantileBinsHoldEqualCounts()
    {
        var a = AccuracyByAttribute.Of(Values, Right, bins: 2, binning: AttributeBinning.Quantile);
        // Median 4.5: {0..4} has 4 wrong of 5, {5..9} all right.
        Assert.Equal([new AttributeBin(0, 4.5, 5, 1), new AttributeBin(4.5, 9, 5, 5)], a.Bins);
    }

    [Fact]
    public void TiedQuantileEdgesMergeAndNaNsAreLeftOut()
    {
        var a = AccuracyByAttribute.Of([1, 1, 1, 2, 3, double.NaN], [true, false, true, false, true, true], bins: 4, binning: AttributeBinning.Quantile);
        // Quantiles (type 7) at 0, 1/4, 1/2, 3/4, 1: 1, 1, 1, 2, 3 → edges 1, 2, 3.
        Assert.Equal([new AttributeBin(1, 2, 3, 2), new AttributeBin(2, 3, 2, 1)], a.Bins);
        Assert.Equal(1, a.Ignored);
    }

    [Fact]
    public void HtmlHasTheChartTableAndEscapedName()
    {
        var html = AccuracyByAttribute.Of(Values, Right, bins: 3, attribute: "<size>").ToHtml();
        Assert.Contains("convvis-chart", html);
        Assert.Contains("&lt;size&gt;", html);
        Assert.DoesNotContain("<size>", html);
        Assert.Contains("66.7%", html);
        Assert.Contains("overall accuracy 60.0% over 10 inputs", html);
    }

    [Fact]
    public void MismatchedLengthsAreNamed()
    {
        var e = Assert.Throws<ArgumentException>(() => AccuracyByAttribute.Of([1, 2], [true]));
        Assert.Contains("2 attribute values but 1 right/wrong flags", e.Message);
    }

    [Fact]
    public void BrightnessIsTheMeanOrTheLuma()
    {
        using var scope = NewDisposeScope();
        var grey = torch.tensor(new float[] { 0, 1, 1, 1, 0.5f, 0.5f, 0.5f, 0.5f }, [2, 1, 2, 2]);
        Assert.Equal([0.75, 0.5], ImageBrightness.Of(InputBatches.From(grey, batchSize: 1)));
        var red = torch.zeros(1, 3, 2, 2);
        red[0, 0] = 1;
        Assert.Equal(0.299, ImageBrightness.Of(red)[0], 6);
    }

    [Fact]
    public void PredictionsCompareTheArgmaxWithTheLabel()
    {
        using var scope = NewDisposeScope();
        // The "model" is a flatten: input [N, 1, 1, 3] gives scores [N, 3], so the argmax is where the 1 is.
        using var model = nn.Flatten();
        var x = torch.tensor(new float[] { 1, 0, 0, 0, 0, 1, 0, 1, 0 }, [3, 1, 1, 3]);
        var labels = torch.tensor(new long[] { 0, 1, 1 });
        Assert.Equal([true, false, true], Predictions.Correct(model, InputBatches.From(x, labels, 2)));
    }
}
