using ConvVis.Tests.Capture;
using TorchSharp;
using static TorchSharp.torch;
using ConvVis.Tests.Fixtures;

namespace ConvVis.Tests.Health;

public sealed class TrainingMonitorTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("convvis-monitor-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void RecordsHealthAcrossARealTrainingRunAndWritesAnOfflineReport()
    {
        using var data = SyntheticShapes.Create(1000, seed: 8);
        using var net = new TrainableGreyCnn28(seed: 4);
        using var monitor = new TrainingMonitor(net, probe: data.Images.narrow(0, 0, 100));
        int updates = 0;
        monitor.Updated += m => { Assert.Same(monitor, m); updates++; };

        monitor.Record(0);
        for (int epoch = 1; epoch <= 6; epoch++)
        {
            double loss = net.Train(data, epochs: 1, lr: 3e-3, weightDecay: 1.0, seed: epoch);
            net.train(); // the loop's own mode must survive Record
            monitor.Record(epoch, loss: loss, accuracy: net.Accuracy(data));
            net.train();
            Assert.True(net.training && net.conv1.training);
        }

        Assert.Equal(7, updates);
        Assert.Equal(new[] { "relu1", "relu2" }, monitor.MonitoredLayers);
        var first = monitor.Entries[0];
        var last = monitor.Entries[^1];
        Assert.Null(first.Loss);
        Assert.True(last.Loss < 0.5 && last.Accuracy > 0.8);
        Assert.True(last.FilterNoise["conv1"] < first.FilterNoise["conv1"] - 0.2,
            $"conv1 noise {first.FilterNoise["conv1"]:0.000} -> {last.FilterNoise["conv1"]:0.000}");
        Assert.Equal(FilterNoise.Of(net.conv1).LayerScore, last.FilterNoise["conv1"], 12);
        Assert.InRange(last.Sparsity["relu1"], 0.05, 0.99);
        Assert.Equal(8 * 1 * 5 * 5, last.WeightHistograms["conv1"].Total);
        Assert.Equal(16 * 7 * 7 * 10, last.WeightHistograms["fc"].Total);
        Assert.Equal(100L * 8 * 28 * 28, last.ActivationHistograms["relu1"].Total);
        Assert.Equal(0, HookCounter.CountAll(net));

        // The same numbers the probe scan gives directly.
        var direct = ActivationStats.Collect(net, new[] { data.Images.narrow(0, 0, 100) }, "relu2")["relu2"];
        Assert.Equal(direct.Sparsity, last.Sparsity["relu2"], 12);
        Assert.Equal(direct.DeadChannels.Count, last.DeadCounts["relu2"]);

        string path = Path.Combine(_dir, "training.html");
        monitor.SaveHtml(path);
        string html = File.ReadAllText(path);
        Assert.DoesNotContain("src=\"http", html);
        Assert.DoesNotContain("cdn.plot.ly", html.Replace(PlotlyJs.Source, ""));
        Assert.Contains("window.Plotly", html);
        // loss, accuracy, sparsity, dead, noise + weight histograms (conv1, conv2, fc) + activation histograms (relu1, relu2)
        Assert.Equal(10, html.Split("class=\"convvis-chart\"").Length - 1);
        Assert.Contains(last.Loss!.Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture), html);
        Assert.Contains("\"name\":\"conv1\"", html);
    }

    [Fact]
    public void WithoutAProbeItRecordsWeightsNoiseAndLoss()
    {
        using var net = new TrainableGreyCnn28(seed: 1);
        using var monitor = new TrainingMonitor(net);
        monitor.Record(1, loss: 2.25);
        monitor.Record(2, loss: 1.125);
        Assert.Empty(monitor.Entries[1].Sparsity);
        Assert.Equal(2, monitor.Entries[1].FilterNoise.Count);
        string html = monitor.ToHtml();
        Assert.Contains("[2.25,1.125]", html);
        Assert.Contains("\"x\":[1.0,2.0]", html);
    }

    [Fact]
    public void EmptyMonitorSaysSoAndBadLayerNamesFailEarly()
    {
        using var net = new TrainableGreyCnn28(seed: 1);
        using var monitor = new TrainingMonitor(net, rand(2, 1, 28, 28));
        Assert.Contains("nothing recorded", monitor.ToHtml());
        var e = Assert.Throws<ArgumentException>(() => new TrainingMonitor(net, rand(2, 1, 28, 28), "conv9"));
        Assert.Contains("conv1", e.Message);
    }
}
