using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Tests.Embedding;

public class CodesTests
{
    sealed class SyncProgress(Action<WorkProgress> onReport) : IProgress<WorkProgress>
    {
        public void Report(WorkProgress value) => onReport(value);
    }

    static nn.Module<Tensor, Tensor> Net()
    {
        torch.manual_seed(5);
        return nn.Sequential(
            ("conv", nn.Conv2d(1, 4, 3, padding: 1)),
            ("relu", nn.ReLU()),
            ("pool", nn.MaxPool2d(2)),
            ("flat", nn.Flatten()),
            ("fc", nn.Linear(4 * 4 * 4, 3)));
    }

    [Fact]
    public void CodesAreTheLayerOutputsWithLabels()
    {
        using var net = Net();
        torch.manual_seed(6);
        using var x = randn(10, 1, 8, 8);
        using var y = arange(10, dtype: ScalarType.Int64) % 3;
        var reports = new List<WorkProgress>();
        var options = new CodesOptions { Progress = new SyncProgress(reports.Add) };
        using var codes = Codes.Of(net, "relu", InputBatches.From(x, y, batchSize: 4), options);
        using var expected = nn.functional.relu(((nn.Module<Tensor, Tensor>)net.named_children().First().module).call(x)).flatten(1);
        Assert.Equal(new long[] { 10, 4 * 8 * 8 }, codes.Values.shape);
        Assert.Equal(0, (codes.Values - expected).abs().max().item<float>());
        Assert.Equal(new long[] { 0, 1, 2, 0, 1, 2, 0, 1, 2, 0 }, codes.Labels);
        Assert.Equal(new long[] { 4, 8, 8 }, codes.LayerShape);
        Assert.Equal("relu", codes.Layer);
        Assert.Equal(new long?[] { 4, 8, 10 }, reports.Select(r => r.Inputs));

        using var pooled = Codes.Of(net, "relu", x, new CodesOptions { Pooling = CodePooling.GlobalAveragePool, MaxInputs = 7 });
        Assert.Equal(new long[] { 7, 4 }, pooled.Values.shape);
        using var expectedPooled = expected.narrow(0, 0, 7).reshape(7, 4, 64).mean([2L]);
        Assert.True((pooled.Values - expectedPooled).abs().max().item<float>() < 1e-6f);
        Assert.Null(pooled.Labels);
    }

    [Fact]
    public void ModesAreRestoredAndHooksRemovedAfterCancellation()
    {
        using var net = Net();
        net.train();
        using var x = randn(20, 1, 8, 8);
        using var cts = new CancellationTokenSource();
        var options = new CodesOptions { Progress = new SyncProgress(_ => cts.Cancel()), CancellationToken = cts.Token };
        Assert.ThrowsAny<OperationCanceledException>(() => Codes.Of(net, "fc", InputBatches.From(x, batchSize: 5), options));
        Assert.True(net.training);
        // A hook left behind would fire again in this scan and make it fail with "ran more than once".
        using var codes = Codes.Of(net, "fc", x);
        Assert.Equal(new long[] { 20, 3 }, codes.Values.shape);
        Assert.True(net.training);
    }

    [Fact]
    public void BadLayersAreNamed()
    {
        using var net = Net();
        using var x = randn(2, 1, 8, 8);
        var missing = Assert.Throws<ArgumentException>(() => Codes.Of(net, "conv9", x));
        Assert.Contains("conv", missing.Message);
        var several = Assert.Throws<ArgumentException>(() => Codes.Of(net, "*", x));
        Assert.Contains("codes come from one layer", several.Message);
    }

    [Fact]
    public void CodesFeedTSne()
    {
        var (points, labels) = GaussianClusters.Make(3, 10, 6);
        using (points)
        using (var codes = Codes.FromTensor(points, labels))
        {
            var map = TSne.Embed(codes, new TSneOptions { Perplexity = 5 });
            Assert.Equal(labels, map.Labels);
            Assert.Equal(6, map.InputDimensions);
            Assert.Equal(1.0, GaussianClusters.PureNeighbourhoods(map, labels, 5));
        }
    }
}
