using TorchSharp;
using TorchSharp.Modules;
using static ConvVis.Tests.Fixtures.CaptureNets;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ConvVis.Tests.Capture;

public class ActivationRecorderTests
{
    [Fact]
    public void NoLayersMeansEveryLeafAndEachOutputIsTheLayersOwnOutput()
    {
        using var net = Seeded(() => new SmallCnn());
        using var rec = ActivationRecorder.Attach(net);
        Assert.Equal(ModelLayers.Leaves(net).Select(l => l.Name), rec.Layers);

        using var x = randn(2, 1, 8, 8);
        using var y = net.call(x);
        Assert.Empty(rec.NotFired);
        Assert.Null(rec.NotFiredExplanation);
        Assert.Empty(rec.FiredMoreThanOnce);

        var conv1 = (Conv2d)ModelLayers.Get(net, "conv1");
        using var expected = conv1.forward(x);
        Assert.True(expected.allclose(rec["conv1"]));
        Assert.True(y.allclose(rec["fc"]));
        Assert.Equal([2L, 8, 4, 4], rec["conv2"].shape);
        Assert.Equal(rec.Layers.Sum(n => rec[n].numel() * 4), rec.StoredBytes);
    }

    [Fact]
    public void AReusedModuleKeepsEachCallIndexedAndForwardIsReportedAsNotFired()
    {
        using var net = Seeded(() => new ReusedAndBypassed());
        using var rec = ActivationRecorder.Attach(net, "shared", "bypassed");
        using var x = randn(1, 2, 5, 5);
        using var _ = net.call(x);

        var shared = (Conv2d)ModelLayers.Get(net, "shared");
        using var first = shared.forward(x);
        using var second = shared.forward(first);
        var calls = rec.Calls("shared");
        Assert.Equal(2, calls.Count);
        Assert.True(calls[0].allclose(first));
        Assert.True(calls[1].allclose(second));
        Assert.False(calls[0].allclose(calls[1]));
        Assert.Same(calls[1], rec["shared"]);
        Assert.Equal(2, rec.CallCount("shared"));
        Assert.Equal(["shared"], rec.FiredMoreThanOnce);

        Assert.Equal(["bypassed"], rec.NotFired);
        Assert.Contains("never fired: bypassed", rec.NotFiredExplanation);
        Assert.Contains("module.call(x)", rec.NotFiredExplanation);
        Assert.Contains("forward(x)", rec.NotFiredExplanation);
        var e = Assert.Throws<InvalidOperationException>(() => rec["bypassed"]);
        Assert.Contains("'bypassed' never fired", e.Message);
        Assert.Contains("module.call(x)", e.Message);
        Assert.Empty(rec.Calls("bypassed"));
    }

    [Fact]
    public void EachForwardPassStartsAFreshRecordingUnlessAskedToKeepEveryPass()
    {
        using var net = Seeded(() => new ReusedAndBypassed());
        var shared = (Conv2d)ModelLayers.Get(net, "shared");
        using var x1 = randn(1, 2, 5, 5);
        using var x2 = randn(1, 2, 5, 5);
        using var fromX2 = shared.forward(x2);

        using (var rec = ActivationRecorder.Attach(net, "shared"))
        {
            using (net.call(x1)) { }
            var firstPass = rec.Calls("shared");
            long bytesOfOnePass = rec.StoredBytes;
            using (net.call(x2)) { }
            Assert.All(firstPass, t => Assert.True(t.IsInvalid, "the previous pass should be freed"));
            Assert.Equal(2, rec.Calls("shared").Count);
            Assert.True(rec.Calls("shared")[0].allclose(fromX2));
            Assert.Equal(bytesOfOnePass, rec.StoredBytes);
            Assert.Equal(["shared"], rec.FiredMoreThanOnce);
        }

        using (var rec = ActivationRecorder.Attach(net, new CaptureOptions { KeepEveryPass = true }, "shared"))
        {
            using (net.call(x1)) { }
            using (net.call(x2)) { }
            Assert.Equal(4, rec.Calls("shared").Count);
            Assert.True(rec.Calls("shared")[2].allclose(fromX2));
            Assert.Equal(4, rec.CallCount("shared"));
        }
    }

    [Fact]
    public void AnInPlaceReluAfterAConvCannotChangeTheStoredConvOutput()
    {
        using var net = Seeded(() => Sequential(("conv", Conv2d(1, 3, 3)), ("relu", ReLU(inplace: true))));
        using var rec = ActivationRecorder.Attach(net, "conv", "relu");
        using var x = randn(2, 1, 6, 6);
        using var y = net.call(x);

        using var expected = ((Conv2d)ModelLayers.Get(net, "conv")).forward(x);
        Assert.True(rec["conv"].min().item<float>() < 0, "the conv output was overwritten by the in-place ReLU");
        Assert.True(rec["conv"].allclose(expected));
        Assert.Equal(0f, rec["relu"].min().item<float>());
        Assert.True(rec["relu"].allclose(expected.clamp_min(0)));
    }

