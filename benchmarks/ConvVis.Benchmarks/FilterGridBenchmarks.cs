using BenchmarkDotNet.Attributes;
using ConvVis;
using static TorchSharp.torch;

namespace ConvVis.Benchmarks;

/// <summary>Filter grids of a first layer (64x3x7x7, RGB tiles) and of a deep 3x3 layer (256x128x3x3, one tile per filter), to HTML.</summary>
[MemoryDiagnoser]
[Config(typeof(InProcessConfig))]
public class FilterGridBenchmarks
{
    private Tensor _first = null!, _deep = null!;

    [GlobalSetup]
    public void Setup()
    {
        manual_seed(7);
        _first = randn(64, 3, 7, 7) * 0.05f;
        _deep = randn(256, 128, 3, 3) * 0.02f;
        Console.WriteLine($"// 64x3x7x7: {FilterGrid.Of(_first).Width}x{FilterGrid.Of(_first).Height} px; 256x128x3x3: {FilterGrid.Of(_deep).Width}x{FilterGrid.Of(_deep).Height} px");
    }

    [GlobalCleanup]
    public void Cleanup() { _first.Dispose(); _deep.Dispose(); }

    [Benchmark(Description = "FilterGrid 64x3x7x7 to HTML")]
    public string FirstLayer() => FilterGrid.Of(_first).ToHtml();

    [Benchmark(Description = "FilterGrid 256x128x3x3 to HTML")]
    public string DeepLayer() => FilterGrid.Of(_deep).ToHtml();
}
