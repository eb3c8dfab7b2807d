using BenchmarkDotNet.Running;
using ConvVis.Benchmarks;

// "tsne-peer" is a one-shot timed comparison with scikit-learn and "tsne-profile" times the phases of one run, neither a BenchmarkDotNet run (see TSnePeerComparison, TSneProfile).
if (args.Length > 0 && args[0] == "tsne-peer") TSnePeerComparison.Run(args[1..]);
else if (args.Length > 0 && args[0] == "tsne-profile") TSneProfile.Run(args[1..]);
else BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
