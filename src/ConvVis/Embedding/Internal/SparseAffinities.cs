namespace ConvVis.Embedding;

/// <summary>The symmetric joint affinities P over each point's k nearest neighbours, in compressed sparse rows (sum 1).</summary>
internal sealed class SparseAffinities
{
    SparseAffinities(int[] rowStart, int[] columns, double[] values)
    {
        RowStart = rowStart;
        Columns = columns;
        Values = values;
    }

    /// <summary>Row i's entries are at [RowStart[i], RowStart[i + 1]).</summary>
    public int[] RowStart { get; }

    public int[] Columns { get; }

    public double[] Values { get; }

    /// <summary>Calibrates p(j|i) over the neighbours and symmetrises: P_ij = (p(j|i) + p(i|j)) / 2N.</summary>
    public static SparseAffinities Build(int[] neighbors, double[] distance2, int n, int k, double perplexity, CancellationToken token)
    {
        var conditional = new double[(long)n * k];
        Parallel.For(0, n, new ParallelOptions { CancellationToken = token }, i =>
            PerplexityCalibration.Fit(distance2.AsSpan(i * k, k), perplexity, conditional.AsSpan(i * k, k)));

        // Each (i, j) entry appears in row i and, transposed, in row j; duplicates (mutual neighbours) are merged below.
        var counts = new int[n + 1];
        for (int i = 0; i < n; i++)
        {
            counts[i] += k;
            for (int c = 0; c < k; c++) counts[neighbors[i * k + c]]++;
        }
        var start = new int[n + 1];
        for (int i = 0; i < n; i++) start[i + 1] = start[i] + counts[i];
        var fill = (int[])start.Clone();
        var cols = new int[start[n]];
        var vals = new double[start[n]];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < k; c++)
            {
                int j = neighbors[i * k + c];
                double v = conditional[i * k + c];
                cols[fill[i]] = j; vals[fill[i]++] = v;
                cols[fill[j]] = i; vals[fill[j]++] = v;
            }
        var rowStart = new int[n + 1];
        var outCols = new List<int>(start[n]);
        var outVals = new List<double>(start[n]);
        double scale = 1.0 / (2.0 * n);
        for (int i = 0; i < n; i++)
        {
            int a = start[i], b = start[i + 1];
            Array.Sort(cols, vals, a, b - a);
            for (int e = a; e < b; e++)
            {
                if (e > a && cols[e] == cols[e - 1]) outVals[^1] += vals[e] * scale;
                else { outCols.Add(cols[e]); outVals.Add(vals[e] * scale); }
            }
            rowStart[i + 1] = outCols.Count;
        }
        return new SparseAffinities(rowStart, outCols.ToArray(), outVals.ToArray());
    }
}
