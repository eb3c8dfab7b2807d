// Tests seed TorchSharp's global random generator before building and training their networks; test classes
// running in parallel would draw from the same generator in between and make those runs differ from run to run.
// On this project's 2-core machines libtorch already uses both cores, so running one class at a time costs little.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
