using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace ConvVis.Internal;

/// <summary>
/// A parallel loop for work done inside a forward hook, run on libtorch's own OpenMP threads.
/// </summary>
/// <remarks>
/// <para>Why not <see cref="Parallel.For(int, int, Action{int})"/>: after each operator, libtorch's OpenMP worker
/// threads (GNU libgomp, in the Linux builds TorchSharp ships) keep spinning for a while before they sleep, and a hook
/// runs in that while. The .NET pool's thread then only gets a share of the core the spinning worker holds. On
/// ResNet-18's every-leaf statistics scan at two libtorch threads, the hooks took 0.89-1.04 s per 8 batches with
/// <c>Parallel.For</c> and 0.66-0.70 s as a region of libtorch's team, and the whole scan 1.14 and 1.09 times the plain
/// inference time (benchmarks/README.md, "The every-leaf row met").</para>
/// <para>How: <c>GOMP_parallel</c> is the entry point GCC compiles <c>#pragma omp parallel</c> to, so libtorch's own
/// operators start their regions the same way. Called from the thread that runs the forward pass, it uses that
/// thread's team, whose workers are the ones spinning. The region's threads take indices from a shared counter.</para>
/// <para>Where libtorch has no GNU OpenMP (Windows and macOS builds, other Linux builds), or runs on one thread (a
/// region would then run on the caller alone), the loop is <c>Parallel.For</c>, as before.</para>
/// </remarks>
internal static unsafe class LibTorchTeam
{
    // void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags)
    static readonly delegate* unmanaged<delegate* unmanaged<void*, void>, void*, uint, uint, void> StartRegion = FindStartRegion();

    /// <summary>True when libtorch's OpenMP team can run the loop (libtorch built with GNU OpenMP, on Linux).</summary>
    public static bool Available => StartRegion != null;

    /// <summary>False: always the .NET pool. Settable so that benchmarks and tests can compare the two.</summary>
    internal static bool Enabled { get; set; } = true;

    /// <summary>
    /// Runs <paramref name="body"/> for each index in [0, <paramref name="count"/>), in parallel on libtorch's threads
    /// when there are several (else on the .NET pool), and returns when all are done. The first exception a body throws
    /// is rethrown here after the loop; indices not yet started when it was thrown are skipped.
    /// </summary>
    /// <remarks>The body must not itself start libtorch operators: inside the region they would run on one thread.</remarks>
    public static void For(int count, Action<int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        int threads = get_num_threads();
        if (!Available || !Enabled || threads < 2)
        {
            try { Parallel.For(0, count, body); }
            catch (AggregateException e) { ExceptionDispatchInfo.Throw(e.InnerExceptions[0]); }
            return;
        }
        var loop = new Loop(count, body);
        var handle = GCHandle.Alloc(loop);
        try { StartRegion(&RunRegion, (void*)GCHandle.ToIntPtr(handle), (uint)threads, 0); }
        finally { handle.Free(); }
        loop.ThrowIfFailed();
    }

    /// <summary>What each thread of the region runs. An exception must not reach native code (it would end the
    /// process), so it is kept for <see cref="For"/> to rethrow.</summary>
    [UnmanagedCallersOnly]
    static void RunRegion(void* data)
    {
        var loop = (Loop)GCHandle.FromIntPtr((nint)data).Target!;
        loop.Run();
    }

    static delegate* unmanaged<delegate* unmanaged<void*, void>, void*, uint, uint, void> FindStartRegion()
    {
        if (!OperatingSystem.IsLinux()) return null;
        get_num_threads(); // makes TorchSharp load its libtorch first
        nint libTorch;
        try
        {
            // RTLD_NOLOAD: only the copy already in this process (TorchSharp's), never one loaded from the system path.
            libTorch = DlOpen("libtorch_cpu.so", RtldLazy | RtldNoLoad);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
        // The symbol lookup through a library's handle also searches the libraries it depends on (libgomp).
        return libTorch != 0 && NativeLibrary.TryGetExport(libTorch, "GOMP_parallel", out var start)
            ? (delegate* unmanaged<delegate* unmanaged<void*, void>, void*, uint, uint, void>)start
            : null;
    }

    const int RtldLazy = 0x1, RtldNoLoad = 0x4;

    [DllImport("libc", EntryPoint = "dlopen")]
    static extern nint DlOpen(string file, int mode);

    sealed class Loop(int count, Action<int> body)
    {
        int _next = -1;
        Exception? _error;

        public void Run()
        {
            try
            {
                int i;
                while (Volatile.Read(ref _error) is null && (i = Interlocked.Increment(ref _next)) < count) body(i);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _error, e, null);
            }
        }

        public void ThrowIfFailed()
        {
            if (_error is { } e) ExceptionDispatchInfo.Throw(e);
        }
    }
}
