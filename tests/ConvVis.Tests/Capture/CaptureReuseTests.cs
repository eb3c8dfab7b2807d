using ConvVis.Capture;
using static ConvVis.Tests.Fixtures.CaptureNets;
using static ConvVis.Tests.Capture.CaptureBufferPoolTests;
using static TorchSharp.torch;

namespace ConvVis.Tests.Capture;

/// <summary>
/// Recorders and the shared capture pool. These run alone (the memory collection), so no other test takes the pool's
/// blocks in between.
/// </summary>
[Collection(MemoryMeasurements.Name)]
public class CaptureReuseTests
{
    [Fact]
    public void TheNextRecorderCapturesIntoTheMemoryOfTheLastOneAndGetsTheRightValues()
    {
        using var net = Seeded(() => new TinyResNet());
        net.eval();
        using var x = randn(16, 3, 32, 32);
        var firstAddresses = new HashSet<IntPtr>();
        Dictionary<string, Tensor> expected;
        using (var first = ActivationRecorder.Attach(net))
        {
            net.call(x).Dispose();
            expected = first.Layers.ToDictionary(n => n, n => first[n].clone());
            foreach (var name in first.Layers) firstAddresses.Add(Address(first[name]));
            Assert.True(CaptureBufferPool.Shared.BlocksInUse >= 10, $"{CaptureBufferPool.Shared.BlocksInUse} captures use pooled memory");
        }
        Assert.Equal(0, CaptureBufferPool.Shared.BlocksInUse);
        Assert.True(CaptureBufferPool.Shared.RetainedBytes > 4_000_000, $"the pool kept {CaptureBufferPool.Shared.RetainedBytes:N0} bytes");

        using var second = ActivationRecorder.Attach(net);
        net.call(x).Dispose();
        var pooled = second.Layers.Where(n => Bytes(second[n]) >= CaptureBufferPool.MinPooledBytes).ToList();
        Assert.True(pooled.Count >= 10, $"{pooled.Count} captures are large enough to pool");
        Assert.All(pooled, n => Assert.Contains(Address(second[n]), firstAddresses));
        Assert.All(second.Layers, n => Assert.True(second[n].equal(expected[n]).all().item<bool>(), $"layer {n}"));
        foreach (var t in expected.Values) t.Dispose();
    }

    [Fact]
    public void ACaptureTheUserKeepsIsNeverReusedByLaterPasses()
    {
        using var net = Seeded(() => new TinyResNet());
        net.eval();
        using var rec = ActivationRecorder.Attach(net, "conv1", "layer1.0.relu");
        using (var x = randn(16, 3, 32, 32)) net.call(x).Dispose();
        using var kept = rec.Detach("conv1");
        using var row = rec["layer1.0.relu"][0]; // a view of a capture the recorder frees on the next pass
        using var keptBefore = kept.clone();
        using var rowBefore = row.clone();

        for (int i = 0; i < 5; i++)
        {
            using var x = randn(16, 3, 32, 32);
            net.call(x).Dispose();
            Assert.NotEqual(Address(kept), Address(rec["conv1"]));
            Assert.NotEqual(Address(row), Address(rec["layer1.0.relu"]));
        }
        Assert.True(kept.equal(keptBefore).all().item<bool>());
        Assert.True(row.equal(rowBefore).all().item<bool>());
    }

    static long Bytes(Tensor t) => t.numel() * t.element_size();
}
