using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using ConvVis;
using ConvVis.Embedding;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Benchmarks;

/// <summary>
/// t-SNE (default options: perplexity 30, 1000 iterations) of 5,000 and 20,000 points of 50 dimensions, Barnes-Hut at
/// both sizes and exact at 5,000: Fashion-MNIST training images reduced to 50 principal components (Gaussian clusters
/// when the data set is missing). The exact case takes one to two minutes per run on one thread; the <c>tsne-peer</c>
/// command (<see cref="TSnePeerComparison"/>) times it next to scikit-learn.
/// </summary>
[Config(typeof(InProcessConfig))]
[MemoryDiagnoser(false), MinColumn, MedianColumn]
public class TSneBenchmarks
{
    Tensor _points5k = null!, _points20k = null!;

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(1);
        _points20k = TSneBenchmarkPoints.Make(20000);
        _points5k = _points20k.narrow(0, 0, 5000).clone();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _points5k.Dispose();
        _points20k.Dispose();
    }

    [Benchmark(Baseline = true)]
    public double BarnesHut5000() => TSne.Embed(_points5k, new TSneOptions { Method = TSneMethod.BarnesHut }).KlDivergence;

    [Benchmark]
    public double Exact5000() => TSne.Embed(_points5k, new TSneOptions { Method = TSneMethod.Exact }).KlDivergence;

    [Benchmark]
    public double BarnesHut20000() => TSne.Embed(_points20k, new TSneOptions { Method = TSneMethod.BarnesHut }).KlDivergence;
}

/// <summary>The benchmark's points: N x 50 float64.</summary>
internal static class TSneBenchmarkPoints
{
    public static Tensor Make(int n)
    {
        using var scope = NewDisposeScope();
        Tensor x;
        if (FashionMnist.IsAvailable())
        {
            using var data = FashionMnist.Load(limit: n);
            x = data.Images.flatten(1).to(ScalarType.Float64);
        }
        else
        {
            var random = new Random(0);
            var values = new double[n * 50];
            for (int i = 0; i < values.Length; i++)
                values[i] = (i / 50 % 10) * 5 + Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            x = tensor(values, [n, 50]);
        }
        return PrincipalComponents.Scores(x, 50).contiguous().MoveToOuterDisposeScope();
    }

    public static double[] ToArray(Tensor x) => MemoryMarshal.Cast<byte, double>(x.contiguous().bytes).ToArray();
}
