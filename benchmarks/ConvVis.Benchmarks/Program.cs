using BenchmarkDotNet.Running;
using ConvVis.Benchmarks;

// "tsne-peer" is a one-shot timed comparison with scikit-learn, not a BenchmarkDotNet run (see TSnePeerComparison).
if (args.Length > 0 && args[0] == "tsne-peer") TSnePeerComparison.Run(args[1..]);
else BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
