using System.Reflection;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Capture;

/// <summary>
/// Native memory for captured activations that is kept when a capture is freed and handed to the next capture of the
/// same size.
/// </summary>
/// <remarks>
/// <para>Why: capturing every leaf of a network allocates its whole forward pass again (30 MB per ResNet-18 image).
/// glibc serves blocks that large with fresh pages from the kernel and gives them back when they are freed, so each pass
/// page-faults all of them in again. On virtual machines where a page fault is expensive that cost more than the copying
/// itself: capture overhead 1.4-2.7 on a Zen 5 VM, against 0.93-1.04 with glibc told to keep freed memory.</para>
/// <para>A block returns to the pool only when libtorch frees its storage, that is when the capture and every view of it
/// are gone, so reuse can never change a tensor that someone still holds. Freed blocks are kept up to
/// <see cref="MaxRetainedBytes"/>, and all of them go back to the system once the pool has not been used for
/// <see cref="IdleRelease"/>, so a notebook that stops capturing holds no memory for it.</para>
/// </remarks>
internal sealed class CaptureBufferPool
{
    /// <summary>Below this size glibc serves allocations from its heap, which it keeps: nothing to gain.</summary>
    public const long MinPooledBytes = 64 * 1024;

    /// <summary>libtorch's CPU allocator aligns to 64 bytes; vectorised kernels may rely on it.</summary>
    const int Alignment = 64;

    /// <summary>The pool every <see cref="ActivationRecorder"/> uses: up to 1 GiB kept, released after 5 s unused.</summary>
    public static CaptureBufferPool Shared { get; } = new(1L << 30, TimeSpan.FromSeconds(5));

    // TorchSharp wraps foreign memory in a tensor only for managed arrays (torch.frombuffer) and does not say when the
    // tensor lets go of it. Its native entry point takes any memory and a function libtorch calls when the storage
    // dies, which is what returning a block needs. Null when a TorchSharp version lacks it: then nothing is pooled.
    static readonly MethodInfo? NewTensorOverMemory = typeof(torch).Assembly
        .GetType("TorchSharp.PInvoke.NativeMethods")?
        .GetMethod("THSTensor_new", BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public);

    // One delegate for every tensor (it finds the block's pool by address); the static field keeps its native thunk alive.
    static readonly Delegate? StorageFreed = CreateStorageFreedCallback();

    // Guards every pool's free lists and the table of blocks in use; the callback arrives on any thread.
    static readonly object Gate = new();
    static readonly Dictionary<IntPtr, (CaptureBufferPool Pool, long Bytes)> InUse = [];

    readonly Dictionary<long, Stack<IntPtr>> _free = [];
    readonly Timer _idleTimer;
    long _retainedBytes;
    long _lastUse;
    bool _idleTimerArmed;

