using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// A synthetic 10-class set of 28×28 grey images of oriented bars and simple shapes, with soft
/// (anti-aliased) edges, random position, size, contrast and a little noise. It needs no files, so
/// notebooks and tests can fall back to it when Fashion-MNIST is not installed; a small CNN learns
/// it in seconds and grows smooth, oriented first-layer filters on it.
/// </summary>
public static class SyntheticShapes
{
    /// <summary>Image side length in pixels.</summary>
    public const int Size = 28;

    /// <summary>The class names, index = label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = new[]
    {
        "horizontal bar", "vertical bar", "diagonal bar /", "diagonal bar \\", "disc",
        "ring", "plus", "cross", "square outline", "triangle",
    };

    /// <summary>
    /// Makes <paramref name="n"/> images [n, 1, 28, 28] in [0, 1] with labels [n] (classes in turn,
    /// 0, 1, …, 9, 0, …), reproducible for a seed.
    /// </summary>
    /// <param name="n">Number of images.</param>
    /// <param name="seed">Random seed.</param>
    /// <param name="noise">Standard deviation of the added Gaussian pixel noise.</param>
    public static LabeledImages Create(int n, int seed = 0, double noise = 0.03)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        var rng = new Random(seed);
        var pixels = new float[n * Size * Size];
        var labels = new long[n];
        for (int i = 0; i < n; i++)
        {
            int label = i % 10;
            labels[i] = label;
            Draw(label, rng, pixels.AsSpan(i * Size * Size, Size * Size), noise);
        }
        return new LabeledImages(
            tensor(pixels).reshape(n, 1, Size, Size),
            tensor(labels),
            ClassNames);
    }

    private static void Draw(int label, Random rng, Span<float> img, double noise)
    {
        double cx = 13.5 + Uniform(rng, -3, 3), cy = 13.5 + Uniform(rng, -3, 3);
        double contrast = Uniform(rng, 0.7, 1.0);
        double len = Uniform(rng, 7, 11);        // half length of bars
        double hw = Uniform(rng, 1.2, 2.2);      // half width of strokes
        double r = Uniform(rng, 5, 8);           // radius / half size of shapes
        double tilt = Uniform(rng, -0.15, 0.15); // radians of orientation jitter
        for (int y = 0; y < Size; y++)
        {
            for (int x = 0; x < Size; x++)
            {
                double px = x - cx, py = y - cy;
                double d = label switch
                {
                    0 => Bar(px, py, 0 + tilt, len, hw),
                    1 => Bar(px, py, Math.PI / 2 + tilt, len, hw),
                    2 => Bar(px, py, -Math.PI / 4 + tilt, len, hw),
                    3 => Bar(px, py, Math.PI / 4 + tilt, len, hw),
                    4 => Math.Sqrt(px * px + py * py) - r,
                    5 => Math.Abs(Math.Sqrt(px * px + py * py) - r) - hw * 0.8,
                    6 => Math.Min(Bar(px, py, tilt, len, hw), Bar(px, py, Math.PI / 2 + tilt, len, hw)),
                    7 => Math.Min(Bar(px, py, Math.PI / 4 + tilt, len, hw), Bar(px, py, -Math.PI / 4 + tilt, len, hw)),
                    8 => Math.Abs(Box(px, py, r)) - hw * 0.8,
                    _ => Triangle(px, py, r + 1.5),
                };
                // Signed distance to a soft edge one pixel wide: inside 1, outside 0.
                double v = Math.Clamp(0.5 - d, 0, 1) * contrast + noise * Gaussian(rng);
                img[y * Size + x] = (float)Math.Clamp(v, 0, 1);
            }
        }
    }

    private static double Bar(double px, double py, double angle, double halfLength, double halfWidth)
    {
        double c = Math.Cos(angle), s = Math.Sin(angle);
        double along = px * c + py * s, across = -px * s + py * c;
        double t = Math.Clamp(along, -halfLength, halfLength);
        double dx = along - t;
        return Math.Sqrt(dx * dx + across * across) - halfWidth;
    }

    private static double Box(double px, double py, double half)
    {
        double qx = Math.Abs(px) - half, qy = Math.Abs(py) - half;
        double outside = Math.Sqrt(Math.Pow(Math.Max(qx, 0), 2) + Math.Pow(Math.Max(qy, 0), 2));
        return outside + Math.Min(Math.Max(qx, qy), 0);
    }

    private static double Triangle(double px, double py, double r)
    {
        // An upward triangle inscribed in a circle of radius r: the signed distance is the largest
        // distance past any of its three edges (exact inside, a good approximation outside).
        double d = double.NegativeInfinity;
        for (int k = 0; k < 3; k++)
        {
            double a = -Math.PI / 2 + k * 2 * Math.PI / 3 + Math.PI; // outward normals of the edges
            d = Math.Max(d, px * Math.Cos(a) + py * Math.Sin(a) - r / 2);
        }
        return d;
    }

    private static double Uniform(Random rng, double lo, double hi) => lo + (hi - lo) * rng.NextDouble();

    private static double Gaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
