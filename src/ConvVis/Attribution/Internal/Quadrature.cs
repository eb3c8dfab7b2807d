namespace ConvVis.Attributions.Internal;

/// <summary>Nodes α and weights on [0, 1] for integrating along a path.</summary>
internal static class Quadrature
{
    /// <summary>n equally spaced points 0..1 with trapezoid weights (1/(2(n−1)) at the ends, 1/(n−1) inside).</summary>
    public static (double[] Alphas, double[] Weights) Trapezoid(int n)
    {
        var a = new double[n];
        var w = new double[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = (double)i / (n - 1);
            w[i] = (i == 0 || i == n - 1 ? 0.5 : 1.0) / (n - 1);
        }
        return (a, w);
    }

    /// <summary>Gauss–Legendre nodes (roots of P_n by Newton's method) and weights, mapped from [−1, 1] to [0, 1].</summary>
    public static (double[] Alphas, double[] Weights) GaussLegendre(int n)
    {
        var a = new double[n];
        var w = new double[n];
        for (int i = 0; i < (n + 1) / 2; i++)
        {
            double t = Math.Cos(Math.PI * (i + 0.75) / (n + 0.5)); // initial guess for the i-th root
            double derivative = 0;
            for (int iter = 0; iter < 100; iter++)
            {
                // P_n(t) and P_{n-1}(t) by the three-term recurrence.
                double p0 = 1, p1 = t;
                for (int k = 2; k <= n; k++)
                    (p0, p1) = (p1, ((2 * k - 1) * t * p1 - (k - 1) * p0) / k);
                double pn = n == 1 ? t : p1, pn1 = n == 1 ? 1 : p0;
                derivative = n * (t * pn - pn1) / (t * t - 1);
                double step = pn / derivative;
                t -= step;
                if (Math.Abs(step) < 1e-15) break;
            }
            double weight = 2 / ((1 - t * t) * derivative * derivative);
            // Roots come in ± pairs: map both to [0, 1].
            a[i] = (1 - t) / 2;
            a[n - 1 - i] = (1 + t) / 2;
            w[i] = w[n - 1 - i] = weight / 2;
        }
        return (a, w);
    }
}
