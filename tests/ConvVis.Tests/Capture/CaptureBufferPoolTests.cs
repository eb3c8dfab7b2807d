using System.Runtime.CompilerServices;
using ConvVis.Capture;
using static TorchSharp.torch;

namespace ConvVis.Tests.Capture;

/// <summary>The pool on its own, each test with a pool of its own (so tests running in parallel cannot take its blocks).</summary>
public class CaptureBufferPoolTests
{
    static readonly long[] Shape = [64, 1024]; // 256 KiB of float32: above the pooling threshold
    const long BlockBytes = 64 * 1024 * 4;

    static CaptureBufferPool NewPool(long maxRetainedBytes = 16 * BlockBytes, double idleSeconds = 600)
        => new(maxRetainedBytes, TimeSpan.FromSeconds(idleSeconds));

    [Fact]
    public void ThisTorchSharpLetsThePoolMakeTensors()
        // Fails loudly when a TorchSharp upgrade drops the native entry point, instead of capture silently losing the pool.
        => Assert.True(CaptureBufferPool.IsSupported);

    [Fact]
    public void AFreedBlockGoesToTheNextTensorOfTheSameSize()
    {
        var pool = NewPool();
        using var like = zeros(Shape);
        var first = pool.NewLike(like)!;
        IntPtr address = Address(first);
        Assert.Equal(1, pool.BlocksInUse);
        first.Dispose();
        Assert.Equal(BlockBytes, pool.RetainedBytes);
        Assert.Equal(0, pool.BlocksInUse);

        using var second = pool.NewLike(like)!;
        Assert.Equal(address, Address(second));
        Assert.Equal(0, pool.RetainedBytes);
        Assert.Equal(Shape, second.shape);
        Assert.Equal(ScalarType.Float32, second.dtype);
    }

    [Fact]
    public void AViewKeepsItsBlockOutOfThePoolUntilTheViewIsGone()
    {
        var pool = NewPool();
        using var like = zeros(Shape);
        var owner = pool.NewLike(like)!;
        owner.fill_(7);
        var row = owner[3];
        owner.Dispose();
        Assert.Equal(0, pool.RetainedBytes);
        Assert.Equal(1, pool.BlocksInUse);

        using (var other = pool.NewLike(like)!)
        {
            other.fill_(1);
            Assert.Equal(7 * 1024.0, row.sum().item<float>());
        }
        row.Dispose();
        Assert.Equal(2 * BlockBytes, pool.RetainedBytes);
        Assert.Equal(0, pool.BlocksInUse);
    }

    [Fact]
    public void KeepsNoMoreThanItsLimitAndFreesTheRest()
    {
        var pool = NewPool(maxRetainedBytes: BlockBytes * 3 / 2);
        using var like = zeros(Shape);
        var a = pool.NewLike(like)!;
        var b = pool.NewLike(like)!;
        a.Dispose();
        b.Dispose();
        Assert.Equal(BlockBytes, pool.RetainedBytes);
        pool.ReleaseAll();
        Assert.Equal(0, pool.RetainedBytes);
    }

    [Fact]
    public void GivesEveryBlockBackOnceUnusedForItsIdleTime()
    {
        var pool = NewPool(idleSeconds: 0.2);
        using var like = zeros(Shape);
        pool.NewLike(like)!.Dispose();
        Assert.Equal(BlockBytes, pool.RetainedBytes);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (pool.RetainedBytes > 0 && DateTime.UtcNow < deadline) Thread.Sleep(50);
        Assert.Equal(0, pool.RetainedBytes);
    }

    [Fact]
    public void SmallTensorsAreLeftToTheUsualAllocator()
    {
        using var small = zeros(10, 10);
        Assert.Null(NewPool().NewLike(small));
    }

    [Theory]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Int64)]
    [InlineData(ScalarType.Byte)]
    [InlineData(ScalarType.Float16)]
    public void PooledTensorsHoldEveryElementType(ScalarType dtype)
    {
        var pool = NewPool();
        using var source = arange(0, 256 * 1024, dtype: ScalarType.Int64).remainder(200).to_type(dtype).reshape(512, 512);
        using var copy = pool.NewLike(source)!;
        Assert.Equal(dtype, copy.dtype);
        Assert.Equal(source.shape, copy.shape);
        copy.copy_(source);
        Assert.True(copy.equal(source).all().item<bool>());
        using var twice = copy.to_type(ScalarType.Float64) * 2;
        Assert.Equal(2.0 * source.to_type(ScalarType.Float64).sum().item<double>(), twice.sum().item<double>());
    }

    [Fact]
    public void DisposingOnManyThreadsAtOnceLosesNoBlock()
    {
        var pool = NewPool(maxRetainedBytes: 64 * BlockBytes);
        using var like = zeros(Shape);
        var tensors = Enumerable.Range(0, 48).Select(_ => pool.NewLike(like)!).ToArray();
        Assert.Equal(48, tensors.Select(Address).Distinct().Count());
        Parallel.ForEach(tensors, new ParallelOptions { MaxDegreeOfParallelism = 8 }, t => t.Dispose());
        Assert.Equal(0, pool.BlocksInUse);
        Assert.Equal(48 * BlockBytes, pool.RetainedBytes);
    }

    [Fact]
    public void ATensorLeftToTheGarbageCollectorReturnsItsBlock()
    {
        var pool = NewPool();
        using var like = zeros(Shape);
        MakeAndDrop(pool, like);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (pool.BlocksInUse > 0 && DateTime.UtcNow < deadline)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Assert.Equal(0, pool.BlocksInUse);
        Assert.Equal(BlockBytes, pool.RetainedBytes);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void MakeAndDrop(CaptureBufferPool pool, Tensor like)
    {
        var t = pool.NewLike(like)!;
        t.DetachFromDisposeScope();
        t.fill_(1);
    }

    internal static unsafe IntPtr Address(Tensor t)
    {
        fixed (byte* p = t.bytes) return (IntPtr)p;
    }
}
