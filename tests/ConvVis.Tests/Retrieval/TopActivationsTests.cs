using ConvVis.Tests.Capture;
using ConvVis.Tests.Fixtures;
using ConvVis.Tests.Health;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Tests.Retrieval;

public class TopActivationsTests
{
    sealed class SyncProgress(Action<WorkProgress> onReport) : IProgress<WorkProgress>
    {
        public void Report(WorkProgress value) => onReport(value);
    }

    /// <summary>200 random 1x16x16 images with labels 0..4, and the plain net's per-image conv2 maps computed in one batch.</summary>
    static (Tensor Images, Tensor Labels) Data(int n = 200, int seed = 3)
    {
        var g = new torch.Generator((ulong)seed);
        return (rand([n, 1, 16, 16], generator: g), randint(0, 5, [n], generator: g));
    }

    /// <summary>The brute-force answer: every input's score per channel, sorted (value descending, index ascending).</summary>
    static (long Index, float Value)[] BruteForce(Tensor maps, int channel, UnitRanking ranking, int k)
    {
        var flat = maps[TensorIndex.Colon, channel].flatten(1);
        var scores = (ranking == UnitRanking.Max ? flat.max(1).values : flat.mean([1])).data<float>().ToArray();
        return scores.Select((v, i) => ((long)i, v)).OrderByDescending(p => p.v).ThenBy(p => p.Item1).Take(k).ToArray();
    }

    [Theory]
    [InlineData(UnitRanking.Max)]
    [InlineData(UnitRanking.Mean)]
    public void EqualsABruteForceSearch(UnitRanking ranking)
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(5);
        using var net = FieldNets.Plain();
        var (images, labels) = Data();
        using var rec = ActivationRecorder.Attach(net, "relu2");
        using (no_grad()) net.call(images);
        var maps = rec["relu2"].clone();
        rec.Dispose();

        var result = TopActivations.Find(net, "relu2", [0, 1], InputBatches.From(images, labels, batchSize: 16),
            new TopActivationsOptions { K = 7, Ranking = ranking });

