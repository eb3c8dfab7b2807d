using ConvVis.Tests.Capture;
using TorchSharp;
using static TorchSharp.torch;
using ConvVis.Tests.Fixtures;

namespace ConvVis.Tests.Health;

public class ActivationStatsTests
{
    /// <summary>What the scan reports after batch <paramref name="batches"/> of <paramref name="total"/>, <paramref name="inputs"/> inputs in.</summary>
    static WorkProgress Scanned(int batches, int total, long inputs) => new("Activation scan", batches, total, "batches") { Inputs = inputs };

    sealed class SyncProgress(Action<WorkProgress> onReport) : IProgress<WorkProgress>
    {
        public void Report(WorkProgress value) => onReport(value);
    }

    // Designed batches [N, 2 channels, 1, 5] for the tap layer.
    static readonly float[][][] Batches =
    [
        [[0, 0, 1, 2, 3, 0.5f, 1, 4, 6, 10], [0, 0, 0, 0, 0, 5, 5, 5, 5, 5]], // batch 1: two inputs
        [[0, 0, 0, 0, 0, 1, 2, 3, 4, 15]],                                   // batch 2: grows the range right
        [[0, 0, 0, 0, 0, -3, 1, 1, 1, 1]],                                   // batch 3: grows it left
    ];

    static IEnumerable<Tensor> DesignedBatches() =>
        Batches.Select(b => tensor(b.SelectMany(s => s).ToArray()).reshape(b.Length, 2, 1, 5));

    static double[] ChannelValues(int channel) =>
        Batches.SelectMany(b => b.SelectMany(s => s.Skip(channel * 5).Take(5))).Select(v => (double)v).ToArray();

    [Fact]
    public void StatisticsAreExactOnDesignedActivations()
    {
        using var net = new TapNet();
        var options = new StatsOptions { Threshold = 0.5f, NearlyDeadFraction = 0.5, HistogramBins = 10 };
        var report = ActivationStats.Collect(net, DesignedBatches().ToList(), options, "tap");
        var layer = report["tap"];

        Assert.Equal(4, report.Inputs);
        Assert.Equal(3, report.Batches);
        Assert.Equal(new long[] { 2, 1, 5 }, layer.OutputShape);
        for (int c = 0; c < 2; c++)
        {
            var v = ChannelValues(c);
            var s = layer.Channels[c];
            double mean = v.Average();
            Assert.Equal(v.Length, s.Values);
            Assert.Equal(v.Count(x => x == 0) / (double)v.Length, s.ZeroFraction, 12);
            Assert.Equal(v.Count(x => x <= 0.5) / (double)v.Length, s.AtOrBelowThresholdFraction, 12);
            Assert.Equal(mean, s.Mean, 6);
            Assert.Equal(Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / v.Length), s.Std, 5);
            Assert.Equal(v.Max(), s.Max);
            Assert.Equal(v.Min(), s.Min);
            // The range started at [0, 10] (batch 1), doubled to [0, 20], then to [-20, 20]: bins of 4.
            Assert.Equal(-20, s.Histogram.Low);
            Assert.Equal(20, s.Histogram.High);
            var expected = new long[10];
            foreach (var x in v) expected[(int)Math.Floor((x + 20) / 4)]++;
            Assert.Equal(expected, s.Histogram.Counts);
        }
        // Channel 0 is active (max > 0.5) only on the first input: 1 of 4 < 0.5 -> nearly dead, not dead.
        Assert.Equal(1, layer.Channels[0].ActiveInputs);
        Assert.True(layer.Channels[0].IsNearlyDead);
        Assert.Equal(4, layer.Channels[1].ActiveInputs);
        Assert.Empty(layer.DeadChannels);
        Assert.Equal(new[] { 0 }, layer.NearlyDeadChannels);

