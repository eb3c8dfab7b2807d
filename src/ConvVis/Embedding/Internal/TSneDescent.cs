namespace ConvVis.Embedding;

/// <summary>
/// The gradient descent both t-SNE methods run (van der Maaten's): early exaggeration of P, momentum, and per-coordinate
/// gains, then the map centred. The methods differ only in how they fill <see cref="Attraction"/>, <see cref="Repulsion"/>
/// and Z before each <see cref="Step"/>.
/// </summary>
internal sealed class TSneDescent(int n, TSneOptions options)
{
    readonly double[] _update = new double[2 * n];
    readonly double[] _gains = Enumerable.Repeat(1.0, 2 * n).ToArray();
    readonly double _eta = options.LearningRateFor(n);

    /// <summary>sum_j p_ij (y_i - y_j) / (1 + |y_i - y_j|²) for every coordinate ([x0, y0, x1, y1, ...]), filled by the method.</summary>
    public double[] Attraction { get; } = new double[2 * n];

    /// <summary>sum_j (y_i - y_j) / (1 + |y_i - y_j|²)² for every coordinate (not yet divided by Z), filled by the method.</summary>
    public double[] Repulsion { get; } = new double[2 * n];

    /// <summary>Iteration <paramref name="it"/> from the forces filled in and Z = sum over i != j of 1 / (1 + |y_i - y_j|²): moves <paramref name="y"/> one step and centres it.</summary>
    public void Step(double[] y, double z, int it)
    {
        bool early = it < options.ExaggerationIterations;
        double exaggeration = early ? options.EarlyExaggeration : 1;
        double momentum = early ? options.InitialMomentum : options.FinalMomentum;
        for (int c = 0; c < y.Length; c++)
        {
            // dC/dy_i = 4 sum_j (p_ij - q_ij)(y_i - y_j) / (1 + |y_i - y_j|²), with q_ij = 1 / ((1 + |y_i - y_j|²) Z).
            double g = 4 * (exaggeration * Attraction[c] - Repulsion[c] / z);
            // Jacobs' delta-bar-delta: grow a gain while the descent direction -g keeps the last step's direction, shrink
            // it when -g turns against the step (the step overshot).
            _gains[c] = Math.Sign(g) == Math.Sign(_update[c]) ? Math.Max(_gains[c] * 0.8, 0.01) : _gains[c] + 0.2;
            _update[c] = momentum * _update[c] - _eta * _gains[c] * g;
            y[c] += _update[c];
        }
        Center(y);
    }

    /// <summary>Moves the map's mean to the origin (the KL does not change; the numbers stay small).</summary>
    static void Center(double[] y)
    {
        int n = y.Length / 2;
        double mx = 0, my = 0;
        for (int i = 0; i < n; i++) { mx += y[2 * i]; my += y[2 * i + 1]; }
        mx /= n; my /= n;
        for (int i = 0; i < n; i++) { y[2 * i] -= mx; y[2 * i + 1] -= my; }
    }
}
