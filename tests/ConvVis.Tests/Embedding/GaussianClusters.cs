using static TorchSharp.torch;

namespace ConvVis.Tests.Embedding;

/// <summary>Well-separated isotropic Gaussian clusters drawn with System.Random (the same numbers on every machine).</summary>
internal static class GaussianClusters
{
    /// <summary><paramref name="clusters"/> x <paramref name="perCluster"/> points in <paramref name="dims"/> dimensions: unit-variance noise around centres drawn with std <paramref name="spread"/>; labels are the cluster index.</summary>
    public static (Tensor Points, long[] Labels) Make(int clusters, int perCluster, int dims, double spread = 10, int seed = 0)
    {
        var random = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var centres = Enumerable.Range(0, clusters).Select(_ => Enumerable.Range(0, dims).Select(_ => spread * Normal()).ToArray()).ToArray();
        int n = clusters * perCluster;
        var data = new double[n * dims];
        var labels = new long[n];
        // Interleaved order (point i is in cluster i % clusters) so that nothing depends on points arriving sorted.
        for (int i = 0; i < n; i++)
        {
            int c = i % clusters;
            labels[i] = c;
            for (int d = 0; d < dims; d++) data[i * dims + d] = centres[c][d] + Normal();
        }
        return (tensor(data, [n, dims]), labels);
    }

    /// <summary>The fraction of points whose <paramref name="k"/> nearest map neighbours all carry the point's own label.</summary>
    public static double PureNeighbourhoods(TSneEmbedding map, IReadOnlyList<long> labels, int k)
    {
        int n = map.Count, pure = 0;
        for (int i = 0; i < n; i++)
        {
            var nearest = Enumerable.Range(0, n).Where(j => j != i)
                .OrderBy(j => Math.Pow(map.X(i) - map.X(j), 2) + Math.Pow(map.Y(i) - map.Y(j), 2)).Take(k);
            if (nearest.All(j => labels[j] == labels[i])) pure++;
        }
        return pure / (double)n;
    }
}