        var all = ChannelValues(0).Concat(ChannelValues(1)).ToArray();
        Assert.Equal(all.Count(x => x == 0) / (double)all.Length, layer.Sparsity, 12);
        Assert.Equal(all.Average(), layer.Mean, 6);
        Assert.Equal(Math.Sqrt(all.Sum(x => (x - all.Average()) * (x - all.Average())) / all.Length), layer.Std, 5);
        Assert.Equal(all.Length, layer.Histogram.Total);
    }

    [Fact]
    public void MeanAndStdStayAccurateWithALargeOffset()
    {
        // Values 1e4 + {0,1}: a naive float sum of squares loses the variance; Chan's merge keeps it.
        using var net = new TapNet();
        var batches = Enumerable.Range(0, 50).Select(i => (tensor(new float[] { 0, 1 }).repeat(500) + 10000f).reshape(100, 1, 10)).ToList();
        var layer = ActivationStats.Collect(net, batches, "tap")["tap"];
        Assert.Equal(10000.5, layer.Mean, 6);
        Assert.Equal(0.5, layer.Std, 6);
    }

    [Fact]
    public void PlantedDeadFiltersAreFound()
    {
        manual_seed(5);
        var conv = nn.Conv2d(1, 8, 3, padding: 1);
        using (no_grad())
        {
            conv.bias![2] = -100f;
            conv.bias![5] = -100f;
        }
        using var net = nn.Sequential(("conv", conv), ("relu", nn.ReLU()));
        var batches = Enumerable.Range(0, 10).Select(_ => randn(8, 1, 12, 12));
        var report = ActivationStats.Collect(net, InputBatches.From(batches), "conv", "relu");

        Assert.Equal(new[] { 2, 5 }, report["relu"].DeadChannels);
        Assert.Equal(1.0, report["relu"].Channels[2].ZeroFraction);
        Assert.True(report["relu"].Channels[0].ZeroFraction < 0.9);
        // Before the ReLU the planted channels are very negative, never zero.
        Assert.Equal(new[] { 2, 5 }, report["conv"].DeadChannels);
        Assert.True(report["conv"].Channels[2].Max < -50);
        Assert.Equal(0, report["conv"].Channels[2].ZeroFraction);
        Assert.Equal(2, report.DeadCount + 0 - report["conv"].DeadChannels.Count);
    }

    [Fact]
    public void ScanRunsInEvalWithoutGradAndRestoresEveryModulesMode()
    {
        using var net = new TapNet();
        net.train();
        net.drop.eval(); // a mixed state that must come back exactly
        ActivationStats.Collect(net, new[] { ones(2, 2, 3) }, "tap");
        Assert.False(net.tap.SawTraining);
        Assert.False(net.tap.SawGradEnabled);
        Assert.True(net.training);
        Assert.True(net.tap.training);
        Assert.False(net.drop.training);
        Assert.Equal(0, HookCounter.CountAll(net));
    }

    [Fact]
    public void MemoryStaysFlatOver200Batches()
    {
        using var net = new TrainableGreyCnn28(seed: 2);
        var probe = new StreamMemoryProbe();
        // Lazily made batches: each is created inside the scan's per-batch scope and freed with it.
        var batches = Enumerable.Range(0, 200).Select(_ => rand(32, 1, 28, 28));
        var report = ActivationStats.Collect(net, InputBatches.From(batches), new StatsOptions { Progress = probe });

        // A leak of the batch tensors alone (3 MB per batch with the intermediates) would add > 200 MB.
        probe.AssertFlat(200, 60_000_000);
        Assert.Equal(200 * 32, report.Inputs);
        Assert.Equal(8, report.Layers.Count); // every leaf layer by default
    }

    [Fact]
    public void CancellationStopsTheScanAndCleansUp()
    {
        using var net = new TrainableGreyCnn28(seed: 3);
        net.train();
        using var cts = new CancellationTokenSource();
        bool enumeratorDisposed = false;
        IEnumerable<Tensor> Batches()
        {
            try { for (int i = 0; i < 1000; i++) yield return rand(4, 1, 28, 28); }
            finally { enumeratorDisposed = true; }
        }
        int seen = 0;
        var options = new StatsOptions
        {
            CancellationToken = cts.Token,
            Progress = new SyncProgress(p => { seen = (int)p.Done; if (p.Done == 3) cts.Cancel(); }),
        };
        Assert.ThrowsAny<OperationCanceledException>(() => ActivationStats.Collect(net, InputBatches.From(Batches()), options, "conv1", "relu2"));
        Assert.Equal(3, seen);
        Assert.True(enumeratorDisposed);
        Assert.Equal(0, HookCounter.CountAll(net));
        Assert.True(net.training && net.conv1.training);
    }

    [Fact]
    public void AnExceptionInForwardLeavesNoHooksAndTheModeRestored()
    {
        using var net = new TapNet();
        net.train();
        net.tap.ThrowOnCall = 1;
        var e = Assert.Throws<InvalidOperationException>(() => ActivationStats.Collect(net, DesignedBatches().ToList(), "tap"));
        Assert.Contains("planted", e.Message);
        Assert.Equal(0, HookCounter.CountAll(net));
        Assert.True(net.training && net.tap.training);
    }

    [Fact]
    public void ProgressIsReportedPerBatchWithTheKnownTotal()
    {
        using var net = new TapNet();
        var seen = new List<WorkProgress>();
        ActivationStats.Collect(net, InputBatches.From(DesignedBatches().ToList()), new StatsOptions { Progress = new SyncProgress(seen.Add) }, "tap");
        Assert.Equal(new[] { Scanned(1, 3, 2), Scanned(2, 3, 3), Scanned(3, 3, 4) }, seen);
        Assert.Equal(1.0, seen[^1].Fraction);

        seen.Clear();
        ActivationStats.Collect(net, InputBatches.From(DesignedBatches()), new StatsOptions { Progress = new SyncProgress(seen.Add), MaxBatches = 2 }, "tap");
        Assert.Equal(new[] { Scanned(1, 2, 2), Scanned(2, 2, 3) }, seen);
    }

    [Fact]
    public void DataLoaderBatchesAreAccepted()
    {
        using var net = new TapNet();
        var x = DesignedBatches().First(); // [2, 2, 1, 5]
        using var dataset = torch.utils.data.TensorDataset(x, tensor(new long[] { 0, 1 }));
        using var loader = torch.utils.data.DataLoader(dataset, batchSize: 1);
        var report = ActivationStats.Collect(net, loader, new StatsOptions(), "tap");
        Assert.Equal(2, report.Inputs);
        Assert.Equal(ChannelValues(0).Take(10).Count(v => v == 0) / 10.0, report["tap"].Channels[0].ZeroFraction, 12);
    }

    [Fact]
    public void UnknownLayerNamesTheClosestOne()
    {
        using var net = new TrainableGreyCnn28(seed: 1);
        var e = Assert.Throws<ArgumentException>(() => ActivationStats.Collect(net, new[] { rand(1, 1, 28, 28) }, "relu3"));
        Assert.Contains("relu1", e.Message);
        Assert.Equal(0, HookCounter.CountAll(net));
    }

    [Fact]
    public void HtmlHasATableAndAnOfflineChartPerLayerWithEscapedNames()
    {
        using var net = nn.Sequential(("<b>conv", nn.Conv2d(1, 3, 3)), ("relu", nn.ReLU()));
        var report = ActivationStats.Collect(net, new[] { rand(2, 1, 8, 8) });
        string html = report.ToHtml();
        Assert.Contains("&lt;b&gt;conv", html);
        Assert.DoesNotContain("<b>conv", html);
        Assert.Equal(2, html.Split("class=\"convvis-chart\"").Length - 1);
        Assert.DoesNotContain("src=\"http", html);
        string page = report.ToStandaloneHtml();
        Assert.Contains("window.Plotly", page);
        Assert.Contains("plotly.js (basic - minified) v" + PlotlyJs.Version, page);
    }

    sealed class ForwardBypass : nn.Module<Tensor, Tensor>
    {
        public readonly TorchSharp.Modules.ReLU hidden = nn.ReLU();
        public readonly TorchSharp.Modules.ReLU seen = nn.ReLU();

        public ForwardBypass() : base(nameof(ForwardBypass)) => RegisterComponents();

        public override Tensor forward(Tensor x) => seen.call(hidden.forward(x));
    }

    [Fact]
    public void ALayerRunThroughForwardIsReportedAsNeverRun()
    {
        using var net = new ForwardBypass();
        var report = ActivationStats.Collect(net, new[] { randn(3, 2, 4) });
        Assert.Equal(new[] { "hidden" }, report.NotFired);
        Assert.Equal(3, report["seen"].Inputs);
        Assert.Contains("module.call(x)", report.ToHtml());
    }

    [Fact]
    public void AWholeTensorOrLabeledSetIsScannedInBatchesOfTheGivenSize()
    {
        using var net = new TapNet();
        var x = DesignedBatches().First().repeat(5, 1, 1, 1); // 10 inputs
        var seen = new List<WorkProgress>();
        var report = ActivationStats.Collect(net, InputBatches.From(x, batchSize: 4), new StatsOptions { Progress = new SyncProgress(seen.Add) }, "tap");
        Assert.Equal(10, report.Inputs);
        Assert.Equal(new[] { Scanned(1, 3, 4), Scanned(2, 3, 8), Scanned(3, 3, 10) }, seen);
        Assert.Equal(ChannelValues(0).Take(10).Count(v => v == 0) / 10.0, report["tap"].Channels[0].ZeroFraction, 12);

        using var shapes = SyntheticShapes.Create(30, seed: 1);
        using var cnn = new TrainableGreyCnn28(seed: 1);
        var fromSet = ActivationStats.Collect(cnn, InputBatches.From(shapes, batchSize: 8), new StatsOptions(), "relu1");
        Assert.Equal(30, fromSet.Inputs);
        Assert.Equal(4, fromSet.Batches);
        Assert.Equal(30, DeadFilters.Find(cnn, shapes).Stats.Inputs);
    }
}
