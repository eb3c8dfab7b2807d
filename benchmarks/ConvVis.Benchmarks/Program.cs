using BenchmarkDotNet.Running;
using ConvVis.Benchmarks;

// "tsne-peer" is a one-shot timed comparison with scikit-learn, "tsne-profile" times the phases of one run, "tsne-exact-profile"
// the exact method's phases (old tensor form against the fused pass), and
// "scan-rounds" measures the statistics-scan ratios in interleaved rounds; none is a BenchmarkDotNet run (see
// TSnePeerComparison, TSneProfile, StatsScanRounds).
if (args.Length > 0 && args[0] == "tsne-peer") TSnePeerComparison.Run(args[1..]);
else if (args.Length > 0 && args[0] == "scan-rounds") StatsScanRounds.Run(args[1..]);
else if (args.Length > 0 && args[0] == "tsne-profile") TSneProfile.Run(args[1..]);
else if (args.Length > 0 && args[0] == "tsne-exact-profile") TSneExactProfile.Run(args[1..]);
else BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