    /// <summary>A pool that keeps at most <paramref name="maxRetainedBytes"/> of freed blocks, and releases them all
    /// after <paramref name="idleRelease"/> without a request.</summary>
    public CaptureBufferPool(long maxRetainedBytes, TimeSpan idleRelease)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxRetainedBytes);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(idleRelease, TimeSpan.Zero);
        MaxRetainedBytes = maxRetainedBytes;
        IdleRelease = idleRelease;
        _idleTimer = new Timer(_ => ReleaseIfIdle());
    }

    /// <summary>The most bytes of freed blocks this pool keeps.</summary>
    public long MaxRetainedBytes { get; }

    /// <summary>How long the pool may go unused before it gives every kept block back.</summary>
    public TimeSpan IdleRelease { get; }

    /// <summary>True when this TorchSharp lets the pool make tensors over its memory.</summary>
    public static bool IsSupported => NewTensorOverMemory is not null && StorageFreed is not null;

    /// <summary>Bytes of freed blocks kept for reuse.</summary>
    public long RetainedBytes
    {
        get { lock (Gate) return _retainedBytes; }
    }

    /// <summary>Blocks of this pool that tensors still use.</summary>
    public int BlocksInUse
    {
        get { lock (Gate) return InUse.Values.Count(v => v.Pool == this); }
    }

    /// <summary>
    /// An uninitialised contiguous CPU tensor with the shape and element type of <paramref name="like"/>, over a pooled
    /// block; null when the tensor is smaller than <see cref="MinPooledBytes"/> or pooling is not supported (then
    /// allocate it the usual way).
    /// </summary>
    public Tensor? NewLike(Tensor like)
    {
        long bytes = like.numel() * like.element_size();
        if (!IsSupported || bytes < MinPooledBytes) return null;
        long[] shape = like.shape;
        long blockBytes = (bytes + Alignment - 1) / Alignment * Alignment;
        IntPtr block = Rent(blockBytes);
        IntPtr handle;
        unsafe
        {
            fixed (long* dimensions = shape)
                handle = (IntPtr)NewTensorOverMemory!.Invoke(null,
                    [block, StorageFreed, (IntPtr)dimensions, shape.Length, (sbyte)like.dtype, (sbyte)like.dtype, 0, 0, false])!;
        }
        if (handle == IntPtr.Zero)
        {
            OnStorageFreed(block); // libtorch may or may not have called it; a second return is ignored
            torch.CheckForErrors();
            throw new InvalidOperationException($"libtorch could not make a tensor of shape [{string.Join(", ", shape)}] over pooled memory.");
        }
        return Tensor.UnsafeCreateTensor(handle);
    }

    /// <summary>Gives every kept block back to the system now.</summary>
    public void ReleaseAll()
    {
        lock (Gate)
        {
            foreach (var blocks in _free.Values)
                while (blocks.Count > 0) FreeBlock(blocks.Pop());
            _free.Clear();
            _retainedBytes = 0;
        }
    }

    IntPtr Rent(long bytes)
    {
        lock (Gate)
        {
            _lastUse = Environment.TickCount64;
            if (_free.TryGetValue(bytes, out var blocks) && blocks.TryPop(out IntPtr block))
                _retainedBytes -= bytes;
            else
                block = AllocateBlock(bytes);
            InUse[block] = (this, bytes);
            return block;
        }
    }

    /// <summary>libtorch's callback when a pooled tensor's storage dies (from any thread, or a finalizer). It must
    /// never throw: an exception here would cross into native code and end the process.</summary>
    static void OnStorageFreed(IntPtr block)
    {
        try
        {
            lock (Gate)
            {
                if (!InUse.Remove(block, out var owner)) return;
                owner.Pool.Keep(block, owner.Bytes);
            }
        }
        catch (Exception)
        {
            // Out of memory for the free list at worst: the block is lost, not the process.
        }
    }

    // Called under Gate.
    void Keep(IntPtr block, long bytes)
    {
        if (_retainedBytes + bytes > MaxRetainedBytes)
        {
            FreeBlock(block);
            return;
        }
        if (!_free.TryGetValue(bytes, out var blocks)) _free[bytes] = blocks = new Stack<IntPtr>();
        blocks.Push(block);
        _retainedBytes += bytes;
        if (!_idleTimerArmed)
        {
            _idleTimerArmed = true;
            _idleTimer.Change(IdleRelease, Timeout.InfiniteTimeSpan);
        }
    }

    void ReleaseIfIdle()
    {
        lock (Gate)
        {
            var unused = TimeSpan.FromMilliseconds(Environment.TickCount64 - _lastUse);
            if (unused < IdleRelease)
            {
                _idleTimer.Change(IdleRelease - unused, Timeout.InfiniteTimeSpan);
                return;
            }
            _idleTimerArmed = false;
            ReleaseAll();
        }
    }

    static unsafe IntPtr AllocateBlock(long bytes) => (IntPtr)NativeMemory.AlignedAlloc((nuint)bytes, Alignment);

    static unsafe void FreeBlock(IntPtr block) => NativeMemory.AlignedFree((void*)block);

    static Delegate? CreateStorageFreedCallback()
    {
        var deleterType = typeof(torch).Assembly.GetType("TorchSharp.PInvoke.GCHandleDeleter");
        var callback = typeof(CaptureBufferPool).GetMethod(nameof(OnStorageFreed), BindingFlags.Static | BindingFlags.NonPublic);
        return deleterType is null || callback is null ? null : Delegate.CreateDelegate(deleterType, callback, throwOnBindFailure: false);
    }
}
