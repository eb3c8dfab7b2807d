using BenchmarkDotNet.Running;
using ConvVis.Benchmarks;

// None of these commands is a BenchmarkDotNet run: "tsne-peer" is a timed comparison with scikit-learn, "tsne-profile"
// times the phases of one run, "tsne-exact-profile" the exact method's phases (old tensor form against the fused pass),
// "scan-rounds" and "capture-rounds" measure the statistics-scan and capture ratios in interleaved rounds, "scan-pairs"
// the scan ratios with each batch timed next to a plain pass of it, and "scan-add" times the scan hooks' work alone (see
// TSnePeerComparison, TSneProfile, TSneExactProfile, StatsScanRounds, CaptureRounds, StatsScanPairs, StatsAddTiming).
if (args.Length > 0 && args[0] == "tsne-peer") TSnePeerComparison.Run(args[1..]);
else if (args.Length > 0 && args[0] == "scan-rounds") StatsScanRounds.Run(args[1..]);
else if (args.Length > 0 && args[0] == "scan-pairs") StatsScanPairs.Run(args[1..]);
else if (args.Length > 0 && args[0] == "capture-rounds") CaptureRounds.Run(args[1..]);
else if (args.Length > 0 && args[0] == "scan-add") StatsAddTiming.Run(args[1..]);
else if (args.Length > 0 && args[0] == "tsne-profile") TSneProfile.Run(args[1..]);
else if (args.Length > 0 && args[0] == "tsne-exact-profile") TSneExactProfile.Run(args[1..]);
else BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
