namespace ConvVis.Embedding;

/// <summary>
/// The conditional affinities p(j|i) of one point: a Gaussian over its neighbours' squared distances whose precision
/// (beta = 1 / 2 sigma²) is found by bisection so that the distribution's entropy is ln(perplexity).
/// </summary>
internal static class PerplexityCalibration
{
    /// <summary>Entropy tolerance in nats, and the most bisection steps (the entropy is monotone in beta, so 100 steps halve any bracket far below double precision).</summary>
    const double Tolerance = 1e-5;
    const int MaxSteps = 100;

    /// <summary>Fills <paramref name="p"/> (normalised to sum 1) for squared distances <paramref name="d2"/>; returns the precision beta found.</summary>
    /// <param name="d2">Squared distances to the neighbours (never the point itself).</param>
    /// <param name="perplexity">Target perplexity; the entropy aimed at is its natural log.</param>
    /// <param name="p">Output, one entry per neighbour.</param>
    public static double Fit(ReadOnlySpan<double> d2, double perplexity, Span<double> p)
    {
        double target = Math.Log(perplexity);
        // Shifting by the smallest distance changes no p (it cancels in the normalisation) but keeps exp() from underflowing.
        double min = double.PositiveInfinity;
        foreach (var d in d2) min = Math.Min(min, d);
        double beta = 1, lo = 0, hi = double.PositiveInfinity;
        for (int step = 0; step < MaxSteps; step++)
        {
            double h = Entropy(d2, min, beta, p);
            double diff = h - target;
            if (Math.Abs(diff) < Tolerance) break;
            // Too flat (entropy too high): sharpen, i.e. raise beta.
            if (diff > 0)
            {
                lo = beta;
                beta = double.IsPositiveInfinity(hi) ? beta * 2 : (beta + hi) / 2;
            }
            else
            {
                hi = beta;
                beta = (beta + lo) / 2;
            }
        }
        Entropy(d2, min, beta, p);
        return beta;
    }

    /// <summary>Writes the normalised Gaussian for <paramref name="beta"/> into <paramref name="p"/> and returns its entropy in nats.</summary>
    static double Entropy(ReadOnlySpan<double> d2, double min, double beta, Span<double> p)
    {
        double sum = 0, weighted = 0;
        for (int j = 0; j < d2.Length; j++)
        {
            double s = d2[j] - min;
            double e = Math.Exp(-beta * s);
            p[j] = e;
            sum += e;
            weighted += s * e;
        }
        // H = ln(sum) + beta * E[d - min]; sum >= 1 because the nearest neighbour contributes exp(0).
        for (int j = 0; j < p.Length; j++) p[j] /= sum;
        return Math.Log(sum) + beta * weighted / sum;
    }
}