    [Fact]
    public void TorchVisionStyleBlocksWithInPlaceAddAndReluLeaveCapturesIntact()
    {
        using var net = Seeded(() => new TinyResNet());
        net.eval();
        using var rec = ActivationRecorder.Attach(net, "relu", "layer1.0.bn1", "layer1.0.relu", "layer1.0.conv2", "layer1.0.bn2", "layer1.0");
        using var x = randn(2, 3, 8, 8);
        using var _ = net.call(x);

        var block = ModelLayers.Get(net, "layer1.0");
        var bn2 = (BatchNorm2d)ModelLayers.Get(block, "bn2");
        Assert.True(rec["layer1.0.bn1"].min().item<float>() < 0);
        Assert.True(rec["layer1.0.relu"].allclose(rec["layer1.0.bn1"].clamp_min(0)));
        using var bn2Out = bn2.forward(rec["layer1.0.conv2"]);
        Assert.True(rec["layer1.0.bn2"].allclose(bn2Out, rtol: 1e-4, atol: 1e-5), "add_() and relu_() after bn2 changed its capture");
        Assert.True(rec["layer1.0.bn2"].min().item<float>() < 0);
        using var blockOut = (bn2Out + rec["relu"]).relu();
        Assert.True(rec["layer1.0"].allclose(blockOut, rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void WhenForwardThrowsDisposeStillRemovesEveryHook()
    {
        using var net = Seeded(() => new Throwing());
        Assert.Equal(0, HookCounter.CountAll(net));
        Tensor kept;
        using (var rec = ActivationRecorder.Attach(net))
        {
            Assert.Equal(["conv", "boom"], rec.Layers);
            Assert.Equal(3, HookCounter.CountAll(net)); // two forward hooks and the model's pass-start pre-hook
            using var x = randn(1, 1, 4, 4);
            var e = Assert.Throws<InvalidOperationException>(() => net.call(x));
            Assert.Equal("boom in forward", e.Message);
            kept = rec["conv"];
            Assert.Equal(["boom"], rec.NotFired);
        }
        Assert.Equal(0, HookCounter.CountAll(net));
        Assert.True(kept.IsInvalid, "the recorder should free what it owns on Dispose");
    }

    [Fact]
    public void AfterDisposeALaterCallRecordsNothing()
    {
        using var net = Seeded(() => new SmallCnn());
        var rec = ActivationRecorder.Attach(net, "conv1");
        rec.Dispose();
        using var x = randn(1, 1, 8, 8);
        using var _ = net.call(x);
        Assert.Throws<ObjectDisposedException>(() => rec["conv1"]);
        Assert.Equal(0, HookCounter.CountAll(net));
    }

    [Fact]
    public void MaxSamplesKeepsTheFirstSamplesAndTheFullShapeIsStillKnown()
    {
        using var net = Seeded(() => new SmallCnn());
        using var rec = ActivationRecorder.Attach(net, new CaptureOptions { MaxSamples = 2 }, "conv1");
        using var x = randn(5, 1, 8, 8);
        using var _ = net.call(x);
        Assert.Equal([2L, 4, 8, 8], rec["conv1"].shape);
        Assert.Equal([5L, 4, 8, 8], rec.OutputShapes("conv1")[0]);
        using var full = ((Conv2d)ModelLayers.Get(net, "conv1")).forward(x);
        using var firstTwo = full.narrow(0, 0, 2);
        Assert.True(rec["conv1"].allclose(firstTwo));
        Assert.Equal(2 * 4 * 8 * 8 * 4, rec.StoredBytes);
    }

    [Fact]
    public void CapturesAreDetachedCopiesWhateverTheDeviceOption()
    {
        foreach (bool toCpu in new[] { true, false })
        {
            using var net = Seeded(() => Sequential(("conv", Conv2d(1, 3, 3)), ("relu", ReLU(inplace: true))));
            using var rec = ActivationRecorder.Attach(net, new CaptureOptions { ToCpu = toCpu }, "conv");
            using var x = randn(1, 1, 6, 6).requires_grad_();
            using var _ = net.call(x);
            var stored = rec["conv"];
            Assert.Equal(DeviceType.CPU, stored.device_type);
            Assert.False(stored.requires_grad);
            Assert.True(stored.min().item<float>() < 0, $"ToCpu={toCpu}: the stored conv output shares storage with the in-place ReLU's");
        }
    }

    [Fact]
    public void TheMemoryBudgetStopsTheForwardWithAMessageThatSaysHowToFixIt()
    {
        using var net = Seeded(() => new SmallCnn());
        // conv1's output [2,4,8,8] float is 2,048 bytes: it fits in 3,000, relu1's 2,048 more do not.
        using var rec = ActivationRecorder.Attach(net, new CaptureOptions { MemoryBudgetBytes = 3000 }, "conv1", "relu1", "fc");
        using var x = randn(2, 1, 8, 8);
        var e = Assert.Throws<InvalidOperationException>(() => net.call(x));
        Assert.Contains("Capturing layer 'relu1' would exceed the capture memory budget", e.Message);
        Assert.Contains("2,048 bytes are stored already", e.Message);
        Assert.Contains("[2, 4, 8, 8] needs 2,048 more (budget 3,000 bytes)", e.Message);
        Assert.Contains("MaxSamples", e.Message);
        Assert.Contains("MemoryBudgetBytes", e.Message);
        Assert.Contains("fewer layers", e.Message);
        Assert.Equal(2048, rec.StoredBytes);
        Assert.Equal(["fc"], rec.NotFired);
        Assert.Contains("The memory budget stopped a forward pass at layer 'relu1'", rec.NotFiredExplanation);
        rec.Dispose();
        Assert.Equal(0, HookCounter.CountAll(net));
    }

    [Fact]
    public void GlobAndTypeSelection()
    {
        using var net = Seeded(() => new TinyResNet());
        using var convs = ActivationRecorder.Attach(net, "Conv2d");
        using var relus = ActivationRecorder.Attach(net, "layer*.relu");
        Assert.Equal(8, convs.Layers.Count);
        Assert.Equal(["layer1.0.relu", "layer1.1.relu", "layer2.0.relu"], relus.Layers);
        using var x = randn(1, 3, 8, 8);
        using var _ = net.call(x);
        Assert.Empty(convs.NotFired);
        Assert.Equal([1L, 16, 4, 4], convs["layer2.0.downsample.0"].shape);
        Assert.Equal([1L, 8, 8, 8], relus["layer1.1.relu"].shape);
    }

    [Fact]
    public void UnknownNamesGetTheClosestWatchedLayer()
    {
        using var net = new SmallCnn();
        Assert.Throws<ArgumentException>(() => ActivationRecorder.Attach(net, "conv9x"));
        using var rec = ActivationRecorder.Attach(net, "conv1", "relu2");
        var e = Assert.Throws<ArgumentException>(() => rec["relu1"]);
        Assert.Contains("does not watch a layer named 'relu1'", e.Message);
        Assert.Contains("Closest valid name: 'relu2'", e.Message);
    }

    [Fact]
    public void TakenTensorsBelongToTheCallerAndSurviveDispose()
    {
        using var net = Seeded(() => new ReusedAndBypassed());
        Dictionary<string, Tensor[]> all;
        Tensor last;
        using var x = randn(1, 2, 5, 5);
        using (var rec = ActivationRecorder.Attach(net, "shared"))
        {
            using (net.call(x)) { }
            all = rec.TakeAll();
            Assert.Equal(0, rec.StoredBytes);
            var e = Assert.Throws<InvalidOperationException>(() => rec["shared"]);
            Assert.Contains("handed over by TakeAll()/Detach()", e.Message);

            using (net.call(x)) { }
            var calls = rec.Calls("shared");
            Assert.Equal(2, calls.Count);
            last = rec.Detach("shared");
            Assert.True(calls[0].IsInvalid, "Detach frees the earlier calls of that layer");
            Assert.Same(calls[1], last);
        }
        Assert.Equal(2, all["shared"].Length);
        Assert.All(all["shared"], t => Assert.False(t.IsInvalid));
        Assert.False(last.IsInvalid);
        Assert.True(last.allclose(all["shared"][1]));
        foreach (var t in all["shared"]) t.Dispose();
        last.Dispose();
    }

    [Fact]
    public void ClearFreesStoredTensorsAndForgetsFiring()
    {
        using var net = Seeded(() => new SmallCnn());
        using var rec = ActivationRecorder.Attach(net, "conv1");
        using var x = randn(1, 1, 8, 8);
        using (net.call(x)) { }
        var t = rec["conv1"];
        rec.Clear();
        Assert.True(t.IsInvalid);
        Assert.Equal(0, rec.StoredBytes);
        Assert.Equal(["conv1"], rec.NotFired);
        using (net.call(x)) { }
        Assert.Equal(1, rec.CallCount("conv1"));
    }

    [Fact]
    public void ALayerThatCannotBeCapturedIsRejectedByName()
    {
        using var net = new WithBilinear();
        var e = Assert.Throws<ArgumentException>(() => ActivationRecorder.Attach(net, "bil"));
        Assert.Contains("'bil' (Bilinear) does not take one tensor", e.Message);
        using var rec = ActivationRecorder.Attach(net);
        Assert.Equal(["a"], rec.Layers);
    }

    sealed class WithBilinear : Module<Tensor, Tensor>
    {
        readonly TorchSharp.Modules.Conv2d a = Conv2d(1, 1, 1);
        readonly TorchSharp.Modules.Bilinear bil = Bilinear(2, 2, 2);
        public WithBilinear() : base(nameof(WithBilinear)) => RegisterComponents();
        public override Tensor forward(Tensor x) => a.call(x);
    }
}