        Assert.Equal(200, result.Inputs);
        Assert.Equal(13, result.Batches);
        foreach (var unit in result.Units)
        {
            var expected = BruteForce(maps, unit.Channel, ranking, 7);
            Assert.Equal(expected.Select(p => p.Index), unit.Entries.Select(e => e.Index));
            Assert.Equal(expected.Select(p => p.Value), unit.Entries.Select(e => e.Value));
            foreach (var e in unit.Entries)
            {
                Assert.Equal(labels[e.Index].item<long>(), e.Label);
                // The location is the map's maximum; the image is the input.
                Assert.Equal(maps[e.Index, unit.Channel].max().item<float>(), maps[e.Index, unit.Channel, e.Y!.Value, e.X!.Value].item<float>());
                Assert.Equal(images[e.Index].flatten().data<float>().ToArray(), e.Image.Pixels);
            }
        }
    }

    [Fact]
    public void PatchesAreTheReceptiveFieldCutFromTheImage()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(6);
        using var net = FieldNets.Plain();
        var (images, _) = Data(64);
        var result = TopActivations.Find(net, "conv2", null, images, k: 5);
        Assert.Equal(new ReceptiveField("conv2", 7, 7, 2, 2, -3, -3, false), result.Field);
        Assert.Equal(2, result.Units.Count);
        foreach (var e in result.Units.SelectMany(u => u.Entries))
        {
            var r = e.Region!;
            Assert.Equal((-3 + 2 * e.Y!.Value, -3 + 2 * e.X!.Value, 7, 7), (r.FieldTop, r.FieldLeft, r.FieldHeight, r.FieldWidth));
            int top = Math.Max(0, r.FieldTop), left = Math.Max(0, r.FieldLeft);
            int bottom = Math.Min(16, r.FieldTop + 7), right = Math.Min(16, r.FieldLeft + 7);
            Assert.Equal((top, left, bottom - top, right - left), (r.Top, r.Left, r.Height, r.Width));
            Assert.Equal(r.FieldTop < 0 || r.FieldLeft < 0 || r.FieldTop + 7 > 16 || r.FieldLeft + 7 > 16, r.Clipped);
            var crop = images[e.Index, TensorIndex.Colon, TensorIndex.Slice(top, bottom), TensorIndex.Slice(left, right)];
            Assert.Equal(crop.contiguous().flatten().data<float>().ToArray(), e.Patch.Pixels);
        }
    }

    [Fact]
    public void ModelModeAndHooksAreRestoredAlsoOnErrors()
    {
        using var net = FieldNets.Plain();
        net.train();
        var (images, _) = Data(20);
        TopActivations.Find(net, "conv3", [1], images, k: 3);
        Assert.True(net.training);
        Assert.Equal(0, HookCounter.CountAll(net));

        var e = Assert.Throws<ArgumentException>(() => TopActivations.Find(net, "conv3", [0, 2], images));
        Assert.Contains("Channel 2 is out of range: layer 'conv3' has 2 channels (0-1)", e.Message);
        Assert.True(net.training);
        Assert.Equal(0, HookCounter.CountAll(net));

        var unknown = Assert.Throws<ArgumentException>(() => TopActivations.Find(net, "conv9", null, images));
        Assert.Contains("conv3", unknown.Message);
    }

    [Fact]
    public void CancellationStopsTheScan()
    {
        using var net = FieldNets.Plain();
        using var cts = new CancellationTokenSource();
        var batches = Enumerable.Range(0, 1000).Select(_ => rand(4, 1, 16, 16));
        var progress = new SyncProgress(p => { if (p.Done == 3) cts.Cancel(); });
        Assert.Throws<OperationCanceledException>(() => TopActivations.Find(net, "conv1", null, InputBatches.From(batches),
            new TopActivationsOptions { Progress = progress, CancellationToken = cts.Token }));
        Assert.Equal(0, HookCounter.CountAll(net));
    }

    [Fact]
    public void MemoryStaysFlatOver200Batches()
    {
        using var net = new TrainableGreyCnn28(seed: 2);
        var probe = new StreamMemoryProbe();
        var batches = Enumerable.Range(0, 200).Select(_ => rand(32, 1, 28, 28));
        var result = TopActivations.Find(net, "relu2", null, InputBatches.From(batches), new TopActivationsOptions { Progress = probe });

        // 16 units x 9 entries keep at most 144 images of 3 kB; a leak of the batches (100 kB each, plus maps) would add > 60 MB.
        probe.AssertFlat(200, 40_000_000);
        Assert.Equal(6400, result.Inputs);
        Assert.All(result.Units, u => Assert.Equal(9, u.Entries.Count));
    }

    [Fact]
    public void GridShowsARowPerUnitWithValuesAndEscapedLabels()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(7);
        using var net = FieldNets.Plain();
        var (images, labels) = Data(40);
        var result = TopActivations.Find(net, "conv2", [1, 0], InputBatches.From(images, labels),
            new TopActivationsOptions { K = 4, ClassNames = ["<b>zero</b>", "one", "two", "three", "four"] });

        var grid = result.Grid();
        // 16x16 images upscaled x4 to 64 px, 2-pixel rings: 4 columns, 2 rows.
        Assert.Equal((4 * 68, 2 * 68), (grid.Width, grid.Height));
        // The top-left tile is the best input of channel 1, as it is (values in [0, 1]).
        var best = result.Units[0].Entries[0];
        var pixel = grid.Picture.Image[2, 2];
        byte expected = (byte)Math.Floor(best.Image.Pixels[0] * 255 + 0.5);
        Assert.Equal((expected, expected, expected), pixel);
        var html = grid.ToHtml();
        Assert.Contains(best.Value.ToString("G3", System.Globalization.CultureInfo.InvariantCulture), html);
        Assert.DoesNotContain("<b>zero", html);
        if (result.Units.SelectMany(u => u.Entries).Any(e => e.Label == 0)) Assert.Contains("&lt;b&gt;zero", html);
        Assert.Contains("rows: channel 1, 0", html);

        var patches = result.Grid(patches: true);
        Assert.Equal((4 * (70 + 4), 2 * 74), (patches.Width, patches.Height)); // 7x7 fields upscaled x10
        Assert.Contains("receptive field (7×7 px, jump 2)", patches.ToHtml());
    }

    [Fact]
    public void ClippedPatchesShowGreyOutsideTheImage()
    {
        using var scope = NewDisposeScope();
        // One image whose bright corner makes conv2's maximum sit at (0, 0): its field (rows -3..3) is clipped.
        using var net = FieldNets.Positive(FieldNets.Plain()).to(float32);
        var image = zeros(1, 1, 16, 16);
        image[0, 0, 0, 0] = 1;
        var result = TopActivations.Find(net, "conv2", [0], image, k: 1);
        var e = result.Units[0].Entries[0];
        Assert.Equal((0, 0), (e.Y, e.X));
        Assert.True(e.Region!.Clipped);
        Assert.Equal((4, 4), (e.Patch.Height, e.Patch.Width));
        var grid = result.Grid(patches: true, new TopActivationsGridOptions { MinTileSize = 7 });
        Assert.Equal(((byte)200, (byte)200, (byte)200), grid.Picture.Image[2, 2]);        // outside: grey
        Assert.Equal(((byte)255, (byte)255, (byte)255), grid.Picture.Image[2 + 3, 2 + 3]); // pixel (0, 0) of the image: 1
        Assert.Contains("clipped", grid.ToHtml());
    }
}
