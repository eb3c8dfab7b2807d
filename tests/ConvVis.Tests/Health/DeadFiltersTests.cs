using ConvVis.Tests.Capture;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Tests.Health;

public class DeadFiltersTests
{
    sealed class Progress(Action<WorkProgress> report) : IProgress<WorkProgress>
    {
        public void Report(WorkProgress value) => report(value);
    }

    sealed class RandomImages(long count) : torch.utils.data.Dataset
    {
        public override long Count => count;

        public override Dictionary<string, Tensor> GetTensor(long index) =>
            new() { ["data"] = rand(1, 8, 8), ["label"] = tensor(index % 2) };
    }

    [Fact]
    public void ThirtyDeadChannelsShowAsACountAndTheFirstFewTheRestFolded()
    {
        var conv = nn.Conv2d(1, 32, 3);
        using (no_grad()) { conv.bias![..30].fill_(-100f); conv.bias![30..].fill_(100f); }
        using var net = nn.Sequential(("conv", conv), ("relu", nn.ReLU()));
        string html = DeadFilters.Find(net, new[] { rand(4, 1, 6, 6) }).ToHtml();
        Assert.Contains("<summary>30: 0, 1, 2, 3, 4, 5, …</summary>", html);
        Assert.Contains(string.Join(", ", Enumerable.Range(0, 30)) + "</div></details>", html);
    }

    [Fact]
    public void TheHintSaysDeadFromTheStartOrDiedDuringTrainingWhenAMonitorWatched()
    {
        manual_seed(3);
        var conv1 = nn.Conv2d(1, 8, 3, padding: 1);
        using (no_grad()) conv1.bias![1] = -100f;                // dead before training starts
        using var net = nn.Sequential(("conv1", conv1), ("relu1", nn.ReLU()));
        var probe = randn(16, 1, 10, 10);
        using var monitor = new TrainingMonitor(net, probe);
        monitor.Record(0);
        using (no_grad()) { conv1.bias![5] = -100f; conv1.bias![6] = -100f; } // "training" kills two more
        monitor.Record(1);

        var plain = DeadFilters.Find(net, new[] { probe });
        Assert.Equal(new[] { 1, 5, 6 }, plain["relu1"].DeadChannels);
        Assert.Equal(DeadFilters.Hint, plain.Hint);               // no history: both usual causes
        Assert.Contains("If the net is untrained", plain.Hint);

        var known = plain.WithHistory(monitor);
        Assert.Contains("relu1: 2 channels of its 3 dead died during training", known.Hint);
        Assert.Contains("learning rate that is too high", known.Hint);
        Assert.Contains("relu1: 1 channel was already dead at the monitor's first record (step 0)", known.Hint);
        Assert.Contains("not the learning rate", known.Hint);
        Assert.Contains(Html.Escape("relu1: 2 channels of its 3 dead died during training"), known.ToHtml());
    }

    [Fact]
    public void PlantedDeadFiltersAreShownWithTheirFiltersEmptyMapsAndAHint()
    {
        manual_seed(2);
        var conv1 = nn.Conv2d(1, 8, 3, padding: 1);
        using (no_grad())
        {
            conv1.bias![1] = -100f;
            conv1.bias![6] = -100f;
        }
        using var net = nn.Sequential(("conv1", conv1), ("relu1", nn.ReLU()), ("conv2", nn.Conv2d(8, 4, 3)), ("relu2", nn.ReLU()));
        net.train();
        var batches = Enumerable.Range(0, 5).Select(_ => randn(6, 1, 10, 10));

        var report = DeadFilters.Find(net, InputBatches.From(batches));

        Assert.Equal(new[] { "relu1", "relu2" }, report.Layers.Select(l => l.Name));
        var layer = report["relu1"];
        Assert.Equal(new[] { 1, 6 }, layer.DeadChannels);
        Assert.Equal("conv1", layer.ConvName);
        Assert.NotNull(layer.Filters);
        Assert.Equal(2, layer.Filters!.TotalFilters);
        Assert.NotNull(layer.ActivationTiles);
        Assert.Equal(new[] { 1, 6 }, layer.ActivationTiles!.Channels);
        Assert.Equal(30, report.Stats.Inputs);
        Assert.True(net.training);
        var totals = new List<int?>();
        DeadFilters.Find(net, new[] { randn(2, 1, 10, 10), randn(2, 1, 10, 10) }, options: new StatsOptions { Progress = new Progress(p => totals.Add((int?)p.Total)) });
        Assert.Equal(new int?[] { 2, 2 }, totals);
        Assert.Equal(0, HookCounter.CountAll(net));

        string html = report.ToHtml();
        Assert.Contains("learning rate", html);
        Assert.Contains("LeakyReLU", html);
        Assert.Equal(2, html.Split("data:image/png;base64,").Length - 1); // the filter grid and the mosaic
        Assert.Contains("2 dead channels in 1 of 2 layers over 30 inputs", html);
    }

    [Fact]
    public void TooHighALearningRateKillsFiltersAndASensibleOneDoesNot()
    {
        using var data = SyntheticShapes.Create(1000, seed: 3);
        using var sensible = new SmallCnn(seed: 7, channels1: 16);
        using var tooHigh = new SmallCnn(seed: 7, channels1: 16);
        sensible.Train(data, epochs: 2, lr: 3e-3);
        tooHigh.Train(data, epochs: 2, lr: 0.1);

        var ok = DeadFilters.Find(sensible, InputBatches.From(data.Batches(100)));
        var bad = DeadFilters.Find(tooHigh, InputBatches.From(data.Batches(100)));

        Assert.Equal(0, ok.DeadCount);
        Assert.Contains("No dead channels", ok.ToHtml());
        Assert.True(bad["relu1"].DeadChannels.Count >= 4, bad.ToString());
        Assert.Equal("conv1", bad["relu1"].ConvName);
        // A dead ReLU channel is dead for every input: its max over the data set is 0.
        Assert.All(bad["relu1"].DeadChannels, c => Assert.Equal(0, bad["relu1"].Stats.Channels[c].Max));
    }

    [Fact]
    public void ModelsWithoutReluModulesAreCheckedAtTheirConvolutions()
    {
        manual_seed(3);
        var conv = nn.Conv2d(1, 4, 3);
        using (no_grad()) conv.bias![3] = -50f;
        using var net = nn.Sequential(("conv", conv));
        var report = DeadFilters.Find(net, new[] { rand(4, 1, 8, 8) });
        Assert.Equal(new[] { 3 }, report["conv"].DeadChannels);
        Assert.Equal("conv", report["conv"].ConvName);
    }

    [Fact]
    public void DataLoaderBatchesWork()
    {
        manual_seed(4);
        var conv = nn.Conv2d(1, 4, 3);
        using (no_grad()) conv.bias![0] = -50f;
        using var net = nn.Sequential(("conv", conv), ("relu", nn.ReLU()));
        using var dataset = new RandomImages(12);
        using var loader = torch.utils.data.DataLoader(dataset, batchSize: 4);
        var report = DeadFilters.Find(net, loader);
        Assert.Equal(new[] { 0 }, report["relu"].DeadChannels);
        Assert.Equal(12, report.Stats.Inputs);
        var e = Assert.Throws<ArgumentException>(() => DeadFilters.Find(net, InputBatches.From(loader, inputKey: "image")));
        Assert.Contains("'image'", e.Message);
        Assert.Contains("data", e.Message);
    }
}
