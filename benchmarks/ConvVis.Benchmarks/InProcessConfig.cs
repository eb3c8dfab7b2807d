using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace ConvVis.Benchmarks;

/// <summary>
/// Runs every job (also the ones given on the command line, e.g. <c>--job short</c>) in this process.
/// Why: BenchmarkDotNet's generated out-of-process project does not load TorchSharp on this machine
/// ("doesn't contain a reference to libtorch-cpu-linux-x64": its output lacks the native libtorch files and
/// the build's GLIBCXX fix), while this process has both. A mutator job changes only the toolchain.
/// </summary>
public sealed class InProcessConfig : ManualConfig
{
    public InProcessConfig() => AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).AsMutator());
}
