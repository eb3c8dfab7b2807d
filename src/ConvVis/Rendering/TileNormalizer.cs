using System.Globalization;
using static TorchSharp.torch;

namespace ConvVis.Rendering;

/// <summary>What a normalisation did, for captions and colour-bar labels.</summary>
/// <param name="Mode">The normalisation applied.</param>
/// <param name="ClipPercentile">The clipping percentile, if any.</param>
/// <param name="Low">Value shown at the bottom of the map when the scale is shared; NaN when per tile.</param>
/// <param name="High">Value shown at the top of the map when the scale is shared; NaN when per tile.</param>
internal sealed record ScaleInfo(Normalization Mode, double? ClipPercentile, double Low, double High)
{
    /// <summary>Colour-bar labels: bottom, middle, top.</summary>
    public (string Low, string Mid, string High) Labels()
    {
        string clip = ClipPercentile is { } p ? string.Create(CultureInfo.InvariantCulture, $" (clipped at the {p:0.##}th percentile)") : "";
        return Mode switch
        {
            Normalization.PerChannel => ("min of each tile" + clip, "", "max of each tile" + clip),
            Normalization.SymmetricPerChannel => ("−max|x| of each tile" + clip, "0", "+max|x| of each tile" + clip),
            _ => (TileStats.Format(Low), Mode == Normalization.Symmetric ? "0" : "", TileStats.Format(High)),
        };
    }

    /// <summary>A one-line description, e.g. "symmetric around 0, shared scale ±0.31".</summary>
    public string Describe()
    {
        string clip = ClipPercentile is { } p ? string.Create(CultureInfo.InvariantCulture, $", clipped at the {100 - p:0.##}/{p:0.##}th percentiles") : "";
        return Mode switch
        {
            Normalization.PerChannel => "min-max per tile" + clip,
            Normalization.Shared => $"shared min-max [{TileStats.Format(Low)}, {TileStats.Format(High)}]" + clip,
            Normalization.Symmetric => $"symmetric around 0, shared scale ±{TileStats.Format(High)}" + clip,
            _ => "symmetric around 0, per-tile scale" + clip,
        };
    }
}

/// <summary>
/// The affine map of one tile's values to [0, 1]: v = clamp((x - C) * A + B, 0, 1), with +Inf to 1, -Inf to 0 and
/// NaN kept (it gets the NaN colour). Computed once per tile, applied per value by the painters.
/// </summary>
internal readonly record struct RowScale(float C, float A, float B)
{
    /// <summary>The value in [0, 1] (or NaN) that <paramref name="x"/> is drawn as.</summary>
    public float Apply(float x)
    {
        if (float.IsNaN(x)) return float.NaN;
        if (float.IsPositiveInfinity(x)) return 1f;
        if (float.IsNegativeInfinity(x)) return 0f;
        return Math.Clamp((x - C) * A + B, 0f, 1f);
    }

    /// <summary>Shows values as they are (clamped to [0, 1]).</summary>
    public static RowScale Identity => new(0, 1, 0);
}

/// <summary>
/// Chooses per-tile or shared ranges: min/max from the tile statistics (finite values only), or torch quantiles
/// when clipping. A zero range never divides (see <see cref="Normalization"/>).
/// </summary>
internal static class TileNormalizer
{
    /// <summary>Checks a clip percentile: null, or in (50, 100].</summary>
    public static void Validate(double? clipPercentile, string optionName)
    {
        if (clipPercentile is { } p && !(p > 50 && p <= 100))
            throw new ArgumentOutOfRangeException(optionName, p, $"{optionName} must be in (50, 100], e.g. 99 clips values to the 1st..99th percentiles; it was {p}.");
    }

    /// <summary>
    /// One <see cref="RowScale"/> per row of <paramref name="rows"/> ([S, P] float32, CPU), whose statistics are <paramref name="stats"/>.
    /// </summary>
    public static RowScale[] Scales(Tensor rows, IReadOnlyList<TileStats> stats, Normalization mode, double? clipPercentile, out ScaleInfo info)
    {
        Validate(clipPercentile, "ClipPercentile");
        int s = stats.Count;
        bool perRow = mode is Normalization.PerChannel or Normalization.SymmetricPerChannel;
        bool symmetric = mode is Normalization.Symmetric or Normalization.SymmetricPerChannel;
        double[] lo, hi;
        if (clipPercentile is { } p)
        {
            using var scope = NewDisposeScope();
            var source = perRow ? rows : rows.reshape(1, -1);
            var withNaN = source.masked_fill(source.isfinite().logical_not(), float.NaN);
            if (symmetric)
            {
                hi = Quantiles(withNaN.abs(), [p / 100])[0];
                lo = hi.Select(h => -h).ToArray();
            }
            else
            {
                var q = Quantiles(withNaN, [1 - p / 100, p / 100]);
                lo = q[0]; hi = q[1];
            }
        }
        else
        {
            // Statistics hold finite min/max (NaN for a tile without finite values).
            var mins = stats.Select(t => (double)t.Min).ToArray();
            var maxs = stats.Select(t => (double)t.Max).ToArray();
            if (!perRow)
            {
                var finiteMins = mins.Where(double.IsFinite).ToArray();
                var finiteMaxs = maxs.Where(double.IsFinite).ToArray();
                mins = [finiteMins.Length > 0 ? finiteMins.Min() : double.NaN];
                maxs = [finiteMaxs.Length > 0 ? finiteMaxs.Max() : double.NaN];
            }
            if (symmetric)
            {
                hi = mins.Zip(maxs, (a, b) => Math.Max(Math.Abs(a), Math.Abs(b))).ToArray();
                lo = hi.Select(h => -h).ToArray();
            }
            else { lo = mins; hi = maxs; }
        }

        var scales = new RowScale[s];
        for (int i = 0; i < s; i++)
        {
            int k = perRow ? i : 0;
            double range = hi[k] - lo[k];
            bool ok = range > 0 && double.IsFinite(range);
            scales[i] = symmetric
                ? new RowScale(0, ok ? (float)(1 / range) : 0, 0.5f)
                : new RowScale(ok ? (float)lo[k] : 0, ok ? (float)(1 / range) : 0, ok ? 0 : (lo[k] == 0 ? 0f : 0.5f));
        }
        info = new ScaleInfo(mode, clipPercentile, perRow ? double.NaN : lo[0], perRow ? double.NaN : hi[0]);
        return scales;
    }

    /// <summary>
    /// Per-row quantiles ignoring NaN: result[k][row]. Inputs beyond torch's quantile size limit are subsampled
    /// with a fixed column stride (the result is then approximate, which is fine for display clipping).
    /// </summary>
    private static double[][] Quantiles(Tensor rowsWithNaN, double[] qs)
    {
        const long limit = 1 << 24;
        var x = rowsWithNaN;
        if (x.numel() > limit)
        {
            long stride = (x.numel() + limit - 1) / limit;
            x = x.slice(1, 0, x.shape[1], stride);
        }
        using var q = tensor(qs.Select(v => (float)v).ToArray());
        var result = x.nanquantile(q, 1, false).to(ScalarType.Float64); // [len(qs), rows]
        var flat = result.data<double>().ToArray();
        long rows = result.shape[1];
        return Enumerable.Range(0, qs.Length).Select(k => flat.AsSpan((int)(k * rows), (int)rows).ToArray()).ToArray();
    }
}
