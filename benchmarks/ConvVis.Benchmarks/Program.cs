using BenchmarkDotNet.Running;
using ConvVis.Benchmarks;

// "tsne-peer" is a one-shot timed comparison with scikit-learn, "tsne-profile" times the phases of one run, and
// "scan-rounds" and "capture-rounds" measure the statistics-scan and capture ratios in interleaved rounds; none is a
// BenchmarkDotNet run (see TSnePeerComparison, TSneProfile, StatsScanRounds, CaptureRounds).
if (args.Length > 0 && args[0] == "tsne-peer") TSnePeerComparison.Run(args[1..]);
else if (args.Length > 0 && args[0] == "scan-rounds") StatsScanRounds.Run(args[1..]);
else if (args.Length > 0 && args[0] == "capture-rounds") CaptureRounds.Run(args[1..]);
else if (args.Length > 0 && args[0] == "tsne-profile") TSneProfile.Run(args[1..]);
else BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
